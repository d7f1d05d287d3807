import { expect } from 'vitest';
import type { Atrium } from '../app.ts';
import { testClient } from './client.ts';

export interface Tenant {
  owner: Awaited<ReturnType<ReturnType<typeof testClient>['signup']>>;
  /** An API key of the owner with every permission the owner holds. */
  key: string;
  orgId: string;
  workspaceId: string;
}

/**
 * One route to prove isolated: `create` makes a resource in org A and returns its id (substituted
 * for `:id`); `readBack` is an org-A GET whose answer must not change when org B tries the route.
 */
export interface IsolatedRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  body?: unknown;
  create: (tenant: Tenant, client: ReturnType<typeof testClient>) => Promise<string>;
  readBack: (id: string) => string;
}

export async function createTenant(client: ReturnType<typeof testClient>): Promise<Tenant> {
  const owner = await client.signup();
  const key = await client.createKey(owner.token, owner.workspace.id);
  return { owner, key: key.key, orgId: owner.organization.id, workspaceId: owner.workspace.id };
}

/**
 * Creates two organisations and proves that every listed route, called by org B's user and by
 * org B's API key on org A's resource, answers 404 and leaves the resource exactly as it was.
 * Returns the routes it proved, as `METHOD url`, so a test can check every route is covered.
 */
export async function proveIsolation(atrium: Atrium, routes: IsolatedRoute[]): Promise<string[]> {
  const client = testClient(atrium);
  const [tenantA, tenantB] = [await createTenant(client), await createTenant(client)];
  const proved: string[] = [];
  for (const route of routes) {
    for (const credential of [tenantB.owner.token, tenantB.key]) {
      const id = await route.create(tenantA, client);
      const before = await client.request('GET', route.readBack(id), { token: tenantA.owner.token });
      expect(before.status, `${route.method} ${route.url}: readBack as A`).toBe(200);
      const url = route.url.replace(':id', id);
      const attempt = await client.request(route.method, url, {
        token: credential,
        body: route.body ?? (route.method === 'GET' || route.method === 'DELETE' ? undefined : {}),
      });
      expect(attempt.status, `${route.method} ${url} by another organization`).toBe(404);
      expect(attempt.body.error.type).toBe('not_found_error');
      const after = await client.request('GET', route.readBack(id), { token: tenantA.owner.token });
      expect(after.body, `${route.method} ${route.url} changed org A's resource`).toEqual(before.body);
    }
    proved.push(`${route.method} ${route.url}`);
  }
  return proved;
}
