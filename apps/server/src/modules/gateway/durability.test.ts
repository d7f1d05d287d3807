import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestTargets } from '../../config.ts';
import { eventually } from '../../testing/client.ts';
import { createTestDatabaseUrl, TEST_MASTER_KEY } from '../../testing/harness.ts';
import { type MockUpstream, startMockUpstream } from './testing/mock-upstream.ts';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../../bin/atrium-server.mjs');
const children: ChildProcess[] = [];
let mock: MockUpstream;

beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await mock?.close();
});

/** The server as its own process, on this run's database (PostgreSQL + Redis in CI, PGlite otherwise). */
async function serverEnvironment(): Promise<Record<string, string>> {
  const databaseUrl = await createTestDatabaseUrl();
  const { redisUrl } = loadTestTargets();
  const shared: Record<string, string> = databaseUrl
    ? { DATABASE_URL: databaseUrl, ...(redisUrl ? { REDIS_URL: redisUrl } : {}) }
    : { ATRIUM_DATA_DIR: mkdtempSync(join(tmpdir(), 'atrium-gateway-')) };
  return { ...shared, ATRIUM_MASTER_KEY: TEST_MASTER_KEY, ATRIUM_SCRYPT_COST: '1024', ATRIUM_ALLOW_PRIVATE_NETWORKS: 'true' };
}

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    child,
    exited,
    output: () => output,
    async url(timeoutMs = 90_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = output.split('\n').find((text) => text.includes('"msg":"Atrium is running"'));
        const port = line && /"port":(\d+)/.exec(line)?.[1];
        if (port) return `http://127.0.0.1:${port}`;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

async function call(
  url: string,
  path: string,
  init: { token?: string; body?: unknown; method?: string; headers?: Record<string, string> } = {},
) {
  const response = await fetch(url + path, {
    method: init.method ?? (init.body ? 'POST' : 'GET'),
    headers: {
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Signs up, makes an API key and connects the mock upstream as provider `mock`. */
async function prepare(url: string) {
  const signup = await call(url, '/api/v1/auth/signup', {
    body: { email: `load-${Date.now()}@example.com`, password: 'correct horse battery', name: 'Load', organization: 'Load' },
  });
  expect(signup.status).toBe(201);
  const token = signup.body.access_token as string;
  const key = await call(url, '/api/v1/api-keys', { token, body: { name: 'load', workspace_id: signup.body.workspace.id } });
  const provider = await call(url, '/api/v1/providers', {
    token,
    body: { name: 'mock', type: 'openai-compatible', base_url: `${mock.url}/v1` },
  });
  expect(provider.status).toBe(201);
  return { token, key: key.body.key as string, keyId: key.body.id as string };
}

describe('gateway durability and scale-out', () => {
  it('loses no usage when the server is killed under load: every completed response has its usage event', async () => {
    const env = { ...(await serverEnvironment()), ATRIUM_PROCESSES: '1' };
    const server = start(env);
    const url = await server.url();
    const { token, key } = await prepare(url);

    const completed: string[] = [];
    let sent = 0;
    let killed = false;
    const worker = async (lane: number) => {
      for (let index = 0; !killed && index < 400; index++) {
        const requestId = `load-${lane}-${index}`;
        const stream = index % 2 === 1;
        sent++;
        try {
          const response = await fetch(`${url}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': requestId },
            body: JSON.stringify({
              model: stream ? 'mock/mock-drip-2' : 'mock/mock-small',
              stream,
              messages: [{ role: 'user', content: `request ${index}` }],
            }),
          });
          const text = await response.text();
          const complete = response.status === 200 && (stream ? text.endsWith('data: [DONE]\n\n') : JSON.parse(text).choices?.length === 1);
          if (complete) completed.push(requestId);
        } catch {
          // The server died mid-request: this one never completed.
        }
      }
    };
    const lanes = Promise.all(Array.from({ length: 8 }, (_, lane) => worker(lane)));
    const deadline = Date.now() + 15_000;
    while (completed.length < 60 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    server.child.kill('SIGKILL');
    killed = true;
    await server.exited;
    await lanes;
    expect(completed.length).toBeGreaterThanOrEqual(20);
    expect(sent).toBeGreaterThan(completed.length);

    // A new process on the same database: every completed request is in the usage log.
    const restarted = start(env);
    const restartedUrl = await restarted.url();
    const recorded = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { data: Array<{ request_id: string; input_tokens: number }>; next_cursor: string | null } } =
        await call(restartedUrl, `/api/v1/request-logs?limit=100${cursor ? `&cursor=${cursor}` : ''}`, { token });
      expect(page.status).toBe(200);
      for (const entry of page.body.data) if (entry.input_tokens > 0) recorded.add(entry.request_id);
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(completed.filter((id) => !recorded.has(id))).toEqual([]);
    restarted.child.kill('SIGTERM');
    await restarted.exited;
  }, 180_000);

  it('runs ATRIUM_PROCESSES server processes on one port with limits that hold across them (one process on the embedded database)', async () => {
    const env: Record<string, string> = { ...(await serverEnvironment()), ATRIUM_PROCESSES: '2' };
    const shared = env.DATABASE_URL !== undefined && env.REDIS_URL !== undefined;
    const server = start(env);
    const url = await server.url();
    const readyPids = () =>
      new Set([...server.output().matchAll(/"pid":(\d+)[^\n]*"msg":"server process ready"/g)].map((match) => match[1]));
    if (shared) await eventually(async () => readyPids().size === 2, 60_000);
    const { token, key, keyId } = await prepare(url);
    const limit = await call(url, `/api/v1/gateway/keys/${keyId}/policy`, { method: 'PUT', token, body: { requests_per_minute: 15 } });
    expect(limit.status).toBe(200);
    // Let the other process see the new policy (published through Redis), and keep the burst
    // inside one wall-clock minute (limits count per minute).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 55_000) await new Promise((resolve) => setTimeout(resolve, 60_050 - intoMinute));
    const statuses = await Promise.all(
      Array.from({ length: 45 }, async () => {
        const response = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', connection: 'close' },
          body: JSON.stringify({ model: 'mock/mock-small', messages: [{ role: 'user', content: 'x' }] }),
        });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(15);
    expect(statuses.filter((status) => status === 429)).toHaveLength(30);
    if (shared) expect(readyPids().size).toBe(2);
    else expect(server.output()).toContain('ATRIUM_PROCESSES needs DATABASE_URL and REDIS_URL');
    const stopping = Date.now();
    server.child.kill('SIGTERM');
    await server.exited;
    expect(Date.now() - stopping).toBeLessThan(15_000);
  }, 180_000);
});
