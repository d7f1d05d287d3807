/**
 * bench/gateway: what Atrium's AI gateway adds to an OpenAI-compatible call, next to calling the
 * upstream directly and next to the Portkey gateway (@portkey-ai/gateway). Never part of
 * `npm test`; see bench/README.md.
 *
 * Processes: this one (set-up, /proc readings, autocannon in a worker thread), a mock OpenAI
 * upstream (mock.mjs), Atrium (atrium.ts, on a fresh PostgreSQL database and Redis, with key
 * authentication, rate limits, a budget and metering on) and Portkey (its node build). Each
 * gateway's CPU time and peak RSS are read from /proc/<pid> around every measured run.
 *
 *   npm run bench:gateway
 *   BENCH_DURATION=5 BENCH_DATABASE_URL=postgres://… BENCH_REDIS_URL=redis://… npm run bench:gateway
 *   BENCH_CPU_PROF=/tmp/prof npm run bench:gateway   # Atrium under --cpu-prof; then
 *   node bench/gateway/profile.mjs /tmp/prof/*.cpuprofile
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import pg from 'pg';

function list<T extends string>(name: string, allowed: readonly T[]): T[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return [...allowed];
  const values = raw.split(',').map((value) => value.trim()) as T[];
  const unknown = values.filter((value) => !allowed.includes(value));
  if (unknown.length) throw new Error(`${name}: unknown ${unknown.join(', ')} (choose from ${allowed.join(', ')}).`);
  return values;
}

const SCENARIO_KEYS = ['latency', 'saturation', 'paced', 'stream'] as const;
const TARGET_KEYS = ['direct', 'atrium', 'portkey'] as const;

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
  redisUrl: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
  /** Seconds of every measured run. */
  duration: positiveInteger('BENCH_DURATION', 10),
  /** Requests per second of the paced (open-loop) run. */
  rate: positiveInteger('BENCH_RATE', 500),
  /** When set, Atrium runs under `--cpu-prof` and writes its profile into this directory. */
  cpuProfileDir: process.env.BENCH_CPU_PROF || undefined,
  /** Subsets to run (default all), e.g. to profile one scenario: BENCH_SCENARIOS=latency BENCH_TARGETS=atrium. */
  scenarios: list('BENCH_SCENARIOS', SCENARIO_KEYS),
  targets: list('BENCH_TARGETS', TARGET_KEYS),
  /** Seconds of warm-up before each measured run (JIT, pools, caches, upstream connections). */
  warmup: 3,
  /** Concurrent connections of the saturation and streaming runs, and of the paced run's pool. */
  saturation: 50,
  pacedConnections: 10,
};

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const portkeyEntry = `${repoRoot}node_modules/@portkey-ai/gateway/build/start-server.js`;
const portkeyVersion = (() => {
  try {
    return (JSON.parse(readFileSync(`${repoRoot}node_modules/@portkey-ai/gateway/package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
})();

// --- /proc ----------------------------------------------------------------------------------

const clockTicks = (() => {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(result.stdout?.trim());
  return Number.isInteger(value) && value > 0 ? value : 100;
})();

/** utime + stime of a process, in µs (the kernel counts clock ticks: 10 ms at 100 Hz). */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces and parentheses; the fields after the last ')' are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks;
}

/** VmHWM: the peak resident set since start or since the last resetPeak, in MB. */
function peakRssMb(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

let peakResettable = true;
/** Starts a new peak-RSS window (writing 5 to clear_refs); without permission the peak stays since start. */
function resetPeak(pid: number) {
  if (!peakResettable) return;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    peakResettable = false;
  }
}

// --- Child processes ------------------------------------------------------------------------

const children = new Set<ChildProcess>();

function track(child: ChildProcess, name: string): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.once('error', (error) => console.error(`${name}: ${error.message}`));
  return child;
}

/** Waits for the child's first IPC message, or fails when it exits or takes longer than `ms`. */
function firstMessage<T>(child: ChildProcess, name: string, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${name} did not start within ${ms / 1000} s`)), ms);
    const onMessage = (message: T) => done(undefined, message);
    const onExit = (code: number | null, signal: string | null) => done(new Error(`${name} exited early (${signal ?? code})`));
    function done(error: Error | undefined, message?: T) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message as T);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Asks a child to stop (IPC 'stop' or SIGTERM), then kills it after `ms`. */
async function stop(child: ChildProcess, how: 'ipc' | 'signal', ms: number) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (how === 'ipc' && child.connected) child.send('stop');
  else child.kill('SIGTERM');
  if (!(await exited(child, ms))) {
    child.kill('SIGKILL');
    await exited(child, 2_000);
  }
}

// Last resort (an exception path that skipped the finally, process.exit from a signal): no orphans.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

async function startMock(): Promise<{ child: ChildProcess; base: string }> {
  const child = track(spawn(process.execPath, [here('./mock.mjs')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }), 'mock');
  const { port } = await firstMessage<{ port: number }>(child, 'the mock upstream', 10_000);
  return { child, base: `http://127.0.0.1:${port}` };
}

async function startAtrium(databaseUrl: string): Promise<{ child: ChildProcess; base: string }> {
  const variables = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: options.redisUrl,
    // Errors only: a 500 during set-up or load explains itself on stderr.
    LOG_LEVEL: 'error',
    ATRIUM_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    HOST: '127.0.0.1',
    PORT: '0',
    ATRIUM_SCRYPT_COST: '1024',
    ATRIUM_ALLOW_PRIVATE_NETWORKS: 'true',
    // The management calls at the end (usage) must outlive a long BENCH_DURATION.
    ATRIUM_ACCESS_TOKEN_TTL: '86400',
  };
  const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = track(
    spawn(process.execPath, [...profile, '--import', 'tsx', here('./atrium.ts'), JSON.stringify(variables)], {
      cwd: repoRoot,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
    'atrium',
  );
  const { base } = await firstMessage<{ base: string }>(child, 'Atrium', 90_000);
  return { child, base };
}

/** TCP connections the mock has accepted so far. */
async function mockConnections(mock: ChildProcess): Promise<number> {
  const reply = firstMessage<{ connections: number }>(mock, 'the mock upstream (stats)', 5_000);
  mock.send('stats');
  return (await reply).connections;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startPortkey(): Promise<{ child: ChildProcess; base: string }> {
  if (!existsSync(portkeyEntry)) throw new Error(`Portkey's node build is missing: ${portkeyEntry} (npm install?)`);
  const port = await freePort();
  let output = '';
  const child = track(
    spawn(process.execPath, [here('./portkey.mjs'), portkeyEntry, '--headless', `--port=${port}`], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
    'portkey',
  );
  const keep = (data: Buffer) => {
    if (output.length < 8_000) output += data.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`Portkey exited early:\n${output}`);
    try {
      await fetch(`${base}/`, { signal: AbortSignal.timeout(1_000) });
      return { child, base };
    } catch {
      if (Date.now() > deadline) throw new Error(`Portkey did not listen within 30 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

// --- Load -----------------------------------------------------------------------------------

interface LoadRequest {
  mode: 'closed' | 'paced';
  url: string;
  connections: number;
  duration: number;
  rate?: number;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  header?: string;
}
interface LoadResult {
  rps: number;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  samples: Float64Array;
  headerSum: number;
  headerCount: number;
  firstError: string | null;
}

/** One load run in a worker thread; bounded even if the worker hangs. */
function load(request: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(here('./load.mjs'), { workerData: request });
    const timer = setTimeout(
      () => {
        void worker.terminate();
        reject(new Error(`load run against ${request.url} did not finish`));
      },
      (request.duration + 30) * 1000,
    );
    worker.once('message', (result: LoadResult) => {
      clearTimeout(timer);
      resolve(result);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`load worker exited with ${code}`));
    });
  });
}

// --- Scenarios ------------------------------------------------------------------------------

type TargetKey = (typeof TARGET_KEYS)[number];

interface Scenario {
  key: (typeof SCENARIO_KEYS)[number];
  title: string;
  mode: 'closed' | 'paced';
  connections: number;
  rate?: number;
  stream: boolean;
  targets: TargetKey[];
}

const allScenarios: Scenario[] = [
  {
    key: 'latency',
    title: 'non-streaming, 1 connection (latency)',
    mode: 'closed',
    connections: 1,
    stream: false,
    targets: ['direct', 'atrium', 'portkey'],
  },
  {
    key: 'saturation',
    title: `non-streaming, ${options.saturation} connections (saturation)`,
    mode: 'closed',
    connections: options.saturation,
    stream: false,
    targets: ['direct', 'atrium', 'portkey'],
  },
  {
    key: 'paced',
    title: `non-streaming, paced ${options.rate} req/s on up to ${options.pacedConnections} connections (p99 at a moderate rate)`,
    mode: 'paced',
    connections: options.pacedConnections,
    rate: options.rate,
    stream: false,
    targets: ['direct', 'atrium', 'portkey'],
  },
  {
    key: 'stream',
    title: `streaming (20 chunks + usage), ${options.saturation} connections (time to the last byte)`,
    mode: 'closed',
    connections: options.saturation,
    stream: true,
    // Portkey 1.15.2's streaming answers 500 on Node 20.
    targets: ['direct', 'atrium'],
  },
];

const scenarios = allScenarios
  .filter((scenario) => options.scenarios.includes(scenario.key))
  .map((scenario) => ({ ...scenario, targets: scenario.targets.filter((target) => options.targets.includes(target)) }))
  .filter((scenario) => scenario.targets.length > 0);

interface Endpoint {
  url: string;
  headers: Record<string, string>;
  model: string;
  /** The gateway process measured for this target (none for direct). */
  pid?: number;
}

function requestBody(model: string, stream: boolean): string {
  return JSON.stringify({
    model,
    messages: [
      { role: 'system', content: 'You are a terse assistant.' },
      { role: 'user', content: 'Summarise what an AI gateway does in one sentence.' },
    ],
    max_tokens: 64,
    temperature: 0,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

interface Row {
  scenario: Scenario;
  target: TargetKey;
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  errors: number;
  non2xx: number;
  gatewayCpuPerRequest: number;
  gatewayPeakMb: number;
  mockCpuPerRequest: number;
  /** TCP connections the mock accepted during the measured run (keep-alive: none after the warm-up). */
  upstreamConnections: number;
  overheadHeader: number;
  overheadSamples: number;
  firstError: string | null;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function mean(values: Float64Array): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

async function measure(scenario: Scenario, target: TargetKey, endpoint: Endpoint, mock: ChildProcess): Promise<Row> {
  const mockPid = mock.pid!;
  const request: LoadRequest = {
    mode: scenario.mode,
    url: endpoint.url,
    connections: scenario.connections,
    duration: options.duration,
    rate: scenario.rate,
    method: 'POST',
    headers: endpoint.headers,
    body: requestBody(endpoint.model, scenario.stream),
    header: target === 'atrium' ? 'x-atrium-overhead-ms' : undefined,
  };
  await load({ ...request, duration: options.warmup, header: undefined });
  const pid = endpoint.pid;
  if (pid) resetPeak(pid);
  const cpuBefore = pid ? cpuMicros(pid) : 0;
  const connectionsBefore = await mockConnections(mock);
  const mockBefore = cpuMicros(mockPid);
  const result = await load(request);
  const cpuAfter = pid ? cpuMicros(pid) : 0;
  const mockAfter = cpuMicros(mockPid);
  const connectionsAfter = await mockConnections(mock);
  const sorted = result.samples.sort();
  const requests = Math.max(1, result.requests);
  return {
    scenario,
    target,
    rps: result.rps,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    mean: mean(sorted),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    gatewayCpuPerRequest: pid ? (cpuAfter - cpuBefore) / requests : Number.NaN,
    gatewayPeakMb: pid ? peakRssMb(pid) : Number.NaN,
    mockCpuPerRequest: (mockAfter - mockBefore) / requests,
    upstreamConnections: connectionsAfter - connectionsBefore,
    overheadHeader: result.headerCount ? result.headerSum / result.headerCount : Number.NaN,
    overheadSamples: result.headerCount,
    firstError: result.firstError,
  };
}

// --- HTTP helpers ---------------------------------------------------------------------------

async function call(base: string, method: string, path: string, init: { token?: string; body?: unknown } = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, body };
}

async function expectStatus(promise: ReturnType<typeof call>, status: number, what: string) {
  const response = await promise;
  if (response.status !== status) throw new Error(`${what}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** One request as the load generator will send it; must answer 200 (and a stream must end in [DONE]). */
async function probe(name: string, endpoint: Endpoint, stream: boolean): Promise<Headers> {
  const response = await fetch(endpoint.url, {
    method: 'POST',
    headers: endpoint.headers,
    body: requestBody(endpoint.model, stream),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(`${name}${stream ? ' (stream)' : ''}: expected 200, got ${response.status} ${text.slice(0, 500)}`);
  if (stream && !text.trimEnd().endsWith('data: [DONE]')) throw new Error(`${name} (stream): no [DONE] at the end:\n${text.slice(-500)}`);
  if (!stream && !(JSON.parse(text) as { choices?: unknown[] }).choices?.length)
    throw new Error(`${name}: no choices in ${text.slice(0, 500)}`);
  return response.headers;
}

// --- Output ---------------------------------------------------------------------------------

const pad = (value: string, width: number, right = true) => (right ? value.padStart(width) : value.padEnd(width));
const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const signed = (value: number, digits: number) => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(digits)}` : '—');

function table(scenario: Scenario, rows: Row[]): string {
  const direct = rows.find((row) => row.target === 'direct');
  const columns: Array<[string, number, (row: Row) => string]> = [
    ['target', 8, (row) => row.target],
    ['req/s', 8, (row) => fixed(row.rps, 0)],
    ['p50 ms', 8, (row) => fixed(row.p50, 3)],
    ['p99 ms', 8, (row) => fixed(row.p99, 3)],
    ['mean ms', 8, (row) => fixed(row.mean, 3)],
    ['+mean ms', 9, (row) => (row.target === 'direct' || !direct ? '' : signed(row.mean - direct.mean, 3))],
    ['+p99 ms', 8, (row) => (row.target === 'direct' || !direct ? '' : signed(row.p99 - direct.p99, 3))],
    ['gw CPU µs/req', 13, (row) => fixed(row.gatewayCpuPerRequest, 0)],
    ['gw peak RSS MB', 14, (row) => fixed(row.gatewayPeakMb, 0)],
    ['mock CPU µs/req', 15, (row) => fixed(row.mockCpuPerRequest, 0)],
    ['new mock conns', 14, (row) => String(row.upstreamConnections)],
    ['overhead hdr ms', 15, (row) => (row.target === 'atrium' ? fixed(row.overheadHeader, 3) : '')],
    ['errors/non-2xx', 14, (row) => `${row.errors}/${row.non2xx}`],
  ];
  const header = columns.map(([name, width], index) => pad(name, width, index > 0)).join('  ');
  const lines = rows.map((row) => columns.map(([, width, value], index) => pad(value(row), width, index > 0)).join('  '));
  const notes = rows.filter((row) => row.firstError).map((row) => `  ${row.target}: first error ${row.firstError}`);
  return [scenario.title, header, '-'.repeat(header.length), ...lines, ...notes].join('\n');
}

// --- Main -----------------------------------------------------------------------------------

let cleanup: (() => Promise<void>) | undefined;

async function main() {
  const admin = new pg.Client({ connectionString: options.databaseUrl });
  await admin.connect();
  const name = `atrium_bench_${randomBytes(6).toString('hex')}`;
  const databaseUrl = new URL(options.databaseUrl);
  databaseUrl.pathname = `/${name}`;
  let created = false;
  let mock: { child: ChildProcess; base: string } | undefined;
  let atrium: { child: ChildProcess; base: string } | undefined;
  let portkey: { child: ChildProcess; base: string } | undefined;

  async function release() {
    await Promise.all([
      atrium ? stop(atrium.child, 'ipc', 15_000) : undefined,
      portkey ? stop(portkey.child, 'ipc', 3_000) : undefined,
      mock ? stop(mock.child, 'ipc', 3_000) : undefined,
    ]).catch((error) => console.error('stopping the processes failed:', error));
    if (created)
      await admin.query(`drop database if exists ${name} with (force)`).catch((error) => console.error(`could not drop ${name}:`, error));
    await admin.end().catch(() => undefined);
  }
  // Once only: the finally below and a signal handler may both ask.
  let released: Promise<void> | undefined;
  cleanup = () => {
    released ??= release();
    return released;
  };

  try {
    await admin.query(`create database ${name}`);
    created = true;
    const serverVersion = (await admin.query<{ server_version: string }>('show server_version')).rows[0]?.server_version ?? '?';

    mock = await startMock();
    const withPortkey = scenarios.some((scenario) => scenario.targets.includes('portkey'));
    [atrium, portkey] = await Promise.all([startAtrium(databaseUrl.toString()), withPortkey ? startPortkey() : undefined]);
    const atriumPid = atrium.child.pid!;

    // Tenant, key, provider connection, limits, budget and a price: the full per-request path.
    const account = await expectStatus(
      call(atrium.base, 'POST', '/api/v1/auth/signup', {
        body: { email: 'gateway-bench@example.com', password: 'bench password 1', name: 'Bench', organization: 'Bench' },
      }),
      201,
      'signup',
    );
    const token = account.access_token as string;
    const apiKey = await expectStatus(
      call(atrium.base, 'POST', '/api/v1/api-keys', { token, body: { name: 'gateway bench', workspace_id: account.workspace.id } }),
      201,
      'create API key',
    );
    await expectStatus(
      call(atrium.base, 'POST', '/api/v1/providers', {
        token,
        body: { name: 'mock', type: 'openai-compatible', base_url: `${mock.base}/v1`, api_key: 'sk-bench-upstream' },
      }),
      201,
      'connect the mock provider',
    );
    await expectStatus(
      call(atrium.base, 'PUT', `/api/v1/gateway/keys/${apiKey.id}/policy`, {
        token,
        body: { requests_per_minute: 10_000_000, tokens_per_minute: 1_000_000_000 },
      }),
      200,
      'key policy',
    );
    await expectStatus(
      call(atrium.base, 'PUT', '/api/v1/gateway/policy', { token, body: { budget_micros: 1e15, budget_period: 'month' } }),
      200,
      'organization policy',
    );
    await expectStatus(
      call(atrium.base, 'POST', '/api/v1/prices', {
        token,
        body: { provider: '*', model: 'bench-model', input_per_m: 150_000, output_per_m: 600_000 },
      }),
      201,
      'price',
    );

    const json = { 'content-type': 'application/json' };
    const endpoints: Record<TargetKey, Endpoint> = {
      direct: {
        url: `${mock.base}/v1/chat/completions`,
        headers: { ...json, authorization: 'Bearer sk-bench-upstream' },
        model: 'bench-model',
      },
      atrium: {
        url: `${atrium.base}/v1/chat/completions`,
        headers: { ...json, authorization: `Bearer ${apiKey.key}` },
        model: 'mock/bench-model',
        pid: atriumPid,
      },
      portkey: {
        url: `${portkey?.base}/v1/chat/completions`,
        headers: {
          ...json,
          authorization: 'Bearer sk-bench-upstream',
          'x-portkey-provider': 'openai',
          'x-portkey-custom-host': `${mock.base}/v1`,
        },
        model: 'bench-model',
        pid: portkey?.child.pid,
      },
    };

    await probe('direct', endpoints.direct, false);
    await probe('direct', endpoints.direct, true);
    const atriumHeaders = await probe('atrium', endpoints.atrium, false);
    if (atriumHeaders.get('x-ratelimit-limit-requests') !== '10000000')
      throw new Error(
        `Atrium did not apply the key's limits (x-ratelimit-limit-requests: ${atriumHeaders.get('x-ratelimit-limit-requests')})`,
      );
    await probe('atrium', endpoints.atrium, true);
    if (portkey) await probe('portkey', endpoints.portkey, false);

    const environment =
      `node ${process.version} · PostgreSQL ${serverVersion} · Redis ${new URL(options.redisUrl).host} · Portkey ${portkeyVersion}` +
      ` · ${availableParallelism()} cores shared by load generator, mock, gateways, PostgreSQL and Redis` +
      ` · load average ${loadavg()[0].toFixed(2)} at start`;
    console.log(environment);
    console.log(
      `Each run: ${options.warmup} s warm-up, then ${options.duration} s measured. Atrium: API-key auth, rpm/tpm limits, budget, price, metering on.` +
        (peakResettable ? '' : ' (peak RSS: since process start; clear_refs not writable)'),
    );

    const rows: Row[] = [];
    const tables: string[] = [];
    for (const scenario of scenarios) {
      const scenarioRows: Row[] = [];
      for (const target of scenario.targets) {
        console.log(`${scenario.title}: ${target}…`);
        const row = await measure(scenario, target, endpoints[target], mock.child);
        scenarioRows.push(row);
        rows.push(row);
      }
      const text = table(scenario, scenarioRows);
      tables.push(text);
      console.log(`\n${text}\n`);
    }

    // Metering really happened: every request Atrium answered is a row with a cost.
    const usage = await expectStatus(call(atrium.base, 'GET', '/api/v1/usage?group_by=model', { token }), 200, 'usage');
    const metered = (usage.data as Array<{ requests: number; cost_micros: number; errors: number }>).reduce(
      (sum, entry) => ({ requests: sum.requests + entry.requests, cost: sum.cost + entry.cost_micros, errors: sum.errors + entry.errors }),
      { requests: 0, cost: 0, errors: 0 },
    );

    const find = (key: Scenario['key'], target: TargetKey) => rows.find((row) => row.scenario.key === key && row.target === target);
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
    const saturatedAtrium = find('saturation', 'atrium');
    const saturatedPortkey = find('saturation', 'portkey');
    const latencyDirect = find('latency', 'direct');
    const latencyAtrium = find('latency', 'atrium');
    const pacedDirect = find('paced', 'direct');
    const pacedAtrium = find('paced', 'atrium');
    const streamDirect = find('stream', 'direct');
    const streamAtrium = find('stream', 'atrium');
    const summary: string[] = [];
    if (saturatedAtrium && saturatedPortkey) {
      const ratio = saturatedAtrium.rps / saturatedPortkey.rps;
      summary.push(
        `${verdict(ratio >= 5)}  Atrium req/s at ${options.saturation} connections ≥ 5 × Portkey's: ${fixed(saturatedAtrium.rps, 0)} / ${fixed(saturatedPortkey.rps, 0)} = ${fixed(ratio, 2)} ×`,
      );
    }
    if (latencyAtrium && latencyDirect) {
      const added = latencyAtrium.mean - latencyDirect.mean;
      summary.push(
        `${verdict(added < 0.4)}  added mean latency at 1 connection < 0.4 ms: ${fixed(latencyAtrium.mean, 3)} − ${fixed(latencyDirect.mean, 3)} = ${fixed(added, 3)} ms`,
      );
    }
    if (pacedAtrium && pacedDirect) {
      const added = pacedAtrium.p99 - pacedDirect.p99;
      summary.push(
        `${verdict(added < 1)}  added p99 at ${options.rate} req/s < 1 ms: ${fixed(pacedAtrium.p99, 3)} − ${fixed(pacedDirect.p99, 3)} = ${fixed(added, 3)} ms`,
      );
    }
    if (streamAtrium && streamDirect) {
      const ratio = streamAtrium.rps / streamDirect.rps;
      summary.push(
        `${verdict(ratio >= 0.55)}  streaming req/s ≥ 0.55 × direct: ${fixed(streamAtrium.rps, 0)} / ${fixed(streamDirect.rps, 0)} = ${fixed(ratio, 2)} ×`,
      );
    }
    const invalid = rows.filter((row) => row.errors || row.non2xx);
    if (invalid.length)
      summary.push(
        `WARN  rows with errors or non-2xx answers (not comparable): ${invalid.map((row) => `${row.scenario.key}/${row.target}`).join(', ')}`,
      );
    const headerRows = rows.filter((row) => row.target === 'atrium' && row.overheadSamples);
    const headerSamples = headerRows.reduce((sum, row) => sum + row.overheadSamples, 0);
    const headerMean = headerRows.reduce((sum, row) => sum + row.overheadHeader * row.overheadSamples, 0) / Math.max(1, headerSamples);
    summary.push(
      `x-atrium-overhead-ms: mean ${fixed(headerMean, 3)} ms over ${headerSamples} answers (` +
        headerRows.map((row) => `${row.scenario.key} ${fixed(row.overheadHeader, 3)}`).join(', ') +
        ')',
    );
    summary.push(
      `Atrium metered ${metered.requests} requests (${metered.errors} errors), cost ${metered.cost} micro-units (warm-ups and probes included)`,
    );

    console.log(`\n${environment}\n`);
    console.log(tables.join('\n\n'));
    console.log(`\n${summary.join('\n')}\n`);
  } finally {
    await cleanup();
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the processes and dropping the database…`);
    const exit = () => process.exit(130);
    // Bounded: the exit handler kills whatever is left.
    setTimeout(exit, 20_000).unref();
    void (cleanup?.() ?? Promise.resolve()).finally(exit);
  });
}

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(error);
  process.exit(1);
}
