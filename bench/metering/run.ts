/**
 * bench/metering: how fast metering takes usage events durably (the real group-committed `unnest`
 * INSERT with its idempotency constraint) and how fast `check` answers from the usage counters.
 * Creates a fresh PostgreSQL database (and a temporary PGlite directory), uses a unique Redis key
 * prefix, drops/deletes all of them at the end and prints tables. Never part of `npm test`;
 * loopback only; bounded by event counts, fixed-length runs and a 15-minute watchdog.
 *
 *   npm run bench:metering
 *   BENCH_EVENTS=50000 BENCH_DATABASE_URL=postgres://… BENCH_REDIS_URL=redis://… npm run bench:metering
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type Cache, createMemoryCache, createRedisCache } from '../../apps/server/src/kernel/cache/index.ts';
import { type Database, openDatabase } from '../../apps/server/src/kernel/db/database.ts';
import { migrate } from '../../apps/server/src/kernel/db/migrate.ts';
import type { Kernel } from '../../apps/server/src/kernel/kernel.ts';
import { createIngest, type UsageEvent } from '../../apps/server/src/modules/metering/ingest.ts';
import { createMeteringService } from '../../apps/server/src/modules/metering/service.ts';

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got '${raw}'.`);
  return value;
}

/** Loopback only: this script creates and drops databases and deletes keys. */
function loopback(name: string, url: string): string {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname)) throw new Error(`${name} must point at loopback, got ${url}.`);
  return url;
}

// The only place this script reads the environment.
const options = {
  databaseUrl: loopback('BENCH_DATABASE_URL', process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'),
  redisUrl: loopback('BENCH_REDIS_URL', process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379'),
  events: positiveInteger('BENCH_EVENTS', 200_000),
  pgliteEvents: 50_000,
  orgs: 50,
  chunk: 100,
  checks: 20_000,
  checkLoops: 64,
  checkSeconds: 3,
  /** The whole run is abandoned (and cleaned up) after this long. */
  timeoutMs: 15 * 60_000,
};
const TARGET_INGEST = 50_000; // events/s on PostgreSQL
const TARGET_CHECK_P99_US = 1_000; // µs, Redis

const pad = (value: string, width: number, right = true) => (right ? value.padStart(width) : value.padEnd(width));
function table(header: string[], rows: Array<Array<string | number>>, widths: number[]): string {
  const line = (cells: Array<string | number>) => cells.map((cell, i) => pad(String(cell), widths[i], i > 0)).join('  ');
  return [line(header), '-'.repeat(line(header).length), ...rows.map(line)].join('\n');
}
const int = (value: number) => Math.round(value).toLocaleString('en-US');

/** The current calendar month: the billing period of the fixed quota. */
const now = new Date();
const period = {
  start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
  end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
};

/** `count` events across the organisations, in chunks of `options.chunk` (one `record()` call each). */
function makeChunks(count: number, tag: string): UsageEvent[][] {
  const chunks: UsageEvent[][] = [];
  const at = new Date(period.start.getTime() + 60_000);
  for (let index = 0; index < count; index += options.chunk) {
    const chunk: UsageEvent[] = [];
    for (let i = index; i < Math.min(count, index + options.chunk); i++) {
      chunk.push({
        orgId: `org_${i % options.orgs}`,
        metric: 'tokens',
        quantity: 1 + (i % 997),
        idempotencyKey: `${tag}:${i}`,
        at,
        apiKeyId: `key_${i % 7}`,
        dimensions: { model: 'gpt-4o-mini', provider: 'openai' },
        source: 'gateway',
      });
    }
    chunks.push(chunk);
  }
  return chunks;
}

/** `producers` loops each taking the next chunk and awaiting `record()`; returns seconds and how many were new. */
async function ingestRun(database: Database, chunks: UsageEvent[][], producers: number, maxBatch?: number) {
  let fresh = 0;
  const ingest = createIngest({ database } as unknown as Kernel, { maxBatch, onInserted() {} });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: producers }, async () => {
      while (next < chunks.length) for (const event of await ingest.record(chunks[next++])) if (event.inserted) fresh++;
    }),
  );
  await ingest.flush();
  return { seconds: (performance.now() - started) / 1000, inserted: fresh };
}

