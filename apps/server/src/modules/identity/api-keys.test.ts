import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../app.ts';
import { hashSecret } from '../../kernel/crypto/hash.ts';
import { eventually, testClient } from '../../testing/client.ts';
import { createTestAtrium } from '../../testing/harness.ts';

let now = Date.now();
let atrium: Atrium;
let client: ReturnType<typeof testClient>;
beforeAll(async () => {
  atrium = await createTestAtrium({ clock: () => new Date(now) });
  client = testClient(atrium);
});
afterAll(() => atrium?.close());

describe('API keys', () => {
  it('shows the secret once, stores only a hash, and authenticates /api/v1', async () => {
    const owner = await client.signup();
    const created = await client.request('POST', '/api/v1/api-keys', {
      token: owner.token,
      body: { name: 'CI', workspace_id: owner.workspace.id },
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^atr_live_[A-Za-z0-9]{40}$/);
    expect(created.body.last4).toBe(created.body.key.slice(-4));
    expect(created.body.scopes).toEqual([...atrium.kernel.permissions.of('owner')].sort());

    const listed = await client.request('GET', '/api/v1/api-keys', { token: owner.token });
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.data[0]).toMatchObject({ id: created.body.id, name: 'CI', workspace_id: owner.workspace.id, last_used_at: null });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);

    const me = await client.request('GET', '/api/v1/me', { token: created.body.key });
    expect(me.status).toBe(200);
    expect(me.body.api_key).toEqual({ id: created.body.id, workspace_id: owner.workspace.id });
    expect(me.body.organization.id).toBe(owner.organization.id);

    const used = await eventually(async () => {
      const keys = await client.request('GET', '/api/v1/api-keys', { token: owner.token });
      return keys.body.data[0].last_used_at;
    });
    expect(used).toBeTruthy();
  });

  it('revokes: the key stops working at once', async () => {
    const owner = await client.signup();
    const key = await client.createKey(owner.token, owner.workspace.id);
    expect((await client.request('GET', '/api/v1/workspaces', { token: key.key })).status).toBe(200);
    expect((await client.request('DELETE', `/api/v1/api-keys/${key.id}`, { token: owner.token })).status).toBe(204);
    const after = await client.request('GET', '/api/v1/workspaces', { token: key.key });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('invalid_api_key');
    expect((await client.request('DELETE', `/api/v1/api-keys/${key.id}`, { token: owner.token })).status).toBe(404);
  });

  it('cannot be brought back to life by a lookup that raced the revocation', async () => {
    const owner = await client.signup();
    const key = await client.createKey(owner.token, owner.workspace.id);
    expect((await client.request('GET', '/api/v1/me', { token: key.key })).status).toBe(200);
    expect((await client.request('DELETE', `/api/v1/api-keys/${key.id}`, { token: owner.token })).status).toBe(204);
    // A lookup that read the row before the revoke tries to cache what it saw: it must not stick.
    const stale = {
      id: key.id,
      orgId: owner.organization.id,
      workspaceId: owner.workspace.id,
      createdBy: owner.user.id,
      scopes: [],
      expiresAt: null,
      revoked: false,
      role: 'owner',
    };
    const cacheKey = `apikey:${hashSecret(key.key)}`;
    expect(await atrium.kernel.cache.setIfAbsent(cacheKey, JSON.stringify(stale), 30_000)).toBe(false);
    expect((await client.request('GET', '/api/v1/me', { token: key.key })).status).toBe(401);
  });

  it('rotates with an overlap window during which both keys work', async () => {
    const owner = await client.signup();
    const old = await client.createKey(owner.token, owner.workspace.id);
    const rotated = await client.request('POST', `/api/v1/api-keys/${old.id}/rotate`, {
      token: owner.token,
      body: { overlap_seconds: 3600 },
    });
    expect(rotated.status).toBe(201);
    expect(rotated.body.key).not.toBe(old.key);
    expect(rotated.body.previous).toMatchObject({ id: old.id, replaced_by: rotated.body.id });
    expect(new Date(rotated.body.previous.expires_at).getTime()).toBeCloseTo(now + 3_600_000, -4);

    expect((await client.request('GET', '/api/v1/me', { token: old.key })).status).toBe(200);
    expect((await client.request('GET', '/api/v1/me', { token: rotated.body.key })).status).toBe(200);
    now += 3_601_000;
    expect((await client.request('GET', '/api/v1/me', { token: old.key })).status).toBe(401);
    expect((await client.request('GET', '/api/v1/me', { token: rotated.body.key })).status).toBe(200);
  });

  it('rotates by default with a 24 hour overlap, or immediately with 0', async () => {
    const owner = await client.signup();
    const a = await client.createKey(owner.token, owner.workspace.id);
    const rotated = await client.request('POST', `/api/v1/api-keys/${a.id}/rotate`, { token: owner.token });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(201);
    expect(new Date(rotated.body.previous.expires_at).getTime()).toBeCloseTo(now + 86_400_000, -4);
    const b = await client.createKey(owner.token, owner.workspace.id);
    const immediate = await client.request('POST', `/api/v1/api-keys/${b.id}/rotate`, { token: owner.token, body: { overlap_seconds: 0 } });
    expect(immediate.status).toBe(201);
    expect((await client.request('GET', '/api/v1/me', { token: b.key })).status).toBe(401);
  });

  it('expires keys at their expiry and refuses an expiry in the past', async () => {
    const owner = await client.signup();
    const past = await client.request('POST', '/api/v1/api-keys', {
      token: owner.token,
      body: { name: 'x', workspace_id: owner.workspace.id, expires_at: new Date(now - 1000).toISOString() },
    });
    expect(past.status).toBe(400);
    expect(past.body.error.param).toBe('expires_at');
    const key = await client.createKey(owner.token, owner.workspace.id, { expires_at: new Date(now + 60_000).toISOString() });
    expect((await client.request('GET', '/api/v1/me', { token: key.key })).status).toBe(200);
    now += 61_000;
    expect((await client.request('GET', '/api/v1/me', { token: key.key })).status).toBe(401);
  });

  it("stops a removed member's keys", async () => {
    const owner = await client.signup();
    const developer = await client.addMember(owner.token, 'developer');
    const key = await client.createKey(developer.token, owner.workspace.id);
    expect((await client.request('GET', '/api/v1/workspaces', { token: key.key })).status).toBe(200);
    await client.request('DELETE', `/api/v1/members/${developer.membershipId}`, { token: owner.token });
    await eventually(async () => (await client.request('GET', '/api/v1/workspaces', { token: key.key })).status === 401);
  });

  it('revokes the keys of a deleted workspace', async () => {
    const owner = await client.signup();
    const space = await client.request('POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'Temporary' } });
    const key = await client.createKey(owner.token, space.body.id);
    expect((await client.request('GET', '/api/v1/me', { token: key.key })).status).toBe(200);
    expect((await client.request('DELETE', `/api/v1/workspaces/${space.body.id}`, { token: owner.token })).status).toBe(204);
    await eventually(async () => (await client.request('GET', '/api/v1/me', { token: key.key })).status === 401);
    const listed = await client.request('GET', '/api/v1/api-keys', { token: owner.token });
    expect(listed.body.data.find((entry: { id: string }) => entry.id === key.id).revoked_at).toBeTruthy();
  });
});
