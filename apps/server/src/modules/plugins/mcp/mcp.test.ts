import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../../app.ts';
import { testClient } from '../../../testing/client.ts';
import { createTestAtrium } from '../../../testing/harness.ts';
import { createMcpConnector, identifierOf, reasonOf } from './connection.ts';
import { toolOf, toolResultOf } from './server.ts';
import { startFixtureMcpServer } from './testing/fixture-server.ts';

let atrium: Atrium;
let client: ReturnType<typeof testClient>;
let remote: Awaited<ReturnType<typeof startFixtureMcpServer>>;
let baseUrl: string;
const TOKEN = 'fixture-s3cret';

beforeAll(async () => {
  atrium = await createTestAtrium();
  client = testClient(atrium);
  remote = await startFixtureMcpServer({ token: TOKEN });
  await atrium.http.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(atrium.http.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await atrium?.close();
  await remote?.close();
});

const invoke = (token: string, capability: string, input: unknown = {}) =>
  client.request('POST', `/api/v1/capabilities/${capability}/invoke`, { token, body: { input } });

async function connected(token: string, body: Record<string, unknown> = {}) {
  const response = await client.request('POST', '/api/v1/mcp-servers', {
    token,
    body: { name: 'Fixture Tools', url: remote.url, headers: { Authorization: `Bearer ${TOKEN}` }, ...body },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

async function mcpClient(apiKey: string) {
  const mcp = new Client({ name: 'test', version: '1.0.0' });
  await mcp.connect(
    new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers: { authorization: `Bearer ${apiKey}` } } }),
  );
  return mcp;
}

describe('MCP servers: remote tools as capabilities', () => {
  it('connects a server, lists its tools as capabilities and calls them', async () => {
    const owner = await client.signup();
    const server = await connected(owner.token);
    expect(server).toMatchObject({
      workspace_id: owner.workspace.id,
      name: 'Fixture Tools',
      slug: 'fixture_tools',
      url: remote.url,
      header_names: ['Authorization'],
      enabled: true,
      last_error: null,
    });
    expect(server.tools.map((tool: { capability_id: string }) => tool.capability_id).sort()).toEqual([
      'mcp.fixture_tools.add',
      'mcp.fixture_tools.fail',
      'mcp.fixture_tools.shout',
    ]);
    expect(JSON.stringify(server)).not.toContain(TOKEN);
    expect(remote.seen.authorization).toContain(`Bearer ${TOKEN}`);

    const listed = await client.request('GET', '/api/v1/capabilities', { token: owner.token });
    const add = listed.body.data.find((capability: { id: string }) => capability.id === 'mcp.fixture_tools.add');
    expect(add).toMatchObject({ provider: 'mcp', owner_id: server.id, owner_name: 'Fixture Tools', description: 'Adds two numbers' });
    expect(add.input_schema).toMatchObject({ type: 'object', required: ['a', 'b'] });
    expect(add.output_schema).toMatchObject({ type: 'object', properties: { sum: { type: 'number' } } });

    const sum = await invoke(owner.token, 'mcp.fixture_tools.add', { a: 2, b: 3 });
    expect(sum.status).toBe(200);
    expect(sum.body).toMatchObject({ status: 'succeeded', output: { sum: 5 } });
    const shout = await invoke(owner.token, 'mcp.fixture_tools.shout', { text: 'hi' });
    expect(shout.body).toMatchObject({ status: 'succeeded', output: { content: [{ type: 'text', text: 'HI!' }] } });

    const bad = await invoke(owner.token, 'mcp.fixture_tools.add', { a: 2 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('input.b');

    const failed = await invoke(owner.token, 'mcp.fixture_tools.fail');
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ status: 'failed', error: { code: 'mcp_tool_error' } });
    expect(failed.body.error.message).toContain('on purpose');

    await expect
      .poll(async () => {
        const audit = await client.request('GET', '/api/v1/audit-logs?action=mcp_server.connected', { token: owner.token });
        return audit.body.data.length;
      })
      .toBe(1);
  });

  it('refuses duplicates, bad headers and servers it cannot reach', async () => {
    const owner = await client.signup();
    await connected(owner.token);
    const again = await client.request('POST', '/api/v1/mcp-servers', {
      token: owner.token,
      body: { name: 'fixture-tools', url: remote.url },
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'already_exists', param: 'name' });

    const reserved = await client.request('POST', '/api/v1/mcp-servers', {
      token: owner.token,
      body: { name: 'Other', url: remote.url, headers: { 'Content-Type': 'text/plain' } },
    });
    expect(reserved.status).toBe(400);
    expect(reserved.body.error.param).toBe('headers.Content-Type');

    for (const body of [
      { name: 'Nobody', url: 'http://127.0.0.1:1/mcp' },
      { name: 'Wrong token', url: remote.url, headers: { Authorization: 'Bearer nope' } },
    ]) {
      const refused = await client.request('POST', '/api/v1/mcp-servers', { token: owner.token, body });
      expect(refused.status, body.name).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'mcp_unreachable', param: 'url' });
    }
    const notHttp = await client.request('POST', '/api/v1/mcp-servers', {
      token: owner.token,
      body: { name: 'File', url: 'file:///etc/passwd' },
    });
    expect(notHttp.status).toBe(400);
    expect(notHttp.body.error).toMatchObject({ code: 'invalid_url', param: 'url' });

    const listed = await client.request('GET', '/api/v1/mcp-servers', { token: owner.token });
    expect(listed.body.data.map((server: { slug: string }) => server.slug)).toEqual(['fixture_tools']);
  });

  it('keeps one organization’s servers and tools from another', async () => {
    const owner = await client.signup();
    const server = await connected(owner.token);
    const stranger = await client.signup();
    for (const [method, url] of [
      ['GET', `/api/v1/mcp-servers/${server.id}`],
      ['PATCH', `/api/v1/mcp-servers/${server.id}`],
      ['DELETE', `/api/v1/mcp-servers/${server.id}`],
      ['POST', `/api/v1/mcp-servers/${server.id}/refresh`],
    ] as const) {
      const response = await client.request(method, url, {
        token: stranger.token,
        body: method === 'PATCH' ? { enabled: false } : undefined,
      });
      expect(response.status, `${method} ${url}`).toBe(404);
    }
    expect((await client.request('GET', '/api/v1/mcp-servers', { token: stranger.token })).body.data).toEqual([]);
    expect((await invoke(stranger.token, 'mcp.fixture_tools.add', { a: 1, b: 1 })).status).toBe(404);
    const theirs = await client.request('GET', '/api/v1/capabilities', { token: stranger.token });
    expect(JSON.stringify(theirs.body)).not.toContain('mcp.');
    expect((await client.request('GET', `/api/v1/mcp-servers/${server.id}`, { token: owner.token })).body.enabled).toBe(true);
  });

  it('disables, refreshes and removes a server; a server that went away fails its calls', async () => {
    const owner = await client.signup();
    const server = await connected(owner.token);
    const disabled = await client.request('PATCH', `/api/v1/mcp-servers/${server.id}`, {
      token: owner.token,
      body: { enabled: false, name: 'Renamed' },
    });
    expect(disabled.body).toMatchObject({ enabled: false, name: 'Renamed', slug: 'fixture_tools', header_names: ['Authorization'] });
    expect((await invoke(owner.token, 'mcp.fixture_tools.add', { a: 1, b: 1 })).status).toBe(404);
    await client.request('PATCH', `/api/v1/mcp-servers/${server.id}`, { token: owner.token, body: { enabled: true } });
    expect((await invoke(owner.token, 'mcp.fixture_tools.add', { a: 1, b: 1 })).body.output).toEqual({ sum: 2 });

    const refreshed = await client.request('POST', `/api/v1/mcp-servers/${server.id}/refresh`, { token: owner.token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.tools).toHaveLength(3);

    const wrongToken = await client.request('PATCH', `/api/v1/mcp-servers/${server.id}`, {
      token: owner.token,
      body: { headers: { Authorization: 'Bearer nope' } },
    });
    expect(wrongToken.body.error).toMatchObject({ code: 'mcp_unreachable' });

    const passing = await startFixtureMcpServer();
    const brief = await connected(owner.token, { name: 'Brief', url: passing.url, headers: {} });
    expect(brief.header_names).toEqual([]);
    const headerless = await client.request('PATCH', `/api/v1/mcp-servers/${brief.id}`, { token: owner.token, body: { headers: null } });
    expect(headerless.body).toMatchObject({ header_names: [], last_error: null });
    await passing.close();
    const gone = await invoke(owner.token, 'mcp.brief.shout', { text: 'x' });
    expect(gone.body).toMatchObject({ status: 'failed', error: { code: 'mcp_unreachable' } });
    const stale = await client.request('POST', `/api/v1/mcp-servers/${brief.id}/refresh`, { token: owner.token });
    expect(stale.body.error).toMatchObject({ code: 'mcp_unreachable' });
    const kept = await client.request('GET', `/api/v1/mcp-servers/${brief.id}`, { token: owner.token });
    expect(kept.body.tools).toHaveLength(3);
    expect(kept.body.last_error).toContain('Could not connect');

    expect((await client.request('DELETE', `/api/v1/mcp-servers/${server.id}`, { token: owner.token })).status).toBe(204);
    expect((await client.request('GET', `/api/v1/mcp-servers/${server.id}`, { token: owner.token })).status).toBe(404);
    expect((await invoke(owner.token, 'mcp.fixture_tools.add', { a: 1, b: 1 })).status).toBe(404);
    await expect
      .poll(async () => {
        const audit = await client.request('GET', '/api/v1/audit-logs?action=mcp_server.disconnected', { token: owner.token });
        return audit.body.data.length;
      })
      .toBe(2);
  });
});

