import { atrium, type HostResponse } from './host.ts';

/** A request for `http.fetch`: `json` is serialised as the body with a JSON content type. */
export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  json?: unknown;
}

/** The host's response with conveniences: `ok` for 2xx, `json()` to parse the body. */
export interface HttpResponse extends HostResponse {
  readonly ok: boolean;
  json<T = unknown>(): T;
}

/**
 * A response outside 2xx, from `http.fetchJson`.
 *
 * @example
 * catch (error) { if (error instanceof HttpError && error.status === 404) return { found: false } }
 */
export class HttpError extends Error {
  readonly code = 'http_error';
  readonly status: number;

  constructor(
    readonly url: string,
    readonly response: HttpResponse,
  ) {
    super(`${url} answered ${response.status}`);
    this.name = 'HttpError';
    this.status = response.status;
  }
}

function hasHeader(headers: Record<string, string>, name: string) {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

async function request(url: string, init: HttpRequest = {}): Promise<HttpResponse> {
  const headers = { ...init.headers };
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
  }
  const response = await atrium.fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  return {
    status: response.status,
    headers: response.headers,
    body: response.body,
    ok: response.status >= 200 && response.status < 300,
    json: <T>() => JSON.parse(response.body) as T,
  };
}

/**
 * HTTP over `atrium.fetch` (the manifest needs `network:<host>` for each host called).
 *
 * @example
 * import { http } from '@atrium/plugin-sdk';
 * const weather = await http.fetchJson<{ temperature: number }>(`https://api.example.com/weather?city=${city}`);
 * const created = await http.fetch('https://api.example.com/items', { json: { name: 'x' } });
 * if (!created.ok) throw new Error(`create failed: ${created.status}`);
 */
export const http = {
  /** Sends the request; any status resolves. Defaults to GET, or POST when there is a body. */
  fetch: request,
  /** Sends the request and parses a JSON answer; a status outside 2xx rejects with `HttpError`. */
  async fetchJson<T = unknown>(url: string, init: HttpRequest = {}): Promise<T> {
    const headers = { ...init.headers };
    if (!hasHeader(headers, 'accept')) headers.accept = 'application/json';
    const response = await request(url, { ...init, headers });
    if (!response.ok) throw new HttpError(url, response);
    return response.json<T>();
  },
};
