/**
 * bench/http: what API-key authentication and /api/v1/me's reads cost over a bare route.
 * Starts Atrium on a fresh PostgreSQL database (Redis too when given), signs up, creates an API
 * key, then loads each route with autocannon on the same server in the same run and prints a
 * table. Never part of `npm test`; see bench/README.md.
 *
 *   npm run bench:http
 *   BENCH_DATABASE_URL=postgres://… BENCH_REDIS_URL=redis://… BENCH_DURATION=10 BENCH_CONNECTIONS=10 npm run bench:http
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { type Atrium, createAtrium } from '../../apps/server/src/app.ts';
import { parseConfig } from '../../apps/server/src/config.ts';
import { openDatabase } from '../../apps/server/src/kernel/db/database.ts';

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got '${raw}'.`);
  return value;
}

// The only place this script reads the environment.
const options = {
  databaseUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.BENCH_REDIS_URL || undefined,
  /** Seconds of the measured run at `connections`. */
  duration: positiveInteger('BENCH_DURATION', 10),
  connections: positiveInteger('BENCH_CONNECTIONS', 10),
  /** Seconds of warm-up before each route's runs (JIT, pools, the API-key cache). */
  warmup: 3,
  /** Seconds of the one-connection latency run. */
  latencyDuration: 5,
  /** Sequential requests per route when counting database queries. */
  probeRequests: 50,
};

/** What bench/http/load.mjs (the worker) takes and posts back. */
interface LoadRequest {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
}
interface LoadResult {
  rps: number;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Response times of the 2xx responses, ms. */
  samples: Float64Array;
}

interface Target {
  key: 'bare' | 'auth' | 'tenant' | 'me';
  route: string;
  path: string;
  authenticated: boolean;
}

const targets: Target[] = [
  { key: 'bare', route: 'GET /healthz', path: '/healthz', authenticated: false },
  { key: 'auth', route: 'GET /api/v1/permissions', path: '/api/v1/permissions', authenticated: true },
  { key: 'tenant', route: 'GET /api/v1/workspaces', path: '/api/v1/workspaces', authenticated: true },
  { key: 'me', route: 'GET /api/v1/me', path: '/api/v1/me', authenticated: true },
];

interface Row {
  target: Target;
  connections: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  non2xx: number;
}

// Every statement the app sends goes through pg.Client#query (pool.query and drizzle included).
let queryCount = 0;
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
  queryCount++;
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof originalQuery;