describe('Atrium as an MCP server', () => {
  it('serves the workspace’s capabilities to an MCP client, through to a remote MCP server', async () => {
    const owner = await client.signup();
    await connected(owner.token);
    const key = await client.createKey(owner.token, owner.workspace.id);
    const mcp = await mcpClient(key.key);
    try {
      const { tools } = await mcp.listTools();
      const add = tools.find((tool) => tool.name === 'mcp.fixture_tools.add');
      expect(add).toMatchObject({ description: 'Adds two numbers', inputSchema: { type: 'object', required: ['a', 'b'] } });
      expect(add?.outputSchema).toMatchObject({ type: 'object' });

      const sum = await mcp.callTool({ name: 'mcp.fixture_tools.add', arguments: { a: 20, b: 22 } });
      expect(sum.isError).toBeFalsy();
      expect(sum.structuredContent).toEqual({ sum: 42 });
      expect(sum.content).toEqual([{ type: 'text', text: '{"sum":42}' }]);

      const bad = await mcp.callTool({ name: 'mcp.fixture_tools.add', arguments: { a: 1 } });
      expect(bad.isError).toBe(true);
      expect(JSON.stringify(bad.content)).toContain('input.b');

      const failed = await mcp.callTool({ name: 'mcp.fixture_tools.fail', arguments: {} });
      expect(failed.isError).toBe(true);
      expect(JSON.stringify(failed.content)).toContain('on purpose');

      await expect(mcp.callTool({ name: 'no.such.tool', arguments: {} })).rejects.toThrow(/Unknown tool/);
    } finally {
      await mcp.close();
    }
    const log = await client.request('GET', '/api/v1/capability-executions?capability_id=mcp.fixture_tools.add', { token: owner.token });
    expect(log.body.data[0]).toMatchObject({
      via: 'mcp',
      status: 'succeeded',
      output: { sum: 42 },
      actor: { type: 'api_key', id: key.id },
    });
  });

  it('answers 401 without a key, 403 to a session, 405 to GET and DELETE', async () => {
    const owner = await client.signup();
    const key = await client.createKey(owner.token, owner.workspace.id);
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    };
    const post = (headers: Record<string, string>) =>
      fetch(`${baseUrl}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify(initialize),
      });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: `Bearer ${owner.token}` })).status).toBe(403);
    const ok = await post({ authorization: `Bearer ${key.key}` });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toBeTruthy();
    expect(((await ok.json()) as { result: { serverInfo: unknown } }).result.serverInfo).toMatchObject({ name: 'atrium' });
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(`${baseUrl}/mcp`, { method, headers: { authorization: `Bearer ${key.key}` } });
      expect(response.status, method).toBe(405);
      expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32000);
    }
    await expect(mcpClient('atr_live_not_a_key')).rejects.toThrow();
    const readOnly = await client.createKey(owner.token, owner.workspace.id, { scopes: ['capabilities:read'] });
    expect((await post({ authorization: `Bearer ${readOnly.key}` })).status).toBe(403);
  });
});

describe('MCP connections', () => {
  it('names slugs and tool keys with lowercase letters, digits and underscores', () => {
    expect(identifierOf('Fixture Tools', 'server')).toBe('fixture_tools');
    expect(identifierOf('getUser', 'tool')).toBe('get_user');
    expect(identifierOf('list-issues.v2', 'tool')).toBe('list_issues_v2');
    expect(identifierOf('***', 'server')).toBe('server');
  });

  it('refuses a host that resolves to a private address when private networks are not allowed', async () => {
    const connector = createMcpConnector({ allowPrivateNetworks: false });
    try {
      const refused = await connector.connect(remote.url.replace('127.0.0.1', 'localhost'), {}).catch((error: unknown) => error);
      expect(reasonOf(refused)).toMatch(/private or loopback/);
      const open = createMcpConnector({ allowPrivateNetworks: true });
      const connected = await open.connect(remote.url.replace('127.0.0.1', 'localhost'), { authorization: `Bearer ${TOKEN}` });
      expect((await open.listTools(connected)).map((tool) => tool.key).sort()).toEqual(['add', 'fail', 'shout']);
      await connected.close();
      await open.close();
    } finally {
      await connector.close();
    }
  });

  it('cuts off a response larger than 16 MiB', async () => {
    const flood = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`{"jsonrpc":"2.0","id":0,"result":{"padding":"${'x'.repeat(17 * 1024 * 1024)}"}}`);
    });
    await new Promise<void>((resolve) => flood.listen(0, '127.0.0.1', resolve));
    const connector = createMcpConnector({ allowPrivateNetworks: true });
    try {
      const url = `http://127.0.0.1:${(flood.address() as AddressInfo).port}/mcp`;
      const refused = await connector.connect(url, {}).catch((error: unknown) => error);
      expect(reasonOf(refused)).toMatch(/more than \d+ bytes/);
    } finally {
      await connector.close();
      await new Promise((resolve) => flood.close(resolve));
    }
  });
});

