import { Redis } from 'ioredis';
import type { Cache } from './cache.ts';

// INCRBY and set the expiry only when the key is new, atomically.
const INCR_WITH_TTL = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and value == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value`;

/** The shared cache for multi-node deployments. Keys are namespaced by `prefix`. */
export async function createRedisCache(url: string, options: { prefix?: string } = {}): Promise<Cache> {
  const prefix = options.prefix ?? 'atrium:';
  const client = new Redis(url, { keyPrefix: prefix, lazyConnect: true, maxRetriesPerRequest: 3 });
  await client.connect();
  let subscriber: Redis | undefined;
  const handlers = new Map<string, Set<(message: string) => void>>();

  async function subscriberClient(): Promise<Redis> {
    if (subscriber) return subscriber;
    subscriber = new Redis(url, { lazyConnect: true });
    await subscriber.connect();
    subscriber.on('message', (channel: string, message: string) => {
      for (const handler of handlers.get(channel.slice(prefix.length)) ?? []) handler(message);
    });
    return subscriber;
  }

  async function incr(key: string, by = 1, ttlMs = 0): Promise<number> {
    return Number(await client.eval(INCR_WITH_TTL, 1, key, by, ttlMs));
  }

  return {
    kind: 'redis',
    get: (key) => client.get(key),
    async set(key, value, ttlMs) {
      if (ttlMs) await client.set(key, value, 'PX', ttlMs);
      else await client.set(key, value);
    },
    async setIfAbsent(key, value, ttlMs) {
      return (await client.set(key, value, 'PX', ttlMs, 'NX')) === 'OK';
    },
    async del(...keys) {
      if (keys.length) await client.del(...keys);
    },
    incr,
    async rateLimit(key, limit, windowMs) {
      const time = Date.now();
      const windowStart = Math.floor(time / windowMs) * windowMs;
      const count = await incr(`${key}:${windowStart}`, 1, windowMs);
      return { allowed: count <= limit, remaining: Math.max(0, limit - count), resetMs: windowStart + windowMs - time };
    },
    async publish(channel, message) {
      await client.publish(prefix + channel, message);
    },
    async subscribe(channel, handler) {
      const connection = await subscriberClient();
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await connection.subscribe(prefix + channel);
      }
      set.add(handler);
      return async () => {
        set.delete(handler);
        if (set.size === 0) {
          handlers.delete(channel);
          await connection.unsubscribe(prefix + channel);
        }
      };
    },
    async close() {
      await Promise.allSettled([client.quit(), subscriber?.quit()]);
    },
  };
}
