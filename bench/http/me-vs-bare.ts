/**
 * bench/http: what authentication + a tenant transaction cost on the platform API.
 * API-key-authenticated `GET /api/v1/me` against a bare route on the same server, same run, on
 * PostgreSQL (and Redis when given). Prints a table; never part of `npm test`.
 *
 *   npm run bench:http
 *   BENCH_DATABASE_URL=postgres://… BENCH_REDIS_URL=redis://… BENCH_DURATION=10 BENCH_CONNECTIONS=10 npm run bench:http
 */
import { Agent, request as httpRequest } from 'node:http';
import { cpus } from 'node:os';
import autocannon from 'autocannon';
import { createAtrium } from '../../apps/server/src/app.ts';
import { parseConfig } from '../../apps/server/src/config.ts';
import { openDatabase } from '../../apps/server/src/kernel/db/database.ts';
import { withTenant } from '../../apps/server/src/kernel/db/tenant.ts';

const options = {
  databaseUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.BENCH_REDIS_URL,
  duration: Number(process.env.BENCH_DURATION ?? 10),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 10),
};

const admin = await openDatabase({ databaseUrl: options.databaseUrl, poolSize: 1 });
const name = `atrium_bench_${Date.now()}`;
await admin.sql.query(`create database ${name}`);
const url = new URL(options.databaseUrl);
url.pathname = `/${name}`;

const config = parseConfig({
  DATABASE_URL: url.toString(),
  REDIS_URL: options.redisUrl,
  DATABASE_POOL_SIZE: String(Math.max(10, options.connections)),
  ATRIUM_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
  ATRIUM_SCRYPT_COST: '1024',
  LOG_LEVEL: 'silent',
  HOST: '127.0.0.1',
  PORT: '0',
});
const atrium = await createAtrium(config, { serveConsole: false });
await atrium.start();
const base = `http://127.0.0.1:${(atrium.http.server.address() as { port: number }).port}`;

async function post(path: string, body: unknown, token?: string) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return (await response.json()) as any;
}
const account = await post('/api/v1/auth/signup', { email: 'bench@example.com', password: 'bench password 1', name: 'Bench', organization: 'Bench' });
const key = (await post('/api/v1/api-keys', { name: 'bench', workspace_id: account.workspace.id }, account.access_token)).key as string;

interface Row {
  target: string;
  connections: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
}

async function measure(target: string, path: string, connections: number, duration: number, token?: string): Promise<Row> {
  const run = (seconds: number) =>
    autocannon({ url: `${base}${path}`, connections, duration: seconds, workers: 1, headers: token ? { authorization: `Bearer ${token}` } : {} });
  await run(3); // warm-up: JIT, pools, caches
  const result = await run(duration);
  return {
    target,
    connections,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

/** Sequential requests on one keep-alive connection, timed with hrtime (µs precision). */
async function sequential(path: string, iterations: number, token?: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const started = process.hrtime.bigint();
      const request = httpRequest(`${base}${path}`, { agent, headers: token ? { authorization: `Bearer ${token}` } : {} }, (response) => {
        response.resume();
        response.on('end', () => (response.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - started) / 1e6) : reject(new Error(`${path}: ${response.statusCode}`))));
      });
      request.on('error', reject);
      request.end();
    });
  for (let index = 0; index < 300; index++) await once();
  const samples: number[] = [];
  for (let index = 0; index < iterations; index++) samples.push(await once());
  agent.destroy();
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

// A tenant transaction with a real query, in process (no HTTP), for reference.
async function tenantTransactionMicros(iterations = 2000): Promise<number> {
  const orgId = account.organization.id as string;
  const started = process.hrtime.bigint();
  for (let index = 0; index < iterations; index++) {
    await withTenant(atrium.kernel.database, orgId, (tx) => tx.execute('select 1' as never));
  }
  return Number(process.hrtime.bigint() - started) / 1000 / iterations;
}

const latency = {
  bare: await sequential('/healthz', 3000),
  auth: await sequential('/api/v1/permissions', 3000, key),
  tenant: await sequential('/api/v1/workspaces', 3000, key),
  me: await sequential('/api/v1/me', 3000, key),
};

const rows: Row[] = [];
rows.push(await measure('GET /healthz (bare)', '/healthz', options.connections, options.duration));
rows.push(await measure('GET /api/v1/me (API key)', '/api/v1/me', options.connections, options.duration, key));
const transaction = await tenantTransactionMicros();

console.log(`\nnode ${process.version} · ${cpus().length} cores · database ${atrium.kernel.database.kind} · cache ${atrium.kernel.cache.kind}\n`);
console.log('| target | conns | req/s | p50 ms | p90 ms | p99 ms | errors |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(`| ${row.target} | ${row.connections} | ${row.rps} | ${row.p50} | ${row.p90} | ${row.p99} | ${row.errors} |`);
const [bare, me] = rows;
console.log(`\n${options.connections} connections: req/s me/bare = ${(me.rps / bare.rps).toFixed(2)}; p50 ${me.p50} vs ${bare.p50} ms`);

console.log('\nOne connection, sequential, 3,000 requests each (ms):\n');
console.log('| route | what it adds | p50 | p90 | p99 | p50 − bare |');
console.log('|---|---|---:|---:|---:|---:|');
const describe = {
  bare: ['GET /healthz', 'nothing (baseline)'],
  auth: ['GET /api/v1/permissions', 'API-key authentication'],
  tenant: ['GET /api/v1/workspaces', 'authentication + one tenant transaction'],
  me: ['GET /api/v1/me', 'authentication + user and memberships reads'],
} as const;
for (const [name, value] of Object.entries(latency) as Array<[keyof typeof latency, { p50: number; p90: number; p99: number }]>) {
  const [route, adds] = describe[name];
  console.log(`| ${route} | ${adds} | ${value.p50.toFixed(3)} | ${value.p90.toFixed(3)} | ${value.p99.toFixed(3)} | ${(value.p50 - latency.bare.p50).toFixed(3)} |`);
}
console.log(`\nTarget: authentication + tenant transaction add < 1 ms at p50 → ${(latency.tenant.p50 - latency.bare.p50).toFixed(3)} ms`);
console.log(`tenant transaction (BEGIN, SET ROLE + app.org_id, SELECT 1, COMMIT) in process: ${transaction.toFixed(0)} µs mean\n`);

await atrium.close();
await admin.sql.query(`drop database ${name} with (force)`);
await admin.close();
