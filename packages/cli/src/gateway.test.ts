import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@atrium/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../../apps/server/src/app.ts';
import { type MockUpstream, startMockUpstream } from '../../../apps/server/src/modules/gateway/testing/mock-upstream.ts';
import { createTestAtrium } from '../../../apps/server/src/testing/harness.ts';

const bin = fileURLToPath(new URL('../bin/atrium.mjs', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'atrium-cli-gateway-'));

let atrium: Atrium;
let mock: MockUpstream;
let baseUrl: string;
let apiKey: string;

/** Runs the real bin with an API key and nothing else from this process's environment. */
function atriumCli(args: string[], input = '') {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { HOME: home, ATRIUM_CONFIG_DIR: join(home, 'config'), ATRIUM_URL: baseUrl, ATRIUM_API_KEY: apiKey },
  });
  child.stdin.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject).on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the bin and parses its `--json` output, failing with its stderr when it did not succeed. */
async function json(args: string[], input?: string) {
  const result = await atriumCli([...args, '--json'], input);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

beforeAll(async () => {
  mock = await startMockUpstream();
  atrium = await createTestAtrium({ env: { ATRIUM_ALLOW_PRIVATE_NETWORKS: 'true' } });
  await atrium.http.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(atrium.http.server.address() as AddressInfo).port}`;
  const owner = createClient({ baseUrl });
  const session = await owner.auth.signup({
    email: 'cli-gateway@example.com',
    password: 'cli gateway 123',
    name: 'Ops',
    organization: 'Ops',
  });
  apiKey = (await owner.apiKeys.create({ name: 'cli', workspace_id: session.workspace.id })).key;
});
afterAll(async () => {
  await atrium?.close();
  await mock?.close();
});

describe('atrium providers and routes', () => {
  it('adds a provider with its key from stdin, never printing the key', async () => {
    const added = await atriumCli(
      ['providers', 'add', 'local', '--type', 'openai-compatible', '--base-url', `${mock.url}/v1`, '--key-stdin'],
      'sk-local-4321\n',
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^name\s+local$/m);
    expect(added.stdout).toMatch(/^key\s+…4321$/m);
    expect(added.stdout).not.toContain('sk-local');

    const table = await atriumCli(['providers', 'list']);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+TYPE\s+BASE URL\s+KEY\s+WORKSPACE\s+ENABLED\s+CREATED$/m);
    expect(table.stdout).toMatch(new RegExp(`^prov_\\S+\\s+local\\s+openai-compatible\\s+${mock.url}/v1\\s+…4321\\s+all\\s+yes`, 'm'));
    const list = await json(['providers', 'list']);
    expect(list.data).toEqual([expect.objectContaining({ name: 'local', has_api_key: true, api_key_hint: '4321' })]);
  });

  it('tests a provider by name, exiting 1 with the reason when it fails', async () => {
    const passed = await atriumCli(['providers', 'test', 'local']);
    expect(passed.code).toBe(0);
    expect(passed.stdout).toMatch(/^ok\s+yes$/m);
    expect(passed.stdout).toMatch(/^models\s+3: mock-small, mock-large, text-embedding-mock$/m);

    const dead = await json(['providers', 'add', 'dead', '--type', 'openai-compatible', '--base-url', 'http://127.0.0.1:9/v1']);
    const failed = await atriumCli(['providers', 'test', dead.id]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^ok\s+no$/m);
    expect(failed.stdout).toMatch(/^error\s+\S+/m);
    expect(failed.stderr).toBe('error: provider dead failed the test\n');

    expect(await atriumCli(['providers', 'remove', 'dead'])).toMatchObject({ code: 0, stdout: `removed provider dead (${dead.id})\n` });
    const missing = await atriumCli(['providers', 'remove', 'dead']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no provider 'dead'");
  });

  it('refuses bad provider input: usage errors exit 2, API errors 1', async () => {
    const badType = await atriumCli(['providers', 'add', 'x', '--type', 'cohere']);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toContain("argument 'cohere' is invalid");
    expect((await atriumCli(['providers', 'add', 'x'])).code).toBe(2);
    const noBase = await atriumCli(['providers', 'add', 'x', '--type', 'openai-compatible']);
    expect(noBase.code).toBe(1);
    expect(noBase.stderr).toMatch(/^error: .*base_url.* \(\w+, request req_\S+\)$/m);
  });

  it('adds routes from repeated --target flags and lists them in the same syntax', async () => {
    const route = await json([
      'routes',
      'add',
      'smart',
      '--strategy',
      'loadbalance',
      '--target',
      'local:mock-small:3',
      '--target',
      'local:mock-large',
      '--retries',
      '1',
      '--timeout-ms',
      '5000',
    ]);
    expect(route).toMatchObject({ model: 'smart', strategy: 'loadbalance', retries: 1, timeout_ms: 5000 });
    expect(route.targets.map(({ provider, model, weight }: Record<string, unknown>) => [provider, model, weight])).toEqual([
      ['local', 'mock-small', 3],
      ['local', 'mock-large', 1],
    ]);
    const fallback = await atriumCli(['routes', 'add', 'steady', '--target', 'local:mock-small']);
    expect(fallback.code).toBe(0);
    expect(fallback.stdout).toMatch(/^strategy\s+fallback$/m);
    expect(fallback.stdout).toMatch(/^targets\s+local:mock-small$/m);

    const table = await atriumCli(['routes', 'list']);
    expect(table.stdout).toMatch(/^ID\s+MODEL\s+STRATEGY\s+TARGETS\s+RETRIES\s+TIMEOUT\s+CREATED$/m);
    expect(table.stdout).toMatch(/^route_\S+\s+smart\s+loadbalance\s+local:mock-small:3, local:mock-large:1\s+1\s+5000 ms/m);
    expect(table.stdout).toMatch(/^route_\S+\s+steady\s+fallback\s+local:mock-small\s+0\s+-/m);
  });

  it('refuses bad route input', async () => {
    for (const args of [
      ['routes', 'add', 'x'],
      ['routes', 'add', 'x', '--target', 'no-model'],
      ['routes', 'add', 'x', '--target', 'local:m', '--retries', '9'],
      ['routes', 'add', 'x', '--target', 'local:m', '--strategy', 'random'],
    ]) {
      expect((await atriumCli(args)).code, args.join(' ')).toBe(2);
    }
    const unknown = await atriumCli(['routes', 'add', 'x', '--target', 'nowhere:m']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown_provider');
    const inUse = await atriumCli(['providers', 'remove', 'local']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain('in_use');
  });
});

describe('atrium chat', () => {
  it('streams the reply to stdout, ending the line', async () => {
    const result = await atriumCli(['chat', 'local/mock-small', 'hi there']);
    expect(result).toEqual({ code: 0, stdout: 'Hello from mock-small. You said: hi there\n', stderr: '' });
  });

  it('reads the message from stdin and goes through a route, with a system message and limits', async () => {
    const result = await atriumCli(
      ['chat', 'steady', '--system', 'be brief', '--max-tokens', '50', '--temperature', '0.2'],
      'from  stdin\n',
    );
    expect(result).toMatchObject({ code: 0, stdout: 'Hello from mock-small. You said: from  stdin\n' });
    const sent = mock.calls.at(-1)?.body;
    expect(sent).toMatchObject({
      model: 'mock-small',
      stream: true,
      max_tokens: 50,
      temperature: 0.2,
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'from  stdin' },
      ],
    });
  });

  it('prints the completion object with --json', async () => {
    const completion = await json(['chat', 'local/mock-large', 'as json']);
    expect(completion).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { content: 'Hello from mock-large. You said: as json' } }],
    });
  });

  it('fails with the API’s error, and on bad usage', async () => {
    const missing = await atriumCli(['chat', 'nowhere/x', 'hello']);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/^error: .+ \(model_not_found, request req_\S+\)$/m);
    const refused = await atriumCli(['chat', 'local/mock-fail-400', 'hello']);
    expect(refused.code).toBe(1);
    expect((await atriumCli(['chat', 'local/mock-small'], '  \n')).code).toBe(2);
    expect((await atriumCli(['chat', 'local/mock-small', 'x', '--temperature', 'hot'])).code).toBe(2);
  });
});

describe('atrium usage and logs', () => {
  it('shows usage as a table with a total, as JSON and as CSV', async () => {
    const table = await atriumCli(['usage', '--gateway', '--group-by', 'model']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^MODEL\s+REQUESTS\s+ERRORS\s+CACHE HITS\s+INPUT TOKENS\s+OUTPUT TOKENS\s+COST\s+AVG LATENCY$/m);
    expect(table.stdout).toMatch(/^mock-small\s+2\s+0\s+0\s+\d+\s+\d+\s+0\.000000\s+\d+ ms$/m);
    expect(table.stdout).toMatch(/^total\s+4\s+1\s+0\s/m);

    const report = await json(['usage', '--gateway', '--group-by', 'model']);
    expect(report.group_by).toBe('model');
    expect(report.data.find((row: { model: string }) => row.model === 'mock-large')).toMatchObject({ requests: 1, errors: 0 });

    const csv = await atriumCli(['usage', '--gateway', '--group-by', 'provider', '--csv']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n')[0]).toBe(
      'provider,requests,errors,cache_hits,input_tokens,output_tokens,cached_tokens,cost_micros,cost,avg_latency_ms',
    );
    expect(csv.stdout).toMatch(/^openai-compatible,4,1,/m);

    const byDay = await atriumCli(['usage', '--gateway']);
    expect(byDay.stdout).toMatch(/^DAY\s+REQUESTS\s/);
    expect(byDay.stdout).toMatch(/^\d{4}-\d\d-\d\d\s+4\s+1\s/m);
  });

  it('filters usage by time and rejects bad flags', async () => {
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect(await atriumCli(['usage', '--gateway', '--from', tomorrow])).toMatchObject({ code: 0, stdout: 'no usage in this period\n' });
    expect((await json(['usage', '--gateway', '--to', '2000-01-01'])).data).toEqual([]);
    expect((await atriumCli(['usage', '--from', 'last week'])).code).toBe(2);
    expect((await atriumCli(['usage', '--group-by', 'color'])).code).toBe(2);
    expect((await atriumCli(['usage', '--gateway', '--csv', '--json'])).code).toBe(2);
    expect((await atriumCli(['usage', '--gateway', '--group-by', 'metric'])).code).toBe(2);
    expect((await atriumCli(['usage', '--csv'])).code).toBe(2);
  });

  it('lists the latest requests, filtered by model or to errors', async () => {
    const table = await atriumCli(['logs', '--limit', '2']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+ID\s+STATUS\s+MODEL\s+UPSTREAM\s+TOKENS\s+COST\s+LATENCY\s+ERROR$/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+gwr_\S+\s+400\s+local\/mock-fail-400\s+\S+\s+\d+\/\d+~?\s+[\d.]+\s+\d+ ms\s+\S+$/,
    );

    const all = await json(['logs', '--limit', '1000']);
    expect(all.data).toHaveLength(4);
    const steady = await json(['logs', '--model', 'steady']);
    expect(steady.data.map((entry: { requested_model: string }) => entry.requested_model)).toEqual(['steady']);
    const errors = await json(['logs', '--errors']);
    expect(errors.data.map((entry: { status: number }) => entry.status)).toEqual([400]);
    expect((await atriumCli(['logs', '--limit', '0'])).code).toBe(2);
  });

  it('removes routes by alias', async () => {
    const removed = await atriumCli(['routes', 'remove', 'steady']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/^removed route steady \(route_\S+\)\n$/);
    await atriumCli(['routes', 'remove', 'smart']);
    expect((await atriumCli(['routes', 'list'])).stdout).toBe('no routes\n');
    expect((await atriumCli(['routes', 'remove', 'smart'])).code).toBe(1);
  });
});