describe('capabilities as MCP tools', () => {
  const capability = {
    id: 'notes.add',
    description: 'Adds a note',
    provider: 'plugin' as const,
    input: { type: 'object', properties: { text: { type: 'string' } } },
    output: { type: 'object', properties: { ok: { type: 'boolean' } } },
    invoke: async () => null,
  };
  const execution = { id: 'cex_1', capabilityId: 'notes.add', output: null, error: null, durationMs: 1, logs: [] };

  it('advertises object output schemas only, and none for calls that wait for approval', () => {
    expect(toolOf(capability)).toMatchObject({ name: 'notes.add', outputSchema: capability.output });
    expect(toolOf({ ...capability, output: { type: 'string' } }).outputSchema).toBeUndefined();
    expect(toolOf({ ...capability, requiresApproval: true }).outputSchema).toBeUndefined();
    expect(toolOf({ ...capability, input: {} }).inputSchema).toEqual({ type: 'object' });
  });

  it('answers a call waiting for approval with its execution id, and failures as tool errors', () => {
    const waiting = toolResultOf({ ...execution, status: 'pending_approval' });
    expect(waiting.isError).toBeUndefined();
    expect(JSON.stringify(waiting.content)).toContain('cex_1');
    const failed = toolResultOf({ ...execution, status: 'failed', error: { code: 'timeout', message: 'Too slow.' } });
    expect(failed).toEqual({ isError: true, content: [{ type: 'text', text: 'Too slow.' }] });
    expect(toolResultOf({ ...execution, status: 'succeeded', output: [1, 2] })).toEqual({ content: [{ type: 'text', text: '[1,2]' }] });
  });
});
