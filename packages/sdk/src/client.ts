import { AtriumError } from './errors.ts';
import type { ApiKey, Invitation, Me, Member, Organization, Page, Role, Session, Workspace } from './types.ts';

export interface ClientOptions {
  /** Where Atrium runs, e.g. `https://atrium.example.com`. */
  baseUrl: string;
  /** An API key (`atr_live_…`) or an access token. */
  token?: string;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  /** Makes a POST safe to retry: the same key and body replays the first response. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/**
 * A typed client for the Atrium platform API.
 *
 * @example
 * const atrium = createClient({ baseUrl: 'http://localhost:3000', token: 'atr_live_…' });
 * const { data } = await atrium.workspaces.list();
 */
export function createClient(options: ClientOptions) {
  const fetchImpl = options.fetch ?? fetch;
  let token = options.token;
  const base = options.baseUrl.replace(/\/$/, '');

  async function request<T>(method: string, path: string, body?: unknown, extra: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (extra.idempotencyKey) headers['idempotency-key'] = extra.idempotencyKey;
    const response = await fetchImpl(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: extra.signal,
    });
    if (response.status === 204) return undefined as T;
    const payload = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = payload?.error ?? {};
      throw new AtriumError(
        response.status,
        error.type ?? 'api_error',
        error.code ?? 'unknown',
        error.message ?? response.statusText,
        error.param,
        error.request_id ?? response.headers.get('x-request-id') ?? undefined,
      );
    }
    return payload as T;
  }

  const query = (params: Record<string, string | number | undefined>) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
    const text = search.toString();
    return text ? `?${text}` : '';
  };

  return {
    /** Replaces the credential used by later calls. */
    setToken(next: string | undefined) {
      token = next;
    },
    auth: {
      async signup(input: { email: string; password: string; name: string; organization: string }) {
        const session = await request<Session & { organization: Organization; workspace: Workspace }>('POST', '/api/v1/auth/signup', input);
        token = session.access_token;
        return session;
      },
      async login(input: { email: string; password: string }) {
        const session = await request<Session>('POST', '/api/v1/auth/login', input);
        token = session.access_token;
        return session;
      },
      async refresh(refreshToken: string) {
        const session = await request<Session>('POST', '/api/v1/auth/refresh', { refresh_token: refreshToken });
        token = session.access_token;
        return session;
      },
      logout: () => request<void>('POST', '/api/v1/auth/logout', {}),
      switchOrganization: async (organizationId: string) => {
        const session = await request<Session>('POST', '/api/v1/auth/switch', { organization_id: organizationId });
        token = session.access_token;
        return session;
      },
    },
    me: () => request<Me>('GET', '/api/v1/me'),
    workspaces: {
      list: (page: { limit?: number; cursor?: string } = {}) => request<Page<Workspace>>('GET', `/api/v1/workspaces${query(page)}`),
      get: (id: string) => request<Workspace>('GET', `/api/v1/workspaces/${encodeURIComponent(id)}`),
      create: (input: { name: string; description?: string }, extra?: RequestOptions) =>
        request<Workspace>('POST', '/api/v1/workspaces', input, extra),
      update: (id: string, patch: { name?: string; description?: string | null }) =>
        request<Workspace>('PATCH', `/api/v1/workspaces/${encodeURIComponent(id)}`, patch),
      delete: (id: string) => request<void>('DELETE', `/api/v1/workspaces/${encodeURIComponent(id)}`),
    },
    apiKeys: {
      list: () => request<{ data: ApiKey[] }>('GET', '/api/v1/api-keys'),
      create: (input: { name: string; workspace_id: string; scopes?: string[]; expires_at?: string }, extra?: RequestOptions) =>
        request<ApiKey & { key: string }>('POST', '/api/v1/api-keys', input, extra),
      rotate: (id: string, input: { overlap_seconds?: number } = {}) =>
        request<ApiKey & { key: string; previous: ApiKey }>('POST', `/api/v1/api-keys/${encodeURIComponent(id)}/rotate`, input),
      revoke: (id: string) => request<void>('DELETE', `/api/v1/api-keys/${encodeURIComponent(id)}`),
    },
    members: {
      list: () => request<{ data: Member[] }>('GET', '/api/v1/members'),
      changeRole: (id: string, role: Role) => request<Member>('PATCH', `/api/v1/members/${encodeURIComponent(id)}`, { role }),
      remove: (id: string) => request<void>('DELETE', `/api/v1/members/${encodeURIComponent(id)}`),
    },
    invitations: {
      list: () => request<{ data: Invitation[] }>('GET', '/api/v1/invitations'),
      create: (input: { email: string; role: Role }) =>
        request<Invitation & { token: string; url: string }>('POST', '/api/v1/invitations', input),
      revoke: (id: string) => request<void>('DELETE', `/api/v1/invitations/${encodeURIComponent(id)}`),
      accept: (invitationToken: string) =>
        request<{ organization: Organization; role: Role; membership_id: string }>('POST', '/api/v1/invitations/accept', {
          token: invitationToken,
        }),
    },
  };
}

export type AtriumClient = ReturnType<typeof createClient>;
