import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../app.ts';
import { startFixtureMcpServer } from '../modules/plugins/mcp/testing/fixture-server.ts';
import { bundle, trustedKeysEnv } from '../modules/plugins/testing/fixtures.ts';
import { testClient } from './client.ts';
import { createTestAtrium } from './harness.ts';
import { createTenant, type IsolatedRoute, proveIsolation, type Tenant } from './isolation.ts';

let atrium: Atrium;
let remote: Awaited<ReturnType<typeof startFixtureMcpServer>>;
beforeAll(async () => {
  atrium = await createTestAtrium({ env: { ATRIUM_PLUGIN_TRUSTED_KEYS: trustedKeysEnv } });
  remote = await startFixtureMcpServer();
});
afterAll(async () => {
  await atrium?.close();
  await remote?.close();
});

const workspace = async (tenant: { owner: { token: string } }, client: ReturnType<typeof testClient>) => {
  const response = await client.request('POST', '/api/v1/workspaces', { token: tenant.owner.token, body: { name: 'Secret project' } });
  return response.body.id as string;
};

const webhook = async (tenant: { owner: { token: string } }, client: ReturnType<typeof testClient>) => {
  // Subscribed to nothing the test itself causes: deliveries would change the endpoint while it is compared.
  const body = { url: 'http://127.0.0.1:9/hook', event_types: ['webhook.test'] };
  return (await client.request('POST', '/api/v1/webhooks', { token: tenant.owner.token, body })).body.id as string;
};
const webhookReadBack = (id: string) => `/api/v1/webhooks/${id}`;

