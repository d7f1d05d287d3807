import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../../apps/server/src/app.ts';
import { type MockUpstream, startMockUpstream } from '../../../apps/server/src/modules/gateway/testing/mock-upstream.ts';
import { createTestAtrium } from '../../../apps/server/src/testing/harness.ts';
import { type AtriumClient, AtriumError, type ChatCompletionChunk, createClient, openChatStream, readServerSentEvents } from './index.ts';

let atrium: Atrium;
let mock: MockUpstream;
let baseUrl: string;
/** A provider that sends one chunk of a stream and then drops the connection. */
let broken: Server;
let brokenUrl: string;

let owner: AtriumClient;
let machine: AtriumClient;
let workspaceId: string;
let keyId: string;

beforeAll(async () => {
  mock = await startMockUpstream();
  broken = createServer((request, response) => {
    if (request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [] }));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = {
      id: 'c1',
      object: 'chat.completion.chunk',
      created: 0,
      model: 'half',
      choices: [{ index: 0, delta: { content: 'Hal' } }],
    };
    response.write(`data: ${JSON.stringify(chunk)}\n\n`, () => setTimeout(() => response.socket?.destroy(), 20));
  });
  await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
  brokenUrl = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;

  atrium = await createTestAtrium({ env: { ATRIUM_ALLOW_PRIVATE_NETWORKS: 'true' } });
  await atrium.http.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(atrium.http.server.address() as AddressInfo).port}`;

  owner = createClient({ baseUrl });
  const session = await owner.auth.signup({
    email: 'sdk-gateway@example.com',
    password: 'sdk gateway 123',
    name: 'Gateway',
    organization: 'Gateway Org',
  });
  workspaceId = session.workspace.id;
  const key = await owner.apiKeys.create({ name: 'gateway', workspace_id: workspaceId });
  keyId = key.id;
  machine = createClient({ baseUrl, token: key.key });
});
afterAll(async () => {
  await atrium?.close();
  await mock?.close();
  broken?.closeAllConnections();
  await new Promise((resolve) => broken?.close(resolve));
});

const ask = (model: string, content: string) => ({ model, messages: [{ role: 'user', content }] });

describe('gateway management through @atrium/sdk', () => {
  it('connects, lists, changes and tests providers, hiding their keys', async () => {
    const created = await owner.providers.create({
      name: 'local',
      type: 'openai-compatible',
      base_url: `${mock.url}/v1`,
      api_key: 'sk-upstream-9876',
    });
    expect(created).toMatchObject({ name: 'local', type: 'openai-compatible', has_api_key: true, api_key_hint: '9876', enabled: true });
    expect(JSON.stringify(created)).not.toContain('sk-upstream');

    const { data } = await owner.providers.list();
    expect(data.map((provider) => provider.id)).toEqual([created.id]);
    expect(await owner.providers.get(created.id)).toMatchObject({ id: created.id, api_key_hint: '9876' });

    const tested = await owner.providers.test(created.id);
    expect(tested).toMatchObject({ ok: true, error: null });
    expect(tested.models).toEqual(expect.arrayContaining(['mock-small', 'mock-large']));

    const updated = await owner.providers.update(created.id, { settings: { models: ['mock-small'] }, enabled: false });
    expect(updated).toMatchObject({ enabled: false, settings: { models: ['mock-small'] } });
    await owner.providers.update(created.id, { enabled: true, settings: {} });
  });

  it('reports an unreachable provider as a failed test, and a missing one as AtriumError 404', async () => {
    const dead = await owner.providers.create({ name: 'dead', type: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1' });
    const tested = await owner.providers.test(dead.id);
    expect(tested.ok).toBe(false);
    expect(tested.error).toEqual(expect.any(String));
    await owner.providers.delete(dead.id);
    const error = await owner.providers.get(dead.id).catch((caught) => caught);
    expect(error).toBeInstanceOf(AtriumError);
    expect(error).toMatchObject({ status: 404, type: 'not_found_error' });
    expect(error.requestId).toMatch(/^req_/);
  });

  it('refuses an invalid provider with the field at fault', async () => {
    const error = await owner.providers.create({ name: 'has/slash', type: 'openai' }).catch((caught) => caught);
    expect(error).toBeInstanceOf(AtriumError);
    expect(error).toMatchObject({ status: 400, param: 'name' });
  });

  it('creates, reads, changes and removes routes', async () => {
    const route = await owner.routes.create({
      model: 'fast',
      strategy: 'loadbalance',
      targets: [
        { provider: 'local', model: 'mock-small', weight: 3 },
        { provider: 'local', model: 'mock-large' },
      ],
      retries: 1,
      timeout_ms: 5000,
    });
    expect(route).toMatchObject({ model: 'fast', strategy: 'loadbalance', retries: 1, timeout_ms: 5000 });
    expect(route.targets.map(({ provider, model, weight }) => [provider, model, weight])).toEqual([
      ['local', 'mock-small', 3],
      ['local', 'mock-large', 1],
    ]);
    expect((await owner.routes.list()).data.map((entry) => entry.id)).toEqual([route.id]);
    const changed = await owner.routes.update(route.id, { strategy: 'fallback', timeout_ms: null });
    expect(changed).toMatchObject({ strategy: 'fallback', timeout_ms: null });
    expect(await owner.routes.get(route.id)).toMatchObject({ strategy: 'fallback' });
    await owner.routes.delete(route.id);
    expect((await owner.routes.list()).data).toEqual([]);
    await owner.routes.create({ model: 'chat', strategy: 'fallback', targets: [{ provider: 'local', model: 'mock-small' }] });
  });

  it('reads and replaces the organization, workspace and key policies', async () => {
    expect(await owner.policies.organization.get()).toMatchObject({
      scope: 'organization',
      requests_per_minute: null,
      budget_micros: null,
    });
    const organization = await owner.policies.organization.put({ budget_micros: 5_000_000, budget_period: 'month' });
    expect(organization).toMatchObject({ budget_micros: 5_000_000, budget_period: 'month' });

    const workspace = await owner.policies.workspace.put(workspaceId, { tokens_per_minute: 100_000, allowed_models: ['local/*', 'chat'] });
    expect(workspace).toMatchObject({ scope: 'workspace', scope_id: workspaceId, tokens_per_minute: 100_000 });
    expect((await owner.policies.workspace.get(workspaceId)).allowed_models).toEqual(['local/*', 'chat']);

    await owner.policies.apiKey.put(keyId, { requests_per_minute: 1000 });
    expect(await owner.policies.apiKey.get(keyId)).toMatchObject({ scope: 'api_key', scope_id: keyId, requests_per_minute: 1000 });
    // A put replaces the whole policy.
    const replaced = await owner.policies.apiKey.put(keyId, { requests_per_day: 50_000 });
    expect(replaced).toMatchObject({ requests_per_minute: null, requests_per_day: 50_000 });
    expect(await owner.policies.apiKey.put(keyId, { requests_per_day: null })).toMatchObject({ requests_per_day: null });

    await expect(owner.policies.workspace.get('ws_missing')).rejects.toMatchObject({ status: 404 });
    await owner.policies.organization.put({});
    await owner.policies.workspace.put(workspaceId, {});
  });

  it('sets and lists prices', async () => {
    const price = await owner.prices.create({ model: 'mock-small', input_per_m: 2_000_000, output_per_m: 4_000_000 });
    expect(price).toMatchObject({ scope: 'organization', provider: '*', model: 'mock-small', input_per_m: 2_000_000 });
    const { data } = await owner.prices.list({ model: 'mock-small' });
    expect(data[0]).toMatchObject({ id: price.id });
    expect(data.every((entry) => entry.model === 'mock-small')).toBe(true);
  });
});

describe('gateway calls through @atrium/sdk', () => {
  it('answers a chat completion', async () => {
    const completion = await machine.chat.create(ask('local/mock-small', 'hi there'));
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0].message.content).toBe('Hello from mock-small. You said: hi there');
    expect(completion.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 7 });
  });

  it('streams chunks in order, says who answers, and stops at [DONE]', async () => {
    const stream = await machine.chat.stream({ ...ask('chat', 'stream please'), stream_options: { include_usage: true } });
    expect(stream).toMatchObject({ provider: 'local', model: 'mock-small', requestId: expect.stringMatching(/^req_/) });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Hello from mock-small. You said: stream please');
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 7 });
  });

  it('stops reading when the loop breaks or the stream is cancelled', async () => {
    const stream = await machine.chat.stream(ask('local/mock-drip-20', 'one two three four five six'));
    let seen = 0;
    for await (const _chunk of stream) if (++seen === 2) break;
    expect(seen).toBe(2);
    const unread = await machine.chat.stream(ask('local/mock-unread', 'never read'));
    await unread.cancel();
    expect(await toArray(unread)).toEqual([]);
    // Both calls are logged once the server saw the connection close (later tests count them).
    for (const model of ['local/mock-drip-20', 'local/mock-unread']) {
      await eventually(async () => (await owner.requestLogs.list({ model })).data.length === 1);
    }
  });

  it('rejects before streaming when the gateway refuses the call', async () => {
    const missing = await machine.chat.stream(ask('nowhere/x', 'x')).catch((caught) => caught);
    expect(missing).toBeInstanceOf(AtriumError);
    expect(missing).toMatchObject({ status: 404, code: 'model_not_found' });
    const invalid = await machine.chat.create({ model: 'local/mock-small', messages: [] }).catch((caught) => caught);
    expect(invalid).toMatchObject({ status: 400, type: 'invalid_request_error', param: 'messages' });
    const upstream = await machine.chat.create(ask('local/mock-fail-400', 'x')).catch((caught) => caught);
    expect(upstream).toBeInstanceOf(AtriumError);
    expect(upstream.status).toBe(400);
  });

  it('throws an error event sent mid-stream as AtriumError, after the chunks before it', async () => {
    await owner.providers.create({ name: 'broken', type: 'openai-compatible', base_url: `${brokenUrl}/v1` });
    const stream = await owner.chat.stream(ask('broken/half', 'x'), { workspaceId });
    const text: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) text.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((caught) => caught);
    expect(text.join('')).toBe('Hal');
    expect(error).toBeInstanceOf(AtriumError);
    expect(error).toMatchObject({ status: 502, code: 'upstream_stream_broken', requestId: stream.requestId });
  });

  it('lists the models the key may use', async () => {
    const { data } = await machine.models.list();
    expect(data.map((model) => model.id)).toEqual(expect.arrayContaining(['chat', 'local/mock-small']));
  });
});

describe('usage and request logs through @atrium/sdk', () => {
  it('reports usage as JSON and CSV, grouped and filtered by time', async () => {
    const byModel = await owner.gatewayUsage.get({ group_by: 'model' });
    expect(byModel.group_by).toBe('model');
    const small = byModel.data.find((row) => row.model === 'mock-small');
    expect(small?.requests).toBeGreaterThanOrEqual(2);
    expect(small?.cost_micros).toBeGreaterThan(0);
    expect((await owner.gatewayUsage.get()).group_by).toBe('day');
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect((await owner.gatewayUsage.get({ from: future })).data).toEqual([]);

    const csv = await owner.gatewayUsage.csv({ group_by: 'model', to: future });
    const [header, ...lines] = csv.trimEnd().split('\n');
    expect(header).toBe('model,requests,errors,cache_hits,input_tokens,output_tokens,cached_tokens,cost_micros,cost,avg_latency_ms');
    expect(lines.find((line) => line.startsWith('mock-small,'))).toBeDefined();
    await expect(owner.gatewayUsage.get({ from: 'yesterday' })).rejects.toMatchObject({
      status: 400,
      param: expect.stringContaining('from'),
    });
  });

  it('lists request logs page by page, iterates them all and reads one', async () => {
    const first = await owner.requestLogs.list({ limit: 1 });
    expect(first.data).toHaveLength(1);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await owner.requestLogs.list({ limit: 1, cursor: first.next_cursor! });
    expect(second.data[0].id).not.toBe(first.data[0].id);

    const all = await toArray(owner.requestLogs.iterate({}, { pageSize: 2 }));
    expect(all.length).toBeGreaterThanOrEqual(6);
    expect(new Set(all.map((entry) => entry.id)).size).toBe(all.length);
    expect(all.slice(0, 2).map((entry) => entry.id)).toEqual([first.data[0].id, second.data[0].id]);

    const errors = await toArray(owner.requestLogs.iterate({ status: 'error' }));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((entry) => entry.status >= 400)).toBe(true);
    expect(errors.find((entry) => entry.error_code === 'upstream_stream_broken')).toMatchObject({ workspace_id: workspaceId });

    const chat = await toArray(owner.requestLogs.iterate({ model: 'chat' }));
    expect(chat).toHaveLength(1);
    const detail = await owner.requestLogs.get(chat[0].id);
    expect(detail).toMatchObject({ id: chat[0].id, requested_model: 'chat', stream: true, api_key_id: keyId, request_body: null });
  });
});

describe('server-sent event parsing', () => {
  const streamOf = (...parts: string[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
        controller.close();
      },
    });

  it('joins data lines, skips comments and handles line ends split across reads', async () => {
    const events = await toArray(
      readServerSentEvents(streamOf(': keep-alive\n\nevent: note\r', '\ndata: one\r\ndata:two\r', '\n\r\ndata: é', 'tat\n\ndata: cut off')),
    );
    expect(events).toEqual([
      { event: 'note', data: 'one\ntwo' },
      { event: undefined, data: 'état' },
    ]);
  });

  it('surfaces an error event, and an end without [DONE], as AtriumError', async () => {
    const headers = { 'content-type': 'text/event-stream', 'x-request-id': 'req_test' };
    const chunk = JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [] });
    const failing = openChatStream(
      new Response(
        streamOf(
          `data: ${chunk}\n\n`,
          'data: {"error":{"message":"Over quota.","type":"insufficient_quota","code":"insufficient_quota"}}\n\n',
        ),
        { headers },
      ),
    );
    await expect(toArray(failing)).rejects.toMatchObject({
      status: 502,
      type: 'insufficient_quota',
      code: 'insufficient_quota',
      message: 'Over quota.',
      requestId: 'req_test',
    });
    const cut = openChatStream(new Response(streamOf(`data: ${chunk}\n\n`), { headers }));
    await expect(toArray(cut)).rejects.toMatchObject({ code: 'stream_incomplete' });
    const garbled = openChatStream(new Response(streamOf('data: {nope\n\n'), { headers }));
    await expect(toArray(garbled)).rejects.toMatchObject({ code: 'invalid_stream' });
  });
});

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function toArray<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