/** N fresh events, then the same N again (the idempotency key must make that insert nothing). */
async function ingestVariant(database: Database, backend: string, events: number, producers: number, maxBatch: number) {
  await database.exec('truncate usage_events');
  const chunks = makeChunks(events, `e${producers}b${maxBatch}`);
  const first = await ingestRun(database, chunks, producers, maxBatch);
  const again = await ingestRun(database, chunks, producers, maxBatch);
  const rows = Number((await database.sql.query<{ n: string }>('select count(*)::text as n from usage_events')).rows[0]?.n);
  console.log(`  ${backend} C=${producers} maxBatch=${maxBatch}: ${int(events / first.seconds)} events/s, re-inserted ${again.inserted}`);
  return { backend, producers, maxBatch, events, first, again, rows, rate: events / first.seconds };
}

type IngestRow = Awaited<ReturnType<typeof ingestVariant>>;

/** A warm-up (prepared statement, JIT), then each producer count at one maxBatch. */
async function ingestSuite(database: Database, backend: string, events: number, producerCounts: number[], maxBatch: number) {
  await ingestRun(database, makeChunks(5_000, 'warm'), 8);
  const rows: IngestRow[] = [];
  for (const producers of producerCounts) rows.push(await ingestVariant(database, backend, events, producers, maxBatch));
  return rows;
}

/** Sequential latency of a warm `check`, then the throughput of concurrent loops. */
async function checkSuite(database: Database, cache: Cache) {
  const log = { warn: console.warn, info() {}, error: console.error, debug() {} };
  const kernel = { database, cache, clock: () => new Date(), log } as unknown as Kernel;
  const metering = createMeteringService(kernel, { onThreshold() {} });
  const quota = { limit: 1e12, hard: true, periodStart: period.start, periodEnd: period.end };
  metering.useEntitlements({ quota: async () => quota, quotaMetrics: async () => ['tokens'], upgradeUrl: () => '/billing' });
  for (let org = 0; org < options.orgs; org++) await metering.check(`org_${org}`, 'tokens', 1); // seeds every counter from the events
  const samples = new Float64Array(options.checks);
  for (let index = 0; index < options.checks; index++) {
    const started = process.hrtime.bigint();
    const result = await metering.check('org_0', 'tokens', 1);
    samples[index] = Number(process.hrtime.bigint() - started) / 1000;
    if (!result.allowed || result.used <= 0) throw new Error(`check did not read the counter: ${JSON.stringify(result)}`);
  }
  samples.sort();
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)];
  let done = 0;
  const end = performance.now() + options.checkSeconds * 1000;
  await Promise.all(
    Array.from({ length: options.checkLoops }, async (_, loop) => {
      while (performance.now() < end) {
        await metering.check(`org_${loop % options.orgs}`, 'tokens', 1);
        done++;
      }
    }),
  );
  const [p50, p90, p99, max] = [at(0.5), at(0.9), at(0.99), samples[samples.length - 1]];
  console.log(`  ${cache.kind}: p99 ${p99.toFixed(1)} µs, ${int(done / options.checkSeconds)} checks/s`);
  return { cache: cache.kind, p50, p90, p99, max, throughput: done / options.checkSeconds };
}

