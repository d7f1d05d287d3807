import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../app.ts';
import { ROLES } from '../kernel/http/permissions.ts';
import { testClient } from './client.ts';
import { createTestAtrium } from './harness.ts';

let atrium: Atrium;
beforeAll(async () => {
  atrium = await createTestAtrium();
});
afterAll(() => atrium?.close());

/** The permissions each role must hold: the product's contract, written out by hand. */
const EXPECTED: Record<string, string[]> = {
  owner: [
    'api_keys:read',
    'api_keys:write',
    'audit:read',
    'billing:read',
    'billing:write',
    'capabilities:approve',
    'capabilities:invoke',
    'capabilities:read',
    'gateway:read',
    'gateway:use',
    'gateway:write',
    'members:read',
    'members:write',
    'org:read',
    'org:write',
    'plugins:read',
    'plugins:write',
    'request_logs:read',
    'usage:read',
    'usage:write',
    'webhooks:read',
    'webhooks:write',
    'workspaces:read',
    'workspaces:write',
  ],
  admin: [
    'api_keys:read',
    'api_keys:write',
    'audit:read',
    'billing:read',
    'billing:write',
    'capabilities:approve',
    'capabilities:invoke',
    'capabilities:read',
    'gateway:read',
    'gateway:use',
    'gateway:write',
    'members:read',
    'members:write',
    'org:read',
    'org:write',
    'plugins:read',
    'plugins:write',
    'request_logs:read',
    'usage:read',
    'usage:write',
    'webhooks:read',
    'webhooks:write',
    'workspaces:read',
    'workspaces:write',
  ],
  developer: [
    'api_keys:read',
    'api_keys:write',
    'capabilities:invoke',
    'capabilities:read',
    'gateway:read',
    'gateway:use',
    'members:read',
    'org:read',
    'plugins:read',
    'plugins:write',
    'request_logs:read',
    'usage:read',
    'usage:write',
    'webhooks:read',
    'webhooks:write',
    'workspaces:read',
    'workspaces:write',
  ],
  member: [
    'api_keys:read',
    'capabilities:invoke',
    'capabilities:read',
    'gateway:read',
    'gateway:use',
    'members:read',
    'org:read',
    'plugins:read',
    'workspaces:read',
  ],
  viewer: ['capabilities:read', 'gateway:read', 'members:read', 'org:read', 'plugins:read', 'usage:read', 'workspaces:read'],
  billing: ['billing:read', 'billing:write', 'members:read', 'org:read', 'usage:read'],
};

describe('roles × routes', () => {
  it('gives each role exactly its permissions', async () => {
    for (const role of ROLES) expect([...atrium.kernel.permissions.of(role)].sort(), role).toEqual(EXPECTED[role]);
  });

  it('lets every role call exactly the routes its permissions allow', async () => {
    const client = testClient(atrium);
    const owner = await client.signup();
    const sessions: Record<string, string> = { owner: owner.token };
    for (const role of ROLES.filter((name) => name !== 'owner')) sessions[role] = (await client.addMember(owner.token, role)).token;

    const checked: string[] = [];
    for (const route of atrium.http.routeCatalog) {
      if (route.permission === 'public' || route.permission === 'authenticated') continue;
      // Sessions call this with each role; API-key-only routes (such as /mcp) are proven with keys in their own tests.
      if (!route.principals.includes('user')) continue;
      for (const role of ROLES) {
        const url = route.url.replace(':id', 'zzz_does_not_exist');
        const response = await client.request(route.method, url, {
          token: sessions[role],
          body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
        });
        const allowed = EXPECTED[role].includes(route.permission);
        if (allowed) expect(response.status, `${role} ${route.method} ${route.url}`).not.toBe(403);
        else {
          expect(response.status, `${role} ${route.method} ${route.url}`).toBe(403);
          expect(response.body.error.code).toBe('missing_permission');
        }
      }
      checked.push(`${route.method} ${route.url}`);
    }
    expect(checked.length).toBeGreaterThan(10);
  });

  it('limits an API key to its scopes, within its creator’s role', async () => {
    const client = testClient(atrium);
    const owner = await client.signup();
    const readOnly = await client.createKey(owner.token, owner.workspace.id, { scopes: ['workspaces:read'] });
    expect((await client.request('GET', '/api/v1/workspaces', { token: readOnly.key })).status).toBe(200);
    const write = await client.request('POST', '/api/v1/workspaces', { token: readOnly.key, body: { name: 'nope' } });
    expect(write.status).toBe(403);
    expect((await client.request('GET', '/api/v1/members', { token: readOnly.key })).status).toBe(403);

    const developer = await client.addMember(owner.token, 'developer');
    const tooMuch = await client.request('POST', '/api/v1/api-keys', {
      token: developer.token,
      body: { name: 'x', workspace_id: owner.workspace.id, scopes: ['members:write'] },
    });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.error).toMatchObject({ code: 'scope_not_held', param: 'scopes[0]' });
  });

  it('refuses user-only routes to API keys', async () => {
    const client = testClient(atrium);
    const owner = await client.signup();
    const key = await client.createKey(owner.token, owner.workspace.id);
    for (const route of atrium.http.routeCatalog.filter((entry) => !entry.principals.includes('api_key'))) {
      const response = await client.request(route.method, route.url.replace(':id', 'x'), {
        token: key.key,
        body: route.method === 'GET' ? undefined : {},
      });
      expect(response.status, `${route.method} ${route.url}`).toBe(403);
    }
  });
});
