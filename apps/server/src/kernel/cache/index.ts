import type { Cache } from './cache.ts';
import { createMemoryCache } from './memory-cache.ts';
import { createRedisCache } from './redis-cache.ts';

export type { Cache, RateLimitResult } from './cache.ts';
export { createMemoryCache } from './memory-cache.ts';
export { createRedisCache } from './redis-cache.ts';

/** Redis when a URL is given, memory otherwise. */
export function openCache(options: { redisUrl?: string; prefix?: string }): Promise<Cache> {
  return options.redisUrl ? createRedisCache(options.redisUrl, { prefix: options.prefix }) : Promise.resolve(createMemoryCache());
}
