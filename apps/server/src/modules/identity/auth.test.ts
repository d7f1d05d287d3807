import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../app.ts';
import { testClient } from '../../testing/client.ts';
import { createTestAtrium } from '../../testing/harness.ts';

let atrium: Atrium;
let client: ReturnType<typeof testClient>;

beforeAll(async () => {
  atrium = await createTestAtrium();
  client = testClient(atrium);
});
afterAll(() => atrium?.close());

describe('sign-up and sign-in', () => {
  it('creates a user, an organization, a default workspace and an owner membership', async () => {
    const account = await client.signup({ name: 'Ada', organization: 'Analytical Engines' });
    expect(account.user).toMatchObject({ name: 'Ada', email: account.email });
    expect(account.organization).toMatchObject({ name: 'Analytical Engines', slug: 'analytical-engines' });
    expect(account.organization.id).toMatch(/^org_/);
    expect(account.workspace.id).toMatch(/^ws_/);
    expect(account.refresh_token).toMatch(/^rt_/);

    const me = await client.request('GET', '/api/v1/me', { token: account.token });
    expect(me.status).toBe(200);
    expect(me.body.role).toBe('owner');
    expect(me.body.memberships).toHaveLength(1);
    expect(me.body.memberships[0]).toMatchObject({ role: 'owner', organization: { id: account.organization.id } });
    expect(me.body.memberships[0].workspaces.map((space: { id: string }) => space.id)).toEqual([account.workspace.id]);
  });

  it('refuses a duplicate email, whatever its case, naming the field', async () => {
    const account = await client.signup();
    const again = await client.request('POST', '/api/v1/auth/signup', {
      body: { email: account.email.toUpperCase(), password: 'another password', name: 'X', organization: 'Y' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'email_taken', param: 'email', type: 'conflict_error' });
    expect(again.body.error.request_id).toBeTruthy();
  });

  it('signs in with the right password only', async () => {
    const account = await client.signup();
    const good = await client.request('POST', '/api/v1/auth/login', { body: { email: account.email, password: account.password } });
    expect(good.status).toBe(200);
    expect(good.body.user.id).toBe(account.user.id);
    expect(good.headers['set-cookie']).toBeDefined();
    const bad = await client.request('POST', '/api/v1/auth/login', { body: { email: account.email, password: 'wrong password!' } });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('invalid_credentials');
    const nobody = await client.request('POST', '/api/v1/auth/login', { body: { email: 'nobody@example.com', password: 'whatever123' } });
    expect(nobody.status).toBe(401);
    expect(nobody.body.error.code).toBe('invalid_credentials');
  });

  it('throttles repeated failed sign-ins', async () => {
    const account = await client.signup();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      const response = await client.request('POST', '/api/v1/auth/login', { body: { email: account.email, password: 'not the password' } });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    const locked = await client.request('POST', '/api/v1/auth/login', { body: { email: account.email, password: account.password } });
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBeDefined();
  });

  it('rejects requests without credentials or with a bad token', async () => {
    expect((await client.request('GET', '/api/v1/me')).status).toBe(401);
    const bad = await client.request('GET', '/api/v1/me', { token: 'not-a-token' });
    expect(bad.status).toBe(401);
    expect(bad.body.error.type).toBe('authentication_error');
  });
});

describe('refresh tokens', () => {
  it('rotates, and reusing a rotated token revokes the whole family', async () => {
    const account = await client.signup();
    const first = await client.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: account.refresh_token } });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(account.refresh_token);

    const reuse = await client.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: account.refresh_token } });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('refresh_token_reused');

    // The family is gone: the newest refresh token and its access token no longer work.
    const newest = await client.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: first.body.refresh_token } });
    expect(newest.status).toBe(401);
    expect((await client.request('GET', '/api/v1/me', { token: first.body.access_token })).status).toBe(401);
  });

  it('signs out: the session stops working at once', async () => {
    const account = await client.signup();
    expect((await client.request('POST', '/api/v1/auth/logout', { token: account.token, body: {} })).status).toBe(204);
    expect((await client.request('GET', '/api/v1/me', { token: account.token })).status).toBe(401);
    expect((await client.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: account.refresh_token } })).status).toBe(401);
  });
});

describe('passwords', () => {
  it('changes the password and signs out other sessions', async () => {
    const account = await client.signup();
    const other = await client.request('POST', '/api/v1/auth/login', { body: { email: account.email, password: account.password } });
    const wrong = await client.request('POST', '/api/v1/auth/password', {
      token: account.token,
      body: { current_password: 'nope nope nope', new_password: 'a brand new password' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.param).toBe('current_password');
    const changed = await client.request('POST', '/api/v1/auth/password', {
      token: account.token,
      body: { current_password: account.password, new_password: 'a brand new password' },
    });
    expect(changed.status).toBe(204);
    expect((await client.request('GET', '/api/v1/me', { token: account.token })).status).toBe(200);
    expect((await client.request('GET', '/api/v1/me', { token: other.body.access_token })).status).toBe(401);
    const login = await client.request('POST', '/api/v1/auth/login', { body: { email: account.email, password: 'a brand new password' } });
    expect(login.status).toBe(200);
  });

  it('answers a reset request the same way for unknown emails', async () => {
    const response = await client.request('POST', '/api/v1/auth/password/forgot', { body: { email: 'ghost@example.com' } });
    expect(response.status).toBe(202);
    const badToken = await client.request('POST', '/api/v1/auth/password/reset', {
      body: { token: 'prt_nope', password: 'whatever whatever' },
    });
    expect(badToken.status).toBe(400);
    expect(badToken.body.error).toMatchObject({ code: 'invalid_reset_token', param: 'token' });
  });
});
