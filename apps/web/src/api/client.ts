/** Thin fetch wrapper: JSON in and out, cookies included, one refresh attempt on 401. */

export interface ApiErrorBody {
  type?: string;
  code?: string;
  message?: string;
  param?: string;
  request_id?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string;
  readonly param?: string;
  readonly requestId?: string;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message || defaultMessage(status));
    this.name = 'ApiError';
    this.status = status;
    this.type = body.type ?? 'api_error';
    this.code = body.code ?? 'unknown';
    this.param = body.param;
    this.requestId = body.request_id;
  }
}

function defaultMessage(status: number): string {
  if (status === 0) return 'Could not reach the server. Check your connection and try again.';
  if (status === 401) return 'Your session has ended. Please sign in again.';
  if (status === 403) return 'You do not have permission to do that.';
  if (status === 404) return 'Not found.';
  if (status === 429) return 'Too many attempts. Please wait a moment and try again.';
  return 'Something went wrong. Please try again.';
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** Skip the refresh-and-retry dance (used by auth endpoints themselves). */
  skipRefresh?: boolean;
  /** Do not notify the unauthorized handler (used to probe whether a session exists). */
  silentUnauthorized?: boolean;
}

let unauthorizedHandler: (() => void) | null = null;
let refreshInFlight: Promise<boolean> | null = null;

export function setUnauthorizedHandler(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  try {
    return await fetch(path, { method, headers, body, credentials: 'include', signal: options.signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, {});
  }
}

async function parseBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Trades the refresh cookie for a new session once, shared by every caller that got a 401 at the same time. */
export function refreshSession(): Promise<boolean> {
  if (!refreshInFlight) {
    refreshInFlight = send('/api/v1/auth/refresh', { method: 'POST', body: {} })
      .then((response) => response.ok)
      .catch(() => false)
      .finally(() => {
        refreshInFlight = null;
      });
  }
  return refreshInFlight;
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let response = await send(path, options);
  if (response.status === 401 && !options.skipRefresh) {
    const refreshed = await refreshSession();
    if (refreshed) response = await send(path, options);
  }
  const payload = await parseBody(response);
  if (!response.ok) {
    const envelope = (payload as { error?: ApiErrorBody } | undefined)?.error ?? {};
    const error = new ApiError(response.status, envelope);
    if (response.status === 401 && !options.skipRefresh && !options.silentUnauthorized) {
      unauthorizedHandler?.();
    }
    throw error;
  }
  return payload as T;
}

/**
 * A query string from the values that are set, with its `?`; empty when none is.
 *
 * @example queryString({ workspace_id: 'ws_1', cursor: undefined }) // '?workspace_id=ws_1'
 */
export function queryString(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value) params.set(name, value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** A 403 `permission_error`: the caller's role does not allow this. */
export function isPermissionError(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 403 && error.type === 'permission_error';
}

/** The permission a 403 message names (e.g. "requires the 'members:read' permission"), if any. */
export function missingPermission(error: unknown): string | null {
  if (!isPermissionError(error)) return null;
  return /'([a-z_-]+:[a-z_*-]+)'/i.exec(error.message)?.[1] ?? null;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Please try again.';
}
