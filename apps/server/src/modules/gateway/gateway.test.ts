import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Atrium } from '../../app.ts';
import { eventually, testClient } from '../../testing/client.ts';
import { createTestAtrium } from '../../testing/harness.ts';
import { type MockUpstream, startMockUpstream } from './testing/mock-upstream.ts';
import '../gateway/testing/mock-anthropic.ts';
import '../gateway/testing/mock-gemini.ts';

let atrium: Atrium;
let client: ReturnType<typeof testClient>;
let mock: MockUpstream;
let baseURL: string;

interface Tenant {
  token: string;
  workspaceId: string;
  orgId: string;
  key: string;
  keyId: string;
  openai: OpenAI;
}

async function tenant(): Promise<Tenant> {
  const owner = await client.signup();
  const key = await client.createKey(owner.token, owner.workspace.id);
  return {
    token: owner.token,
    workspaceId: owner.workspace.id,
    orgId: owner.organization.id,
    key: key.key,
    keyId: key.id,
    openai: new OpenAI({ apiKey: key.key, baseURL, maxRetries: 0 }),
  };
}

async function connect(owner: Tenant, body: Record<string, unknown>) {
  const response = await client.request('POST', '/api/v1/providers', { token: owner.token, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; name: string };
}

async function route(owner: Tenant, body: Record<string, unknown>) {
  const response = await client.request('POST', '/api/v1/routes', { token: owner.token, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string };
}

async function policy(owner: Tenant, path: string, body: Record<string, unknown>) {
  const response = await client.request('PUT', path, { token: owner.token, body });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}

async function logs(owner: Tenant) {
  const response = await client.request('GET', '/api/v1/request-logs?limit=100', { token: owner.token });
  expect(response.status).toBe(200);
  return response.body.data as Array<Record<string, any>>;
}

/** Limits count per wall-clock minute: start a burst well inside one. */
async function awayFromMinuteEdge() {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 55_000) await new Promise((resolve) => setTimeout(resolve, 60_050 - intoMinute));
}

beforeAll(async () => {
  mock = await startMockUpstream();
  atrium = await createTestAtrium({ env: { ATRIUM_ALLOW_PRIVATE_NETWORKS: 'true' } });
  client = testClient(atrium);
  const address = await atrium.http.listen({ host: '127.0.0.1', port: 0 });
  baseURL = `${address}/v1`;
});
afterAll(async () => {
  await atrium?.close();
  await mock?.close();
});
beforeEach(() => mock.reset());

describe('gateway: OpenAI-compatible endpoints through the official SDK', () => {
  let owner: Tenant;
  beforeAll(async () => {
    owner = await tenant();
    await connect(owner, { name: 'local', type: 'openai-compatible', base_url: `${mock.url}/v1`, api_key: 'sk-upstream-secret' });
    const price = await client.request('POST', '/api/v1/prices', {
      token: owner.token,
      body: { provider: '*', model: 'mock-small', input_per_m: 2_000_000, output_per_m: 4_000_000 },
    });
    expect(price.status).toBe(201);
  });

  it('answers a chat completion, says who answered and what Atrium added, and meters it with its cost', async () => {
    const { data, response } = await owner.openai.chat.completions
      .create({ model: 'local/mock-small', messages: [{ role: 'user', content: 'hi there' }] })
      .withResponse();
    expect(data.choices[0].message.content).toBe('Hello from mock-small. You said: hi there');
    expect(response.headers.get('x-atrium-provider')).toBe('local');
    expect(response.headers.get('x-atrium-model')).toBe('mock-small');
    expect(Number(response.headers.get('x-atrium-overhead-ms'))).toBeGreaterThanOrEqual(0);
    // The upstream got the connection's key, never the client's.
    expect(mock.calls[0].headers.authorization).toBe('Bearer sk-upstream-secret');

    const usage = await client.request('GET', '/api/v1/gateway/usage?group_by=model', { token: owner.token });
    const row = usage.body.data.find((entry: { model: string }) => entry.model === 'mock-small');
    // 2 prompt words, 7 completion words at 2 and 4 USD per 1M → 4 + 28 micro-units.
    expect(row).toMatchObject({ requests: 1, input_tokens: 2, output_tokens: 7, cost_micros: 32 });
  });

  it('passes every OpenAI option and unknown fields upstream untouched', async () => {
    const body = {
      model: 'local/mock-small',
      messages: [
        { role: 'system' as const, content: 'be brief' },
        {
          role: 'user' as const,
          content: [
            { type: 'text' as const, text: 'look' },
            { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,AAAA' } },
          ],
        },
      ],
      n: 2,
      stop: ['END'],
      seed: 7,
      logprobs: true,
      top_logprobs: 2,
      response_format: { type: 'json_object' as const },
      vendor_extension: { keep: 'me' },
    };
    const completion = await owner.openai.chat.completions.create(body as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(completion.choices).toHaveLength(2);
    expect(completion.choices[0].message.content).toBe('{"ok": true}');
    expect(completion.choices[0].logprobs?.content?.length).toBeGreaterThan(0);
    expect(completion.system_fingerprint).toBe('fp_seed7');
    const sent = mock.calls[0].body as Record<string, unknown>;
    expect(sent).toMatchObject({ ...body, model: 'mock-small' });
  });

  it('calls Azure OpenAI deployments with its URL scheme, api-version and api-key header', async () => {
    await connect(owner, {
      name: 'azure',
      type: 'azure-openai',
      base_url: mock.url,
      api_key: 'az-key',
      settings: { api_version: '2024-06-01' },
    });
    const completion = await owner.openai.chat.completions.create({
      model: 'azure/my-deployment',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0].message.content).toContain('You said: hi');
    expect(mock.calls[0].path).toBe('/openai/deployments/my-deployment/chat/completions?api-version=2024-06-01');
    expect(mock.calls[0].headers['api-key']).toBe('az-key');
    expect(mock.calls[0].headers.authorization).toBeUndefined();
  });

  it('returns parallel tool calls', async () => {
    const tools = ['weather', 'time'].map((name) => ({
      type: 'function' as const,
      function: { name, parameters: { type: 'object', properties: {} } },
    }));
    const completion = await owner.openai.chat.completions.create({
      model: 'local/mock-small',
      messages: [{ role: 'user', content: 'both' }],
      tools,
      tool_choice: 'auto',
    });
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(completion.choices[0].message.tool_calls?.map((call) => (call as { function: { name: string } }).function.name)).toEqual([
      'weather',
      'time',
    ]);
  });

  it('streams chunks and strips the usage block unless the client asked for it, metering both', async () => {
    const stream = await owner.openai.chat.completions.create({
      model: 'local/mock-small',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
    });
    let text = '';
    let sawUsage = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) sawUsage = true;
    }
    expect(text).toBe('Hello from mock-small. You said: stream please');
    expect(sawUsage).toBe(false);
    // Atrium asked upstream for usage anyway.
    expect((mock.calls[0].body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });

    const withUsage = await owner.openai.chat.completions.create({
      model: 'local/mock-small',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of withUsage) usage ??= chunk.usage;
    expect(usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 7 });

    const streamed = (await logs(owner)).filter((entry) => entry.stream);
    expect(streamed.slice(0, 2).map((entry) => [entry.input_tokens, entry.output_tokens, entry.estimated])).toEqual([
      [2, 7, false],
      [2, 7, false],
    ]);
    expect(streamed[0].cost_micros).toBe(2 * 2 + 7 * 4);
  });

  it('counts a stream without upstream usage with the tokenizer, never as zero', async () => {
    const stream = await owner.openai.chat.completions.create({
      model: 'local/mock-nousage',
      messages: [{ role: 'user', content: 'count me' }],
      stream: true,
    });
    for await (const _chunk of stream) {
      // drain
    }
    const [entry] = (await logs(owner)).filter((log) => log.model === 'mock-nousage');
    expect(entry).toMatchObject({ estimated: true, status: 200 });
    expect(entry.input_tokens).toBeGreaterThan(0);
    expect(entry.output_tokens).toBeGreaterThan(5);
  });

  it('embeds and lists the models this key may use', async () => {
    const embedding = await owner.openai.embeddings.create({ model: 'local/text-embedding-mock', input: ['one two', 'three'] });
    expect(embedding.data).toHaveLength(2);
    expect(embedding.usage.prompt_tokens).toBe(3);
    const models = await owner.openai.models.list();
    expect(models.data.map((model) => model.id)).toEqual(expect.arrayContaining(['local/mock-small', 'local/mock-large']));
  });

  it('answers OpenAI-shaped errors: unknown model 404, bad input 400 naming the field, upstream 400 passed on', async () => {
    await expect(
      owner.openai.chat.completions.create({ model: 'nowhere/x', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
    const bad = await client.request('POST', '/v1/chat/completions', {
      token: owner.key,
      body: { model: 'local/mock-small', messages: [{ content: 'no role' }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ type: 'invalid_request_error', param: 'messages[0].role' });
    const missing = await client.request('POST', '/v1/chat/completions', { token: owner.key, body: { messages: [] } });
    expect(missing.body.error.param).toBe('model');
    await expect(
      owner.openai.chat.completions.create({ model: 'local/mock-fail-400', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({
      status: 400,
    });
    const unauthenticated = new OpenAI({ apiKey: 'atr_live_nope', baseURL, maxRetries: 0 });
    await expect(unauthenticated.models.list()).rejects.toMatchObject({ status: 401 });
  });

  it('aborts the upstream call when the client goes away mid-stream, and still meters what was generated', async () => {
    const controller = new AbortController();
    const stream = await owner.openai.chat.completions.create(
      { model: 'local/mock-drip-200', messages: [{ role: 'user', content: 'a long story about many things that go on' }], stream: true },
      { signal: controller.signal },
    );
    let chunks = 0;
    try {
      for await (const _chunk of stream) {
        if (++chunks === 3) controller.abort();
      }
    } catch {
      // The SDK may end the iteration or throw on abort; either is fine.
    }
    await eventually(async () => mock.aborted > 0);
    const entry = await eventually(async () => (await logs(owner)).find((log) => log.model === 'mock-drip-200'));
    expect(entry).toMatchObject({ status: 499, error_code: 'client_closed_request', estimated: true });
    expect(entry.output_tokens).toBeGreaterThan(0);
    expect(entry.output_tokens).toBeLessThan(12);
  });
});

describe('gateway: routing', () => {
  let owner: Tenant;
  beforeAll(async () => {
    owner = await tenant();
    await connect(owner, { name: 'a', type: 'openai-compatible', base_url: `${mock.url}/v1` });
    await connect(owner, { name: 'b', type: 'openai-compatible', base_url: `${mock.url}/v1` });
  });

  it('falls back to the next target on 5xx and says which one answered', async () => {
    await route(owner, {
      model: 'smart',
      strategy: 'fallback',
      targets: [
        { provider: 'a', model: 'mock-fail-503' },
        { provider: 'b', model: 'mock-good' },
      ],
    });
    const { data, response } = await owner.openai.chat.completions
      .create({ model: 'smart', messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    expect(data.choices[0].message.content).toContain('mock-good');
    expect(response.headers.get('x-atrium-provider')).toBe('b');
    expect(response.headers.get('x-atrium-attempts')).toBe('2');
  });

  it('retries a target with backoff before moving on', async () => {
    mock.script('mock-flaky', [{ status: 500 }, { status: 429 }]);
    await route(owner, { model: 'retrying', strategy: 'fallback', retries: 2, targets: [{ provider: 'a', model: 'mock-flaky' }] });
    const { response } = await owner.openai.chat.completions
      .create({ model: 'retrying', messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    expect(response.headers.get('x-atrium-attempts')).toBe('3');
    expect(mock.calls).toHaveLength(3);
  });

  it('falls back when a target is slower than the timeout', async () => {
    await route(owner, {
      model: 'patient',
      strategy: 'fallback',
      timeout_ms: 200,
      targets: [
        { provider: 'a', model: 'mock-slow-3000' },
        { provider: 'b', model: 'mock-fast' },
      ],
    });
    const started = Date.now();
    const { response } = await owner.openai.chat.completions
      .create({ model: 'patient', messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    expect(response.headers.get('x-atrium-model')).toBe('mock-fast');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('does not fall back on the client’s own error (400)', async () => {
    await route(owner, {
      model: 'strict',
      strategy: 'fallback',
      targets: [
        { provider: 'a', model: 'mock-fail-400' },
        { provider: 'b', model: 'mock-fast' },
      ],
    });
    await expect(
      owner.openai.chat.completions.create({ model: 'strict', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 400 });
    expect(mock.calls).toHaveLength(1);
  });

  it('opens the breaker after repeated failures and stops calling the failing target', async () => {
    await route(owner, {
      model: 'guarded',
      strategy: 'fallback',
      targets: [
        { provider: 'a', model: 'mock-down-fail-502' },
        { provider: 'b', model: 'mock-backup' },
      ],
    });
    for (let index = 0; index < 5; index++)
      await owner.openai.chat.completions.create({ model: 'guarded', messages: [{ role: 'user', content: 'x' }] });
    mock.reset();
    const { response } = await owner.openai.chat.completions
      .create({ model: 'guarded', messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    expect(response.headers.get('x-atrium-model')).toBe('mock-backup');
    expect(mock.calls.map((call) => (call.body as { model: string }).model)).toEqual(['mock-backup']);
  });

  it('logs a call that failed on every target with the target tried last', async () => {
    await route(owner, { model: 'doomed', strategy: 'fallback', targets: [{ provider: 'a', model: 'mock-broken-fail-500' }] });
    await expect(
      owner.openai.chat.completions.create({ model: 'doomed', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 502 });
    const entry = (await logs(owner)).find((log) => log.requested_model === 'doomed');
    expect(entry).toMatchObject({
      status: 502,
      provider: 'openai-compatible',
      model: 'mock-broken-fail-500',
      attempts: 1,
      error_code: 'upstream_error',
    });
  });

  it('moves on from a target that cannot serve the endpoint (embeddings on Anthropic)', async () => {
    await connect(owner, { name: 'claude-only', type: 'anthropic', base_url: `${mock.url}/v1`, api_key: 'k' });
    await route(owner, {
      model: 'embedder',
      strategy: 'fallback',
      targets: [
        { provider: 'claude-only', model: 'claude-x' },
        { provider: 'a', model: 'text-embedding-mock' },
      ],
    });
    const { response } = await owner.openai.embeddings.create({ model: 'embedder', input: 'hello' }).withResponse();
    expect(response.headers.get('x-atrium-provider')).toBe('a');
  });

  it('spreads load by weight', async () => {
    // 80 calls at once: beyond the Spark trial's 60 requests per minute, so on a plan without limits.
    expect((await client.request('POST', '/api/v1/subscription/change', { token: owner.token, body: { plan: 'enterprise' } })).status).toBe(
      200,
    );
    await route(owner, {
      model: 'spread',
      strategy: 'loadbalance',
      targets: [
        { provider: 'a', model: 'mock-heavy', weight: 3 },
        { provider: 'b', model: 'mock-light', weight: 1 },
      ],
    });
    await Promise.all(
      Array.from({ length: 80 }, () =>
        owner.openai.chat.completions.create({ model: 'spread', messages: [{ role: 'user', content: 'x' }] }),
      ),
    );
    const heavy = mock.calls.filter((call) => (call.body as { model: string }).model === 'mock-heavy').length;
    expect(heavy).toBeGreaterThan(45);
    expect(heavy).toBeLessThan(75);
  });
});

describe('gateway: limits, budgets and cache', () => {
  it('refuses calls past the key’s requests per minute with 429, Retry-After and x-ratelimit headers', async () => {
    const owner = await tenant();
    await connect(owner, { name: 'p', type: 'openai-compatible', base_url: `${mock.url}/v1` });
    await policy(owner, `/api/v1/gateway/keys/${owner.keyId}/policy`, { requests_per_minute: 3 });
    await awayFromMinuteEdge();
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () =>
        owner.openai.chat.completions.create({ model: 'p/mock-small', messages: [{ role: 'user', content: 'x' }] }).withResponse(),
      ),
    );
    const passed = results.filter((result) => result.status === 'fulfilled');
    expect(passed).toHaveLength(3);
    const refused = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(OpenAI.RateLimitError);
    expect(Number(refused.reason.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.reason.headers.get('x-ratelimit-limit-requests')).toBe('3');
    const ok = (passed[0] as PromiseFulfilledResult<{ response: Response }>).value.response;
    expect(ok.headers.get('x-ratelimit-limit-requests')).toBe('3');
    // Refused calls are in the request log too, costing nothing.
    const refusedLogs = (await logs(owner)).filter((entry) => entry.status === 429);
    expect(refusedLogs.map((entry) => [entry.error_code, entry.cost_micros])).toEqual(Array(3).fill(['rate_limit_exceeded', 0]));
  });

  it('holds tokens per minute (estimate first, real count after) and requests per day', async () => {
    const owner = await tenant();
    await connect(owner, { name: 'p', type: 'openai-compatible', base_url: `${mock.url}/v1` });
    // Each call: 2 prompt + 7 completion tokens.
    await policy(owner, `/api/v1/gateway/keys/${owner.keyId}/policy`, { tokens_per_minute: 20, requests_per_day: 100 });
    const call = () =>
      owner.openai.chat.completions.create({ model: 'p/mock-small', messages: [{ role: 'user', content: 'hi there' }] }).withResponse();
    await awayFromMinuteEdge();
    const first = await call();
    expect(first.response.headers.get('x-ratelimit-limit-tokens')).toBe('20');
    await new Promise((resolve) => setTimeout(resolve, 50)); // settlements are batched
    // 9 tokens used; the next call reserves its estimate (6): 15 of 20.
    const second = await call();
    expect(second.response.headers.get('x-ratelimit-remaining-tokens')).toBe('5');
    await new Promise((resolve) => setTimeout(resolve, 50));
    // 18 used: another estimate of 6 would pass the limit.
    await expect(call()).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });

    const daily = await tenant();
    await connect(daily, { name: 'p', type: 'openai-compatible', base_url: `${mock.url}/v1` });
    await policy(daily, '/api/v1/gateway/policy', { requests_per_day: 2 });
    await daily.openai.chat.completions.create({ model: 'p/mock-small', messages: [{ role: 'user', content: 'x' }] });
    await daily.openai.chat.completions.create({ model: 'p/mock-small', messages: [{ role: 'user', content: 'x' }] });
    const refused = await daily.openai.chat.completions
      .create({ model: 'p/mock-small', messages: [{ role: 'user', content: 'x' }] })
      .catch((error) => error);
    expect(refused).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect(refused.message).toContain('requests per day');
  });

  it('never lets concurrent calls overspend the budget, then answers insufficient_quota', async () => {
    const owner = await tenant();
    await connect(owner, { name: 'p', type: 'openai-compatible', base_url: `${mock.url}/v1` });
    // 1 micro-unit per token; each call reserves ~(prompt + 10 output) and costs 2 + 8 = 10.
    await client.request('POST', '/api/v1/prices', {
      token: owner.token,
      body: { model: 'mock-priced', input_per_m: 1_000_000, output_per_m: 1_000_000 },
    });
    await policy(owner, '/api/v1/gateway/policy', { budget_micros: 60, budget_period: 'day' });
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () =>
        owner.openai.chat.completions.create({ model: 'p/mock-priced', max_tokens: 10, messages: [{ role: 'user', content: 'hi there' }] }),
      ),
    );
    const spent = (await client.request('GET', '/api/v1/gateway/usage?group_by=model', { token: owner.token })).body.data[0].cost_micros;
    expect(spent).toBeLessThanOrEqual(60);
    expect(results.filter((result) => result.status === 'fulfilled').length).toBeGreaterThan(0);
    const refused = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ status: 429, code: 'insufficient_quota', type: 'insufficient_quota' });
  });

  it('keeps request and response bodies only for organizations that opted in', async () => {
    const owner = await tenant();
    await connect(owner, { name: 'p', type: 'openai-compatible', base_url: `${mock.url}/v1` });
    const ask = async (content: string, stream: boolean) => {
      const response = await client.request('POST', '/v1/chat/completions', {
        token: owner.key,
        body: { model: 'p/mock-small', stream, messages: [{ role: 'user', content }] },
      });
      expect(response.status).toBe(200);
      return response.headers['x-request-id'];
    };
    const detail = async (requestId: string) => {
      const entry = (await logs(owner)).find((log) => log.request_id === requestId);
      return (await client.request('GET', `/api/v1/request-logs/${entry?.id}`, { token: owner.token })).body;
    };
    const before = await ask('not kept', false);
    expect(await detail(String(before))).toMatchObject({ request_body: null, response_body: null });
    await policy(owner, '/api/v1/gateway/policy', { log_bodies: true });
    const kept = await detail(String(await ask('keep this', false)));
    expect(kept.request_body).toContain('keep this');
    expect(kept.response_body).toContain('You said: keep this');
    const streamed = await detail(String(await ask('stream this', true)));
    expect(streamed.response_body).toBe('Hello from mock-small. You said: stream this');
    // Sealed at rest with the organization's key; removed after the retention.
    const stored = await atrium.kernel.database.sql.query<{ request: string }>('select request from gateway_request_bodies');
    expect(stored.rows.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(stored.rows)).not.toContain('keep this');
    const later = new Date(Date.now() + 31 * 86_400_000);
    expect(await atrium.modules.gateway.service.pruneBodies(later, 30)).toBe(stored.rows.length);
    expect(await detail(String(before))).toMatchObject({ request_body: null });
  });

  it('restricts a key to its allowed models', async () => {
    const owner = await tenant();
    await connect(owner, { name: 'p', type: 'openai-compatible', base_url: `${mock.url}/v1` });
    await policy(owner, `/api/v1/gateway/keys/${owner.keyId}/policy`, { allowed_models: ['p/mock-small*'] });
    await owner.openai.chat.completions.create({ model: 'p/mock-small', messages: [{ role: 'user', content: 'x' }] });
    await expect(
      owner.openai.chat.completions.create({ model: 'p/mock-large', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({
      status: 403,
      code: 'model_not_allowed',
    });
    expect((await owner.openai.models.list()).data.map((model) => model.id)).toEqual(['p/mock-small']);
  });

  it('serves identical calls from the cache when the workspace opts in, at no cost, also as a replayed stream', async () => {
    const owner = await tenant();
    await connect(owner, { name: 'p', type: 'openai-compatible', base_url: `${mock.url}/v1` });
    await policy(owner, `/api/v1/gateway/workspaces/${owner.workspaceId}/policy`, { cache_ttl_seconds: 60 });
    const ask = () =>
      owner.openai.chat.completions
        .create({ model: 'p/mock-small', messages: [{ role: 'user', content: 'same question' }] })
        .withResponse();
    const first = await ask();
    expect(first.response.headers.get('x-atrium-cache')).toBe('miss');
    const second = await ask();
    expect(second.response.headers.get('x-atrium-cache')).toBe('hit');
    expect(second.data.choices[0].message.content).toBe(first.data.choices[0].message.content);
    const replay = await owner.openai.chat.completions.create({
      model: 'p/mock-small',
      messages: [{ role: 'user', content: 'same question' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of replay) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe(first.data.choices[0].message.content);
    expect(mock.calls).toHaveLength(1);
    const entries = await logs(owner);
    expect(entries.filter((entry) => entry.cache === 'hit').map((entry) => entry.cost_micros)).toEqual([0, 0]);
  });
});

describe('gateway: Anthropic and Gemini through the same API', () => {
  let owner: Tenant;
  beforeAll(async () => {
    owner = await tenant();
    await connect(owner, { name: 'claude', type: 'anthropic', base_url: `${mock.url}/v1`, api_key: 'sk-ant' });
    await connect(owner, { name: 'gem', type: 'gemini', base_url: `${mock.url}/v1beta`, api_key: 'g-key' });
    for (const model of ['claude-test', 'gemini-test']) {
      await client.request('POST', '/api/v1/prices', {
        token: owner.token,
        body: { model, input_per_m: 1_000_000, output_per_m: 2_000_000 },
      });
    }
  });

  for (const [name, model] of [
    ['anthropic', 'claude/claude-test'],
    ['gemini', 'gem/gemini-test'],
  ] as const) {
    it(`${name}: answers, streams, and meters streamed usage with and without upstream usage`, async () => {
      const completion = await owner.openai.chat.completions.create({
        model,
        messages: [
          { role: 'system', content: 'brief' },
          { role: 'user', content: 'hello you' },
        ],
      });
      expect(completion.choices[0].message.content).toContain('You said: hello you');
      for (const variant of [model, `${model}-nousage`]) {
        const stream = await owner.openai.chat.completions.create({
          model: variant,
          messages: [{ role: 'user', content: 'stream it' }],
          stream: true,
          stream_options: { include_usage: true },
        });
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
        expect(text).toContain('You said: stream it');
      }
      const entries = (await logs(owner)).filter((entry) => entry.provider === name && entry.stream);
      const measured = entries.find((entry) => !entry.estimated);
      const estimated = entries.find((entry) => entry.estimated);
      expect(measured).toMatchObject({ input_tokens: 2 });
      expect(measured?.output_tokens).toBeGreaterThan(0);
      expect(measured?.cost_micros).toBe(measured!.input_tokens + 2 * measured!.output_tokens);
      expect(estimated?.output_tokens).toBeGreaterThan(0);
      expect(estimated?.cost_micros).toBeGreaterThan(0);
    });
  }
});

describe('gateway: tenancy', () => {
  it('keeps one organisation’s connections, routes and logs from another’s keys', async () => {
    const a = await tenant();
    const b = await tenant();
    const provider = await connect(a, { name: 'secret', type: 'openai-compatible', base_url: `${mock.url}/v1` });
    const created = await route(a, { model: 'a-alias', strategy: 'fallback', targets: [{ provider: 'secret', model: 'mock-small' }] });
    await a.openai.chat.completions.create({ model: 'a-alias', messages: [{ role: 'user', content: 'x' }] });
    for (const model of ['secret/mock-small', `${provider.id}/mock-small`, 'a-alias']) {
      await expect(b.openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
        status: 404,
      });
    }
    expect((await b.openai.models.list()).data).toEqual([]);
    expect((await client.request('GET', `/api/v1/providers/${provider.id}`, { token: b.token })).status).toBe(404);
    expect((await client.request('GET', `/api/v1/routes/${created.id}`, { token: b.token })).status).toBe(404);
    expect(await logs(b)).toEqual([]);
    // B cannot aim a route at A's connection either.
    const stolen = await client.request('POST', '/api/v1/routes', {
      token: b.token,
      body: { model: 'x', strategy: 'fallback', targets: [{ provider: provider.id, model: 'm' }] },
    });
    expect(stolen.status).toBe(400);
    expect(stolen.body.error.param).toBe('targets[0].provider');
  });

  it('never shows the stored provider key, only its last four characters', async () => {
    const owner = await tenant();
    const created = await connect(owner, { name: 'keyed', type: 'openai', api_key: 'sk-very-secret-1234' });
    const read = await client.request('GET', `/api/v1/providers/${created.id}`, { token: owner.token });
    expect(read.body).toMatchObject({ has_api_key: true, api_key_hint: '1234', base_url: null });
    expect(JSON.stringify(read.body)).not.toContain('very-secret');
  });

  it('offers the operator’s shared connections to the organizations listed, read-only and without their key', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'atrium-shared-')), 'providers.json');
    writeFileSync(
      file,
      JSON.stringify([
        { name: 'house', type: 'openai-compatible', base_url: `${mock.url}/v1`, api_key: 'sk-operator-secret', organizations: '*' },
        { name: 'vip', type: 'openai-compatible', base_url: `${mock.url}/v1`, organizations: ['org_nobody'] },
      ]),
    );
    const shared = await createTestAtrium({ env: { ATRIUM_ALLOW_PRIVATE_NETWORKS: 'true', ATRIUM_SHARED_PROVIDERS_FILE: file } });
    try {
      const sharedClient = testClient(shared);
      const owner = await sharedClient.signup();
      const key = await sharedClient.createKey(owner.token, owner.workspace.id);
      const listed = await sharedClient.request('GET', '/api/v1/providers', { token: owner.token });
      expect(listed.body.data).toEqual([expect.objectContaining({ name: 'house', shared: true, api_key_hint: null })]);
      expect(JSON.stringify(listed.body)).not.toContain('operator-secret');
      const answer = await sharedClient.request('POST', '/v1/chat/completions', {
        token: key.key,
        body: { model: 'house/mock-small', messages: [{ role: 'user', content: 'hi' }] },
      });
      expect(answer.status).toBe(200);
      expect(mock.calls.at(-1)?.headers.authorization).toBe('Bearer sk-operator-secret');
      const hidden = await sharedClient.request('POST', '/v1/chat/completions', {
        token: key.key,
        body: { model: 'vip/mock-small', messages: [{ role: 'user', content: 'hi' }] },
      });
      expect(hidden.status).toBe(404);
      const aliased = await sharedClient.request('POST', '/api/v1/routes', {
        token: owner.token,
        body: { model: 'house-default', strategy: 'fallback', targets: [{ provider: 'house', model: 'mock-small' }] },
      });
      expect(aliased.body.targets[0]).toMatchObject({ provider: 'house', provider_id: 'shared_house' });
    } finally {
      await shared.close();
    }
  });

  it('refuses provider URLs on private networks unless the operator allows them', async () => {
    const strict = await createTestAtrium({ env: { ATRIUM_ALLOW_PRIVATE_NETWORKS: 'false' } });
    try {
      const strictClient = testClient(strict);
      const owner = await strictClient.signup();
      const response = await strictClient.request('POST', '/api/v1/providers', {
        token: owner.token,
        body: { name: 'local', type: 'openai-compatible', base_url: 'http://127.0.0.1:11434/v1' },
      });
      expect(response.status).toBe(400);
      expect(response.body.error.param).toBe('base_url');
    } finally {
      await strict.close();
    }
  });
});