const provider = async (tenant: { owner: { token: string } }, client: ReturnType<typeof testClient>) => {
  // A closed loopback port: calls through it fail fast (and are still logged).
  const body = { name: `p${Math.random().toString(36).slice(2, 8)}`, type: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1' };
  return (await client.request('POST', '/api/v1/providers', { token: tenant.owner.token, body })).body.id as string;
};
const providerReadBack = (id: string) => `/api/v1/providers/${id}`;
const gatewayRoute = async (tenant: { owner: { token: string } }, client: ReturnType<typeof testClient>) => {
  const target = await provider(tenant, client);
  const body = {
    model: `alias-${Math.random().toString(36).slice(2, 8)}`,
    strategy: 'fallback',
    targets: [{ provider: target, model: 'm' }],
  };
  return (await client.request('POST', '/api/v1/routes', { token: tenant.owner.token, body })).body.id as string;
};
const gatewayRouteReadBack = (id: string) => `/api/v1/routes/${id}`;
const requestLog = async (tenant: Tenant, client: ReturnType<typeof testClient>) => {
  const connection = await provider(tenant, client);
  await client.request('POST', '/v1/chat/completions', {
    token: tenant.key,
    body: { model: `${connection}/m`, messages: [{ role: 'user', content: 'x' }] },
  });
  const logs = await client.request('GET', '/api/v1/request-logs', { token: tenant.owner.token });
  return logs.body.data[0].id as string;
};
const invoice = async (tenant: Tenant, client: ReturnType<typeof testClient>) => {
  const change = await client.request('POST', '/api/v1/subscription/change', { token: tenant.owner.token, body: { plan: 'solo' } });
  return change.body.invoice.id as string;
};
const invoiceReadBack = (id: string) => `/api/v1/invoices/${id}`;
const apiKey = async (tenant: Tenant, client: ReturnType<typeof testClient>) =>
  (await client.createKey(tenant.owner.token, tenant.workspaceId)).id;

/** The tenant's `notes` plugin, installed and consented once. */
const plugin = async (tenant: Tenant, client: ReturnType<typeof testClient>) => {
  const listed = await client.request('GET', '/api/v1/plugins', { token: tenant.owner.token });
  const existing = listed.body.data.find((item: { plugin_id: string }) => item.plugin_id === 'notes');
  if (existing) return existing.id as string;
  const install = await client.request('POST', '/api/v1/plugins', { token: tenant.owner.token, body: { bundle: bundle() } });
  await client.request('POST', `/api/v1/plugins/${install.body.id}/consent`, {
    token: tenant.owner.token,
    body: { permissions: install.body.consent_required },
  });
  return install.body.id as string;
};
const pluginReadBack = (id: string) => `/api/v1/plugins/${id}`;
const pendingExecution = async (tenant: Tenant, client: ReturnType<typeof testClient>) => {
  await plugin(tenant, client);
  const waiting = await client.request('POST', '/api/v1/capabilities/notes.delete_all/invoke', { token: tenant.owner.token, body: {} });
  return waiting.body.id as string;
};
const executionReadBack = (id: string) => `/api/v1/capability-executions/${id}`;

const mcpServer = async (tenant: Tenant, client: ReturnType<typeof testClient>) => {
  const body = { name: `m${Math.random().toString(36).slice(2, 8)}`, url: remote.url };
  return (await client.request('POST', '/api/v1/mcp-servers', { token: tenant.owner.token, body })).body.id as string;
};
const mcpServerReadBack = (id: string) => `/api/v1/mcp-servers/${id}`;

const ROUTES: IsolatedRoute[] = [
  { method: 'GET', url: '/api/v1/mcp-servers/:id', create: mcpServer, readBack: mcpServerReadBack },
  { method: 'PATCH', url: '/api/v1/mcp-servers/:id', body: { enabled: false }, create: mcpServer, readBack: mcpServerReadBack },
  { method: 'DELETE', url: '/api/v1/mcp-servers/:id', create: mcpServer, readBack: mcpServerReadBack },
  { method: 'POST', url: '/api/v1/mcp-servers/:id/refresh', create: mcpServer, readBack: mcpServerReadBack },
  { method: 'GET', url: '/api/v1/plugins/:id', create: plugin, readBack: pluginReadBack },
  { method: 'PATCH', url: '/api/v1/plugins/:id', body: { enabled: false }, create: plugin, readBack: pluginReadBack },
  { method: 'DELETE', url: '/api/v1/plugins/:id', create: plugin, readBack: pluginReadBack },
  { method: 'POST', url: '/api/v1/plugins/:id/consent', body: { permissions: ['data:write'] }, create: plugin, readBack: pluginReadBack },
  {
    method: 'POST',
    url: '/api/v1/plugins/:id/update',
    body: { bundle: bundle({ version: '2.0.0' }) },
    create: plugin,
    readBack: pluginReadBack,
  },
  { method: 'GET', url: '/api/v1/plugins/:id/executions', create: plugin, readBack: pluginReadBack },
  {
    method: 'POST',
    url: '/api/v1/capabilities/:id/invoke',
    body: { input: {} },
    create: async (tenant, client) => {
      await plugin(tenant, client);
      return 'notes.delete_all';
    },
    readBack: () => '/api/v1/capability-executions?status=pending_approval',
  },
  { method: 'GET', url: '/api/v1/capability-executions/:id', create: pendingExecution, readBack: executionReadBack },
  { method: 'POST', url: '/api/v1/capability-executions/:id/approve', create: pendingExecution, readBack: executionReadBack },
  { method: 'POST', url: '/api/v1/capability-executions/:id/reject', create: pendingExecution, readBack: executionReadBack },
  { method: 'GET', url: '/api/v1/invoices/:id', create: invoice, readBack: invoiceReadBack },
  { method: 'GET', url: '/api/v1/invoices/:id/pdf', create: invoice, readBack: invoiceReadBack },
  { method: 'GET', url: '/api/v1/providers/:id', create: provider, readBack: providerReadBack },
  { method: 'PATCH', url: '/api/v1/providers/:id', body: { enabled: false }, create: provider, readBack: providerReadBack },
  { method: 'DELETE', url: '/api/v1/providers/:id', create: provider, readBack: providerReadBack },
  { method: 'POST', url: '/api/v1/providers/:id/test', create: provider, readBack: providerReadBack },
  { method: 'GET', url: '/api/v1/routes/:id', create: gatewayRoute, readBack: gatewayRouteReadBack },
  { method: 'PATCH', url: '/api/v1/routes/:id', body: { retries: 3 }, create: gatewayRoute, readBack: gatewayRouteReadBack },
  { method: 'DELETE', url: '/api/v1/routes/:id', create: gatewayRoute, readBack: gatewayRouteReadBack },
  { method: 'GET', url: '/api/v1/request-logs/:id', create: requestLog, readBack: (id) => `/api/v1/request-logs/${id}` },
  {
    method: 'GET',
    url: '/api/v1/gateway/workspaces/:id/policy',
    create: workspace,
    readBack: (id) => `/api/v1/gateway/workspaces/${id}/policy`,
  },
  {
    method: 'PUT',
    url: '/api/v1/gateway/workspaces/:id/policy',
    body: { requests_per_minute: 1 },
    create: workspace,
    readBack: (id) => `/api/v1/gateway/workspaces/${id}/policy`,
  },
  { method: 'GET', url: '/api/v1/gateway/keys/:id/policy', create: apiKey, readBack: (id) => `/api/v1/gateway/keys/${id}/policy` },
  {
    method: 'PUT',
    url: '/api/v1/gateway/keys/:id/policy',
    body: { requests_per_minute: 1 },
    create: apiKey,
    readBack: (id) => `/api/v1/gateway/keys/${id}/policy`,
  },
  { method: 'GET', url: '/api/v1/webhooks/:id', create: webhook, readBack: webhookReadBack },
  { method: 'PATCH', url: '/api/v1/webhooks/:id', body: { enabled: false }, create: webhook, readBack: webhookReadBack },
  { method: 'DELETE', url: '/api/v1/webhooks/:id', create: webhook, readBack: webhookReadBack },
  { method: 'POST', url: '/api/v1/webhooks/:id/test', create: webhook, readBack: (id) => `/api/v1/webhooks/${id}/deliveries` },
  { method: 'GET', url: '/api/v1/webhooks/:id/deliveries', create: webhook, readBack: webhookReadBack },
  { method: 'POST', url: '/api/v1/webhooks/:id/rotate-secret', create: webhook, readBack: webhookReadBack },
  {
    method: 'POST',
    url: '/api/v1/webhooks/:id/replay',
    body: { since: '2020-01-01T00:00:00Z' },
    create: webhook,
    readBack: webhookReadBack,
  },
  { method: 'GET', url: '/api/v1/workspaces/:id', create: workspace, readBack: (id) => `/api/v1/workspaces/${id}` },
  {
    method: 'PATCH',
    url: '/api/v1/workspaces/:id',
    body: { name: 'Taken over' },
    create: workspace,
    readBack: (id) => `/api/v1/workspaces/${id}`,
  },
  { method: 'DELETE', url: '/api/v1/workspaces/:id', create: workspace, readBack: (id) => `/api/v1/workspaces/${id}` },
  {
    method: 'PATCH',
    url: '/api/v1/members/:id',
    body: { role: 'viewer' },
    create: async (tenant) => (await testClient(atrium).addMember(tenant.owner.token, 'developer')).membershipId,
    readBack: () => '/api/v1/members',
  },
  {
    method: 'DELETE',
    url: '/api/v1/members/:id',
    create: async (tenant) => (await testClient(atrium).addMember(tenant.owner.token, 'member')).membershipId,
    readBack: () => '/api/v1/members',
  },
  {
    method: 'DELETE',
    url: '/api/v1/invitations/:id',
    create: async (tenant, client) =>
      (
        await client.request('POST', '/api/v1/invitations', {
          token: tenant.owner.token,
          body: { email: 'someone@example.com', role: 'viewer' },
        })
      ).body.id,
    readBack: () => '/api/v1/invitations',
  },
  {
    method: 'DELETE',
    url: '/api/v1/api-keys/:id',
    create: async (tenant, client) => (await client.createKey(tenant.owner.token, tenant.workspaceId)).id,
    readBack: () => '/api/v1/api-keys',
  },
  {
    method: 'POST',
    url: '/api/v1/api-keys/:id/rotate',
    create: async (tenant, client) => (await client.createKey(tenant.owner.token, tenant.workspaceId)).id,
    readBack: () => '/api/v1/api-keys',
  },
];

describe('tenant isolation', () => {
  it("answers 404 and changes nothing when one organization touches another's resources", async () => {
    const proved = await proveIsolation(atrium, ROUTES);
    // Every route addressing a resource by id must be in the list above.
    // Operator routes address any organisation by design; only platform operators hold their permission.
    const byId = atrium.http.routeCatalog
      .filter((route) => route.url.includes(':id') && route.permission !== 'platform:operate')
      .map((route) => `${route.method} ${route.url}`);
    expect(byId.filter((route) => !proved.includes(route))).toEqual([]);
  });

  it("never lists another organization's resources", async () => {
    const client = testClient(atrium);
    const a = await createTenant(client);
    const b = await createTenant(client);
    await client.request('POST', '/api/v1/invitations', { token: a.owner.token, body: { email: 'x@example.com', role: 'member' } });
    for (const url of [
      '/api/v1/workspaces',
      '/api/v1/members',
      '/api/v1/invitations',
      '/api/v1/api-keys',
      '/api/v1/webhooks',
      '/api/v1/audit-logs',
    ]) {
      const listed = await client.request('GET', url, { token: b.key });
      expect(listed.status).toBe(200);
      expect(JSON.stringify(listed.body)).not.toContain(a.orgId);
      expect(JSON.stringify(listed.body)).not.toContain(a.workspaceId);
      expect(JSON.stringify(listed.body)).not.toContain(a.owner.user.id);
    }
  });

  it('refuses an API key for a workspace of another organization', async () => {
    const client = testClient(atrium);
    const a = await createTenant(client);
    const b = await createTenant(client);
    const response = await client.request('POST', '/api/v1/api-keys', {
      token: b.owner.token,
      body: { name: 'x', workspace_id: a.workspaceId },
    });
    expect(response.status).toBe(404);
    expect(response.body.error.param).toBe('workspace_id');
  });

  it('does not let a user switch into an organization they do not belong to', async () => {
    const client = testClient(atrium);
    const a = await createTenant(client);
    const b = await createTenant(client);
    const response = await client.request('POST', '/api/v1/auth/switch', { token: b.owner.token, body: { organization_id: a.orgId } });
    expect(response.status).toBe(404);
  });
});
