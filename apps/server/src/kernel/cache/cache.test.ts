import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestTargets } from '../../config.ts';
import { eventually } from '../../testing/client.ts';
import { type Cache, createMemoryCache, createRedisCache } from './index.ts';

const { redisUrl } = loadTestTargets();
const uniquePrefix = () => `atrium:test:cache:${randomBytes(6).toString('hex')}:`;

interface Implementation {
  name: string;
  open: () => Promise<Cache>;
}

const implementations: Implementation[] = [
  { name: 'memory', open: async () => createMemoryCache() },
  ...(redisUrl ? [{ name: 'redis', open: () => createRedisCache(redisUrl, { prefix: uniquePrefix() }) }] : []),
];

/** Waits until a fresh fixed window of `windowMs` has just begun, so a burst of calls lands in one window. */
async function startOfWindow(windowMs: number): Promise<void> {
  await sleep(windowMs - (Date.now() % windowMs) + 5);
}

describe.each(implementations)('$name cache', ({ open }) => {
  let cache: Cache;
  const keysUsed: string[] = [];
  const key = (name: string) => {
    const unique = `${name}:${randomBytes(4).toString('hex')}`;
    keysUsed.push(unique);
    return unique;
  };

  beforeAll(async () => {
    cache = await open();
  });
  afterAll(async () => {
    if (!cache) return;
    await cache.del(...keysUsed);
    await cache.close();
  });

  describe('get, set and del', () => {
    it('returns what was set, and null for a missing key', async () => {
      const name = key('greeting');
      expect(await cache.get(name)).toBeNull();
      await cache.set(name, 'hello');
      expect(await cache.get(name)).toBe('hello');
      await cache.set(name, 'hello again');
      expect(await cache.get(name)).toBe('hello again');
    });

    it('expires a value after its TTL, and keeps one set without a TTL', async () => {
      const shortLived = key('short-lived');
      const permanent = key('permanent');
      await cache.set(shortLived, 'soon gone', 200);
      await cache.set(permanent, 'stays');
      expect(await cache.get(shortLived)).toBe('soon gone');
      await sleep(300);
      expect(await cache.get(shortLived)).toBeNull();
      expect(await cache.get(permanent)).toBe('stays');
    });

    it('sets only an absent key with setIfAbsent, so a late fill cannot overwrite a newer value', async () => {
      const name = key('fill');
      expect(await cache.setIfAbsent(name, 'first', 1000)).toBe(true);
      expect(await cache.setIfAbsent(name, 'late fill', 1000)).toBe(false);
      expect(await cache.get(name)).toBe('first');
      const expiring = key('fill-expiring');
      await cache.setIfAbsent(expiring, 'x', 100);
      await sleep(200);
      expect(await cache.setIfAbsent(expiring, 'y', 1000)).toBe(true);
    });

    it('deletes several keys at once and tolerates missing or no keys', async () => {
      const first = key('first');
      const second = key('second');
      const kept = key('kept');
      await cache.set(first, '1');
      await cache.set(second, '2');
      await cache.set(kept, '3');
      await cache.del(first, second, key('never-set'));
      await cache.del();
      expect(await cache.get(first)).toBeNull();
      expect(await cache.get(second)).toBeNull();
      expect(await cache.get(kept)).toBe('3');
    });
  });

  describe('incr', () => {
    it('counts from zero, by one or by a given step', async () => {
      const counter = key('counter');
      expect(await cache.incr(counter)).toBe(1);
      expect(await cache.incr(counter)).toBe(2);
      expect(await cache.incr(counter, 5)).toBe(7);
      expect(await cache.get(counter)).toBe('7');
    });

    it('starts the TTL at the first increment and does not extend it on later ones', async () => {
      const counter = key('windowed');
      expect(await cache.incr(counter, 1, 300)).toBe(1);
      await sleep(150);
      // Still inside the TTL: the count goes on.
      expect(await cache.incr(counter, 1, 300)).toBe(2);
      // 350 ms after the first increment: expired, although only 200 ms after the second.
      await sleep(200);
      expect(await cache.get(counter)).toBeNull();
      expect(await cache.incr(counter, 1, 300)).toBe(1);
    });

    it('keeps all concurrent increments', async () => {
      const counter = key('concurrent');
      const results = await Promise.all(Array.from({ length: 25 }, () => cache.incr(counter)));
      expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));
      expect(await cache.get(counter)).toBe('25');
    });
  });

  describe('rateLimit', () => {
    it('consumes several counters atomically: all pass and are added to, or none is touched', async () => {
      const [a, b] = [key('consume:a'), key('consume:b')];
      const checks = (need: number) => [
        { key: a, limit: 3, need: 1, add: 1, ttlMs: 60_000 },
        { key: b, limit: 10, need, add: need, ttlMs: 60_000 },
      ];
      expect(await cache.consume(checks(4))).toEqual({ ok: true, values: [1, 4] });
      const refused = await cache.consume(checks(7));
      expect(refused).toMatchObject({ ok: false, index: 1, value: 4 });
      if (!refused.ok) expect(refused.resetMs).toBeGreaterThan(50_000);
      // The refused call changed nothing: counter a is still 1.
      expect(await cache.get(a)).toBe('1');
      expect(await cache.consume(checks(6))).toEqual({ ok: true, values: [2, 10] });
    });

    it('lets no more than the limit through when many consume at once', async () => {
      const counter = key('consume:race');
      const results = await Promise.all(
        Array.from({ length: 40 }, () => cache.consume([{ key: counter, limit: 25, need: 1, add: 1, ttlMs: 60_000 }])),
      );
      expect(results.filter((result) => result.ok)).toHaveLength(25);
    });

    it('allows exactly `limit` hits in a window, then refuses until the window resets', async () => {
      const limited = key('login:alice');
      const windowMs = 60_000;
      // Keep the burst clear of a window boundary.
      if (windowMs - (Date.now() % windowMs) < 500) await startOfWindow(windowMs);
      for (let hit = 1; hit <= 3; hit++) {
        const result = await cache.rateLimit(limited, 3, windowMs);
        expect(result.allowed).toBe(true);
        expect(result.remaining).toBe(3 - hit);
        expect(result.resetMs).toBeGreaterThan(0);
        expect(result.resetMs).toBeLessThanOrEqual(windowMs);
      }
      for (let hit = 0; hit < 2; hit++) {
        const refused = await cache.rateLimit(limited, 3, windowMs);
        expect(refused.allowed).toBe(false);
        expect(refused.remaining).toBe(0);
        expect(refused.resetMs).toBeGreaterThan(0);
        expect(refused.resetMs).toBeLessThanOrEqual(windowMs);
      }
      // Another key has its own budget.
      expect(await cache.rateLimit(key('login:bob'), 3, windowMs)).toMatchObject({ allowed: true, remaining: 2 });
    });

    it('allows again once the window has passed', async () => {
      const limited = key('burst');
      const windowMs = 300;
      await startOfWindow(windowMs);
      expect((await cache.rateLimit(limited, 1, windowMs)).allowed).toBe(true);
      const refused = await cache.rateLimit(limited, 1, windowMs);
      expect(refused).toMatchObject({ allowed: false, remaining: 0 });
      expect(refused.resetMs).toBeLessThanOrEqual(windowMs);
      await sleep(refused.resetMs + 20);
      expect(await cache.rateLimit(limited, 1, windowMs)).toMatchObject({ allowed: true, remaining: 0 });
    });
  });

  describe('publish and subscribe', () => {
    it('delivers messages to every subscriber of the channel, in order, and not to other channels', async () => {
      const channel = key('channel');
      const first: string[] = [];
      const second: string[] = [];
      const elsewhere: string[] = [];
      const unsubscribers = [
        await cache.subscribe(channel, (message) => first.push(message)),
        await cache.subscribe(channel, (message) => second.push(message)),
        await cache.subscribe(key('other-channel'), (message) => elsewhere.push(message)),
      ];
      await cache.publish(channel, 'one');
      await cache.publish(channel, 'two');
      await eventually(async () => first.length === 2 && second.length === 2, 5_000);
      expect(first).toEqual(['one', 'two']);
      expect(second).toEqual(['one', 'two']);
      expect(elsewhere).toEqual([]);
      for (const unsubscribe of unsubscribers) await unsubscribe();
    });

    it('stops delivering to a handler once it unsubscribes', async () => {
      const channel = key('channel');
      const sentinel = key('sentinel');
      const leaving: string[] = [];
      const staying: string[] = [];
      const sentinelMessages: string[] = [];
      const leave = await cache.subscribe(channel, (message) => leaving.push(message));
      const stay = await cache.subscribe(channel, (message) => staying.push(message));
      const stopSentinel = await cache.subscribe(sentinel, (message) => sentinelMessages.push(message));

      await cache.publish(channel, 'before');
      await eventually(async () => leaving.length === 1 && staying.length === 1, 5_000);

      // One handler leaves: the other still receives.
      await leave();
      await cache.publish(channel, 'after one left');
      await eventually(async () => staying.length === 2, 5_000);
      expect(leaving).toEqual(['before']);

      // The last handler leaves: nothing arrives, although a later message on another channel does.
      await stay();
      await cache.publish(channel, 'after all left');
      await cache.publish(sentinel, 'done');
      await eventually(async () => sentinelMessages.length === 1, 5_000);
      expect(leaving).toEqual(['before']);
      expect(staying).toEqual(['before', 'after one left']);
      await stopSentinel();
    });
  });
});