/** Prints the tables and the summary; false when idempotency broke. */
function report(environment: string, ingestRows: IngestRow[], checkRows: Array<Awaited<ReturnType<typeof checkSuite>>>): boolean {
  console.log(`\n${environment}\n\nIngest (durable, idempotency key enforced; re-ingest = the same events again)\n`);
  const ingestHeader = 'backend|producers|maxBatch|events|seconds|events/s|inserted|re-ingest s|re-ingest ev/s|re-inserted|rows'.split('|');
  const ingestCells = ingestRows.map((r) => {
    const first = [r.backend, r.producers, r.maxBatch, int(r.events), r.first.seconds.toFixed(2), int(r.rate), int(r.first.inserted)];
    return [...first, r.again.seconds.toFixed(2), int(r.events / r.again.seconds), r.again.inserted, int(r.rows)];
  });
  console.log(table(ingestHeader, ingestCells, [8, 9, 8, 9, 7, 9, 9, 11, 14, 11, 9]));
  console.log(`\ncheck(org, 'tokens', 1) on a hard quota, counter warm (µs; throughput: ${options.checkLoops} concurrent loops)\n`);
  const checkCells = checkRows.map((r) => [r.cache, ...[r.p50, r.p90, r.p99, r.max].map((v) => v.toFixed(1)), int(r.throughput)]);
  console.log(table(['cache', 'p50 µs', 'p90 µs', 'p99 µs', 'max µs', 'checks/s'], checkCells, [6, 8, 8, 8, 9, 10]));

  console.log('\nSummary\n\n| target | goal | measured | result |\n|---|---|---|---|');
  const verdict = (target: string, goal: string, measured: string, pass: boolean, miss = 'MISS') =>
    console.log(`| ${target} | ${goal} | ${measured} | ${pass ? 'PASS' : miss} |`);
  const ingestGoal = `≥ ${int(TARGET_INGEST)} events/s`;
  for (const r of ingestRows.filter((row) => row.backend === 'postgres'))
    verdict(`PostgreSQL ingest C=${r.producers} maxBatch=${r.maxBatch}`, ingestGoal, `${int(r.rate)} events/s`, r.rate >= TARGET_INGEST);
  const redisRow = checkRows[1];
  verdict('check p99 (Redis)', `< ${TARGET_CHECK_P99_US} µs`, `${redisRow.p99.toFixed(1)} µs`, redisRow.p99 < TARGET_CHECK_P99_US);
  const wrong = ingestRows.filter((r) => r.again.inserted !== 0 || r.first.inserted !== r.events || r.rows !== r.events);
  const reinserted = ingestRows.reduce((n, r) => n + r.again.inserted, 0);
  verdict('re-ingest inserts nothing (all variants)', '0 inserted', `${reinserted} inserted`, !wrong.length, 'FAIL');
  console.log();
  return !wrong.length;
}

async function main() {
  const admin = await openDatabase({ databaseUrl: options.databaseUrl, poolSize: 1 });
  const name = `atrium_bench_metering_${randomBytes(4).toString('hex')}`;
  const prefix = `${name}:`;
  const dataDir = mkdtempSync(join(tmpdir(), 'atrium-bench-metering-'));
  const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await admin.sql.query(`create database ${name}`);
  const opened: Array<{ close(): Promise<void> }> = [];
  const open = <T extends { close(): Promise<void> }>(resource: T) => {
    opened.push(resource);
    return resource;
  };
  let watchdog: NodeJS.Timeout | undefined;
  try {
    const run = async () => {
      await redis.connect();
      const url = new URL(options.databaseUrl);
      url.pathname = `/${name}`;
      const database = open(await openDatabase({ databaseUrl: url.toString() }));
      await migrate(database);
      const serverVersion = (await admin.sql.query<{ server_version: string }>('show server_version')).rows[0]?.server_version ?? '?';
      const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
      const environment = `node ${process.version} · postgres ${serverVersion} (pool 10) · redis ${redisVersion} · ${availableParallelism()} cores (bench, PostgreSQL and Redis share them)`;
      console.log(environment);

      console.log(`ingest: ${options.events} events × 2 (then re-ingested) across ${options.orgs} orgs, chunks of ${options.chunk}…`);
      const ingestRows = await ingestSuite(database, 'postgres', options.events, [1, 8, 64], 2000);
      ingestRows.push(await ingestVariant(database, 'postgres', options.events, 64, 500));
      const pglite = open(await openDatabase({ dataDir }));
      await migrate(pglite);
      ingestRows.push(...(await ingestSuite(pglite, 'pglite', options.pgliteEvents, [1, 64], 2000)));

      console.log(`check: ${options.checks} sequential, then ${options.checkLoops} loops for ${options.checkSeconds} s…`);
      const checkRows = [await checkSuite(database, createMemoryCache())];
      checkRows.push(await checkSuite(database, open(await createRedisCache(options.redisUrl, { prefix }))));

      if (!report(environment, ingestRows, checkRows)) throw new Error('idempotency broken: a re-ingest inserted rows');
    };
    await Promise.race([
      run(),
      new Promise((_, reject) => {
        watchdog = setTimeout(() => reject(new Error(`gave up after ${options.timeoutMs / 1000} s`)), options.timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(watchdog);
    for (const resource of opened.reverse()) await resource.close().catch((error) => console.error('closing failed:', error));
    await admin.sql.query(`drop database if exists ${name} with (force)`);
    await admin.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (redis.status === 'ready') {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
    redis.disconnect();
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(error);
  process.exit(1);
}
