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

describe('error envelope', () => {
  it('names the failing field of a bad body', async () => {
    const response = await client.request('POST', '/api/v1/auth/signup', {
      body: { email: 'not-an-email', password: 'long enough password', name: 'A', organization: 'B' },
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: {
        type: 'invalid_request_error',
        code: 'invalid_value',
        message: expect.any(String),
        param: 'email',
        request_id: expect.stringMatching(/^req_/),
      },
    });
    expect(response.headers['x-request-id']).toBe(response.body.error.request_id);
  });

  it('names nested fields with their path', async () => {
    const owner = await client.signup();
    const response = await client.request('POST', '/api/v1/api-keys', {
      token: owner.token,
      body: { name: 'x', workspace_id: owner.workspace.id, scopes: ['ok', 7] },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.param).toBe('scopes[1]');
  });

  it('answers malformed JSON, unknown routes and wrong media types in the envelope', async () => {
    const malformed = await atrium.http.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('invalid_json');
    const unknown = await client.request('GET', '/api/v1/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('route_not_found');
    const media = await atrium.http.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expect(media.statusCode).toBe(415);
    expect(media.json().error.code).toBe('unsupported_media_type');
  });

  it('reads an empty JSON body as no body', async () => {
    const owner = await client.signup();
    const key = await client.createKey(owner.token, owner.workspace.id);
    const headers = { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' };
    const rotated = await atrium.http.inject({ method: 'POST', url: `/api/v1/api-keys/${key.id}/rotate`, headers, payload: '' });
    expect(rotated.statusCode).toBe(201);
    const revoked = await atrium.http.inject({ method: 'DELETE', url: `/api/v1/api-keys/${rotated.json().id}`, headers, payload: '' });
    expect(revoked.statusCode).toBe(204);
    const missing = await atrium.http.inject({ method: 'POST', url: '/api/v1/workspaces', headers, payload: '' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.type).toBe('invalid_request_error');
  });

  it('keeps a sane incoming request id and replaces a hostile one', async () => {
    const kept = await client.request('GET', '/healthz', { headers: { 'x-request-id': 'trace-123' } });
    expect(kept.headers['x-request-id']).toBe('trace-123');
    const replaced = await client.request('GET', '/healthz', { headers: { 'x-request-id': 'a b\u0000<script>' } });
    expect(replaced.headers['x-request-id']).toMatch(/^req_/);
  });
});

describe('idempotency keys', () => {
  it('replays the first response for the same key and body, and refuses another body', async () => {
    const owner = await client.signup();
    const headers = { 'idempotency-key': 'create-ws-1' };
    const first = await client.request('POST', '/api/v1/workspaces', { token: owner.token, headers, body: { name: 'Once' } });
    const second = await client.request('POST', '/api/v1/workspaces', { token: owner.token, headers, body: { name: 'Once' } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    const list = await client.request('GET', '/api/v1/workspaces', { token: owner.token });
    expect(list.body.data.filter((space: { name: string }) => space.name === 'Once')).toHaveLength(1);

    const different = await client.request('POST', '/api/v1/workspaces', { token: owner.token, headers, body: { name: 'Twice' } });
    expect(different.status).toBe(422);
    expect(different.body.error).toMatchObject({ type: 'idempotency_error', code: 'idempotency_key_reused' });
  });

  it('replays a created API key without keeping its secret in clear', async () => {
    const owner = await client.signup();
    const headers = { 'idempotency-key': 'key-once' };
    const body = { name: 'replayed', workspace_id: owner.workspace.id };
    const first = await client.request('POST', '/api/v1/api-keys', { token: owner.token, headers, body });
    const second = await client.request('POST', '/api/v1/api-keys', { token: owner.token, headers, body });
    expect(second.body.key).toBe(first.body.key);
    const { rows } = await atrium.kernel.database.sql.query<{ response_body: string }>(
      "select response_body from idempotency_keys where key = 'key-once'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].response_body).not.toContain(first.body.key);
  });

  it('does not apply to sign-in and sign-up, whose answers are fresh credentials', async () => {
    const account = await client.signup();
    const headers = { 'idempotency-key': 'login-1' };
    const body = { email: account.email, password: account.password };
    const first = await client.request('POST', '/api/v1/auth/login', { headers, body });
    const second = await client.request('POST', '/api/v1/auth/login', { headers, body });
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
  });

  it('scopes keys to the caller: another organization may reuse the same key', async () => {
    const a = await client.signup();
    const b = await client.signup();
    const headers = { 'idempotency-key': 'shared-key' };
    const first = await client.request('POST', '/api/v1/workspaces', { token: a.token, headers, body: { name: 'A' } });
    const second = await client.request('POST', '/api/v1/workspaces', { token: b.token, headers, body: { name: 'A' } });
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
  });
});

describe('operations endpoints', () => {
  it('serves health, readiness and Prometheus metrics', async () => {
    expect((await client.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await client.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: 'ok', migrations: 'ok' });
    const metrics = await client.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('atrium_http_request_duration_seconds');
  });

  it('publishes an OpenAPI 3.1 document covering every API route, and the reference page', async () => {
    const document = await client.request('GET', '/api/v1/openapi.json');
    expect(document.status).toBe(200);
    expect(document.body.openapi).toBe('3.1.0');
    for (const route of atrium.http.routeCatalog) {
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      expect(document.body.paths[path]?.[route.method.toLowerCase()], `${route.method} ${path}`).toBeDefined();
    }
    const docs = await atrium.http.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
  });
});
