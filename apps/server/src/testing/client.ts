import { randomBytes } from 'node:crypto';
import type { Atrium } from '../app.ts';

export interface TestResponse<Body = any> {
  status: number;
  body: Body;
  headers: Record<string, string | string[] | undefined>;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Requests through `inject` (no sockets), JSON in and out. */
export function testClient(atrium: Atrium) {
  async function request<Body = any>(method: string, url: string, options: RequestOptions = {}): Promise<TestResponse<Body>> {
    const response = await atrium.http.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      payload: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = response.body;
    let body: unknown = text;
    if ((response.headers['content-type'] ?? '').toString().includes('json') && text) body = JSON.parse(text);
    return { status: response.statusCode, body: body as Body, headers: response.headers as TestResponse['headers'] };
  }

  async function signup(overrides: Partial<{ email: string; password: string; name: string; organization: string }> = {}) {
    const input = {
      email: `user-${randomBytes(5).toString('hex')}@example.com`,
      password: 'correct horse battery',
      name: 'Test User',
      organization: `Org ${randomBytes(3).toString('hex')}`,
      ...overrides,
    };
    const response = await request('POST', '/api/v1/auth/signup', { body: input });
    if (response.status !== 201) throw new Error(`signup failed: ${response.status} ${JSON.stringify(response.body)}`);
    return { ...response.body, email: input.email, password: input.password, token: response.body.access_token as string };
  }

  /** Invites `email` into the org of `owner` with `role`, signs the person up and accepts; returns their session in that org. */
  async function addMember(ownerToken: string, role: string) {
    const person = await signup();
    const invite = await request('POST', '/api/v1/invitations', { token: ownerToken, body: { email: person.email, role } });
    if (invite.status !== 201) throw new Error(`invite failed: ${invite.status} ${JSON.stringify(invite.body)}`);
    const accepted = await request('POST', '/api/v1/invitations/accept', { token: person.token, body: { token: invite.body.token } });
    if (accepted.status !== 200) throw new Error(`accept failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
    const switched = await request('POST', '/api/v1/auth/switch', {
      token: person.token,
      body: { organization_id: accepted.body.organization.id },
    });
    if (switched.status !== 200) throw new Error(`switch failed: ${switched.status}`);
    return { ...person, token: switched.body.access_token as string, membershipId: accepted.body.membership_id as string };
  }

  async function createKey(token: string, workspaceId: string, extra: Record<string, unknown> = {}) {
    const response = await request('POST', '/api/v1/api-keys', { token, body: { name: 'test key', workspace_id: workspaceId, ...extra } });
    if (response.status !== 201) throw new Error(`key failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as { id: string; key: string };
  }

  return { request, signup, addMember, createKey };
}

/** Polls `check` until it returns a value (or throws after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
