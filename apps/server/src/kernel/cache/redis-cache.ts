import { Redis } from 'ioredis';
import type { Cache } from './cache.ts';

// INCRBY and set the expiry only when the key is new, atomically.
const INCR_WITH_TTL = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and value == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value`;

// Check every counter (value + need <= limit); only if all pass, add to each. ARGV per key:
// limit, need, add, ttl. Returns {1, values…} or {0, index, value, pttl}.
const CONSUME = `
for i = 1, #KEYS do
  local value = tonumber(redis.call('GET', KEYS[i]) or '0')
  local base = (i - 1) * 4
  if value + tonumber(ARGV[base + 2]) > tonumber(ARGV[base + 1]) then
    return {0, i - 1, value, redis.call('PTTL', KEYS[i])}
  end
end
local result = {1}
for i = 1, #KEYS do
  local base = (i - 1) * 4
  local value = redis.call('INCRBY', KEYS[i], ARGV[base + 3])
  local ttl = tonumber(ARGV[base + 4])
  if ttl > 0 and redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
  result[#result + 1] = value
end
return result`;

/** The shared cache for multi-node deployments. Keys are namespaced by `prefix`. */
export async function createRedisCache(url: string, options: { prefix?: string } = {}): Promise<Cache> {
  const prefix = options.prefix ?? 'atrium:';
  // Auto-pipelining sends the commands of one event-loop turn in one write: fewer system calls under load.
  const client = new Redis(url, { keyPrefix: prefix, lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true });
  await client.connect();
  client.defineCommand('atriumConsume', { lua: CONSUME });
  const consumeScript = (
    client as unknown as { atriumConsume(keyCount: number, ...args: Array<string | number>): Promise<number[]> }
  ).atriumConsume.bind(client);
  let subscriber: Redis | undefined;
  let subscriberReady: Promise<Redis> | undefined;
  const handlers = new Map<string, Set<(message: string) => void>>();

  // Every subscriber shares one connection, made once: a second subscribe must wait for it to be
  // ready, or its SUBSCRIBE races the connection's ready check (which then fails in subscriber mode).
  function subscriberClient(): Promise<Redis> {
    subscriberReady ??= (async () => {
      const client = new Redis(url, { lazyConnect: true });
      subscriber = client;
      // Connection errors are retried by ioredis (and re-subscribed); without a listener they would crash the process.
      client.on('error', () => {});
      client.on('message', (channel: string, message: string) => {
        for (const handler of handlers.get(channel.slice(prefix.length)) ?? []) handler(message);
      });
      await client.connect();
      return client;
    })();
    return subscriberReady;
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
    async consume(checks) {
      const args: Array<string | number> = checks.map((check) => check.key);
      for (const check of checks) args.push(check.limit, check.need, check.add, Math.ceil(check.ttlMs));
      const reply = await consumeScript(checks.length, ...args);
      if (reply[0] === 1) return { ok: true, values: reply.slice(1).map(Number) };
      return { ok: false, index: Number(reply[1]), value: Number(reply[2]), resetMs: Number(reply[3]) };
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
