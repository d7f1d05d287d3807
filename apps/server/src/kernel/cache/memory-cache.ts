import { EventEmitter } from 'node:events';
import type { Cache, ConsumeResult, RateLimitResult } from './cache.ts';

interface Entry {
  value: string;
  expiresAt: number;
}

/** The embedded cache: one process, expiring entries swept lazily and every minute. */
export function createMemoryCache(options: { now?: () => number; maxEntries?: number } = {}): Cache {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 100_000;
  const entries = new Map<string, Entry>();
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  const sweeper = setInterval(() => {
    const time = now();
    for (const [key, entry] of entries) if (entry.expiresAt <= time) entries.delete(key);
  }, 60_000);
  sweeper.unref();

  function read(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function write(key: string, value: string, ttlMs?: number) {
    if (entries.size >= maxEntries && !entries.has(key)) {
      // Evict the oldest insertion: Map iterates in insertion order.
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    entries.set(key, { value, expiresAt: ttlMs ? now() + ttlMs : Number.POSITIVE_INFINITY });
  }

  return {
    kind: 'memory',
    async get(key) {
      return read(key)?.value ?? null;
    },
    async set(key, value, ttlMs) {
      write(key, value, ttlMs);
    },
    async setIfAbsent(key, value, ttlMs) {
      if (read(key)) return false;
      write(key, value, ttlMs);
      return true;
    },
    async del(...keys) {
      for (const key of keys) entries.delete(key);
    },
    async incr(key, by = 1, ttlMs) {
      const entry = read(key);
      const next = (entry ? Number(entry.value) : 0) + by;
      if (entry) entry.value = String(next);
      else write(key, String(next), ttlMs);
      return next;
    },
    async rateLimit(key, limit, windowMs): Promise<RateLimitResult> {
      const time = now();
      const windowStart = Math.floor(time / windowMs) * windowMs;
      const bucket = `${key}:${windowStart}`;
      const entry = read(bucket);
      const count = (entry ? Number(entry.value) : 0) + 1;
      if (entry) entry.value = String(count);
      else write(bucket, String(count), windowMs);
      return { allowed: count <= limit, remaining: Math.max(0, limit - count), resetMs: windowStart + windowMs - time };
    },
    async consume(checks): Promise<ConsumeResult> {
      const values: number[] = [];
      for (const [index, check] of checks.entries()) {
        const entry = read(check.key);
        const value = entry ? Number(entry.value) : 0;
        if (value + check.need > check.limit) {
          const resetMs = entry && Number.isFinite(entry.expiresAt) ? entry.expiresAt - now() : -1;
          return { ok: false, index, value, resetMs };
        }
        values.push(value);
      }
      for (const [index, check] of checks.entries()) {
        const entry = read(check.key);
        values[index] += check.add;
        if (entry) entry.value = String(values[index]);
        else write(check.key, String(values[index]), check.ttlMs);
      }
      return { ok: true, values };
    },
    async publish(channel, message) {
      bus.emit(channel, message);
    },
    async subscribe(channel, handler) {
      bus.on(channel, handler);
      return async () => {
        bus.off(channel, handler);
      };
    },
    async close() {
      clearInterval(sweeper);
      entries.clear();
      bus.removeAllListeners();
    },
  };
}