if (redisUrl) {
  describe('redis cache namespacing', () => {
    it('keeps keys and channels of different prefixes apart', async () => {
      const [left, right] = await Promise.all([
        createRedisCache(redisUrl, { prefix: uniquePrefix() }),
        createRedisCache(redisUrl, { prefix: uniquePrefix() }),
      ]);
      try {
        await left.set('shared-name', 'left', 5_000);
        expect(await right.get('shared-name')).toBeNull();
        const heardByRight: string[] = [];
        const heardByLeft: string[] = [];
        const stopRight = await right.subscribe('news', (message) => heardByRight.push(message));
        const stopLeft = await left.subscribe('news', (message) => heardByLeft.push(message));
        await left.publish('news', 'for left only');
        await eventually(async () => heardByLeft.length === 1, 5_000);
        await right.publish('news', 'for right only');
        await eventually(async () => heardByRight.length === 1, 5_000);
        expect(heardByLeft).toEqual(['for left only']);
        expect(heardByRight).toEqual(['for right only']);
        await stopRight();
        await stopLeft();
        await left.del('shared-name');
      } finally {
        await Promise.all([left.close(), right.close()]);
      }
    });
  });
}

describe('memory cache bounds', () => {
  it('evicts the oldest entry once maxEntries is reached', async () => {
    const cache = createMemoryCache({ maxEntries: 2 });
    try {
      await cache.set('first', '1');
      await cache.set('second', '2');
      await cache.set('second', 'overwritten, not a new entry');
      expect(await cache.get('first')).toBe('1');
      await cache.set('third', '3');
      expect(await cache.get('first')).toBeNull();
      expect(await cache.get('second')).toBe('overwritten, not a new entry');
      expect(await cache.get('third')).toBe('3');
    } finally {
      await cache.close();
    }
  });
});