/** One autocannon run in a worker thread. */
function load(request: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load.mjs', import.meta.url), { workerData: request });
    worker.once('message', (result: LoadResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load worker exited with ${code}`));
    });
  });
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

async function measure(base: string, target: Target, connections: number, duration: number, headers: Record<string, string>): Promise<Row> {
  const result = await load({ url: `${base}${target.path}`, connections, duration, headers });
  const sorted = result.samples.sort();
  return {
    target,
    connections,
    rps: result.rps,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

async function call(base: string, method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function expectStatus(promise: ReturnType<typeof call>, status: number, what: string) {
  const response = await promise;
  if (response.status !== status) throw new Error(`${what}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

const pad = (value: string, width: number, right = false) => (right ? value.padStart(width) : value.padEnd(width));
const ms = (value: number) => value.toFixed(3);

function table(rows: Row[], queries: Map<Target['key'], number>): string {
  const header = [
    pad('route', 26),
    pad('conns', 5, true),
    pad('req/s', 8, true),
    pad('p50 ms', 8, true),
    pad('p90 ms', 8, true),
    pad('p99 ms', 8, true),
    pad('errors/non-2xx', 15, true),
    pad('queries/req', 12, true),
  ].join('  ');
  const lines = rows.map((row) =>
    [
      pad(row.target.route, 26),
      pad(String(row.connections), 5, true),
      pad(row.rps.toFixed(0), 8, true),
      pad(ms(row.p50), 8, true),
      pad(ms(row.p90), 8, true),
      pad(ms(row.p99), 8, true),
      pad(`${row.errors}/${row.non2xx}`, 15, true),
      pad((queries.get(row.target.key) ?? Number.NaN).toFixed(2), 12, true),
    ].join('  '),
  );
  return [header, '-'.repeat(header.length), ...lines].join('\n');
}

async function main() {
  const admin = await openDatabase({ databaseUrl: options.databaseUrl, poolSize: 1 });
  const name = `atrium_bench_${Date.now()}`;
  await admin.sql.query(`create database ${name}`);
  const url = new URL(options.databaseUrl);
  url.pathname = `/${name}`;
  let atrium: Atrium | undefined;
  try {
    const config = parseConfig({
      DATABASE_URL: url.toString(),
      REDIS_URL: options.redisUrl,
      LOG_LEVEL: 'silent',
      ATRIUM_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      PORT: '0',
      HOST: '127.0.0.1',
      ATRIUM_SCRYPT_COST: '1024',
    });
    atrium = await createAtrium(config, { serveConsole: false });
    const base = await atrium.start();
    if (!base) throw new Error('the server did not listen');
    const serverVersion = (await admin.sql.query<{ server_version: string }>('show server_version')).rows[0]?.server_version ?? '?';
    const environment =
      `node ${process.version} · database ${atrium.kernel.database.kind} ${serverVersion} (pool ${config.databasePoolSize})` +
      ` · cache ${atrium.kernel.cache.kind} · ${availableParallelism()} cores (client, server and database share them)`;
    console.log(environment);

    const account = await expectStatus(
      call(base, 'POST', '/api/v1/auth/signup', {
        body: { email: 'bench@example.com', password: 'bench password 1', name: 'Bench', organization: 'Bench' },
      }),
      201,
      'signup',
    );
    const { key } = await expectStatus(
      call(base, 'POST', '/api/v1/api-keys', { token: account.access_token, body: { name: 'bench', workspace_id: account.workspace.id } }),
      201,
      'create API key',
    );
    const headersOf = (target: Target): Record<string, string> => (target.authenticated ? { authorization: `Bearer ${key}` } : {});
    for (const target of targets)
      await expectStatus(call(base, 'GET', target.path, { token: target.authenticated ? key : undefined }), 200, target.route);

    const rows: Row[] = [];
    for (const target of targets) {
      console.log(
        `${target.route}: warm-up ${options.warmup} s, ${options.connections} connections ${options.duration} s, 1 connection ${options.latencyDuration} s…`,
      );
      await load({ url: `${base}${target.path}`, connections: options.connections, duration: options.warmup, headers: headersOf(target) });
      rows.push(await measure(base, target, options.connections, options.duration, headersOf(target)));
      rows.push(await measure(base, target, 1, options.latencyDuration, headersOf(target)));
    }

    // Database statements per request (BEGIN/COMMIT and set_config count), sequential, cache warm.
    const queries = new Map<Target['key'], number>();
    for (const target of targets) {
      const before = queryCount;
      for (let index = 0; index < options.probeRequests; index++) {
        await expectStatus(call(base, 'GET', target.path, { token: target.authenticated ? key : undefined }), 200, target.route);
      }
      queries.set(target.key, (queryCount - before) / options.probeRequests);
    }

    const find = (key: Target['key'], connections: number) => {
      const row = rows.find((entry) => entry.target.key === key && entry.connections === connections);
      if (!row) throw new Error(`no row for ${key} at ${connections}`);
      return row;
    };
    const lines: string[] = [];
    for (const connections of [...new Set([1, options.connections])]) {
      const bare = find('bare', connections);
      const auth = find('auth', connections);
      const me = find('me', connections);
      const tenant = find('tenant', connections);
      const label = `${connections} connection${connections === 1 ? '' : 's'}`;
      lines.push(`${label}:`);
      lines.push(`  me p50 − bare p50 = ${ms(me.p50 - bare.p50)} ms (target < 1 ms)`);
      lines.push(
        `  auth p50 − bare p50 = ${ms(auth.p50 - bare.p50)} ms (API-key authentication + a ~1 KB zod-serialised body, no database)`,
      );
      lines.push(`  me p50 − auth p50 = ${ms(me.p50 - auth.p50)} ms (/me's database reads)`);
      lines.push(`  workspaces p50 − bare p50 = ${ms(tenant.p50 - bare.p50)} ms (authentication + one tenant transaction, target < 1 ms)`);
      lines.push(`  req/s me / bare = ${(me.rps / bare.rps).toFixed(2)}; auth / bare = ${(auth.rps / bare.rps).toFixed(2)}`);
    }

    console.log(`\n${environment}\n`);
    console.log(table(rows, queries));
    console.log(`\n${lines.join('\n')}\n`);
  } finally {
    await atrium?.close().catch((error) => console.error('closing the app failed:', error));
    await admin.sql.query(`drop database if exists ${name} with (force)`);
    await admin.close();
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(error);
  process.exit(1);
}
