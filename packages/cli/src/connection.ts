import { type AtriumClient, createClient } from '@atrium/sdk';
import { type CliEnvironment, DEFAULT_URL } from './config.ts';
import { readCredentials, type StoredCredentials, saveCredentials } from './credentials.ts';
import { CliError, UsageError } from './output.ts';

/** The options every command accepts (see `program.ts`). */
export interface GlobalOptions {
  url?: string;
  apiKey?: string;
  json?: boolean;
}

/** What a connection needs besides the command's options. */
export interface ConnectionSettings {
  environment: CliEnvironment;
  fetch?: typeof fetch;
}

/**
 * Checks a server URL and drops the trailing slash.
 *
 * @example
 * normalizeUrl('http://localhost:3000/'); // 'http://localhost:3000'
 */
export function normalizeUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`invalid server URL '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`invalid server URL '${raw}': use http or https`);
  return url.href.replace(/\/+$/, '');
}

/**
 * The server to talk to: `--url`, then `ATRIUM_URL`, then the stored session's, then the default.
 *
 * @example
 * resolveBaseUrl({}, environment, stored); // 'http://localhost:3000'
 */
export function resolveBaseUrl(options: GlobalOptions, environment: CliEnvironment, stored?: StoredCredentials): string {
  return normalizeUrl(options.url ?? environment.url ?? stored?.url ?? DEFAULT_URL);
}

/**
 * Wraps `fetch` so an unreachable server is reported as such rather than as `fetch failed`.
 *
 * @example
 * const client = createClient({ baseUrl, fetch: reportingFetch(baseUrl) });
 */
export function reportingFetch(baseUrl: string, inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    try {
      return await inner(input, init);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach ${baseUrl} (${cause?.code ?? cause?.message ?? (error as Error).message})`);
    }
  };
}

/**
 * A client for a stored session. On the first 401 it exchanges the refresh token once, saves the
 * new pair and repeats the request; later requests use the new access token.
 *
 * @example
 * const client = sessionClient(stored, { environment });
 * await client.auth.logout();
 */
export function sessionClient(stored: StoredCredentials, settings: ConnectionSettings): AtriumClient {
  const network = reportingFetch(stored.url, settings.fetch);
  let refreshed: Promise<string> | undefined;
  const refresh = async () => {
    const session = await createClient({ baseUrl: stored.url, fetch: network }).auth.refresh(stored.refresh_token);
    const next = { url: stored.url, access_token: session.access_token, refresh_token: session.refresh_token };
    await saveCredentials(settings.environment.configDirectory, next);
    return next.access_token;
  };
  const withToken = (init: RequestInit | undefined, token: string) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${token}`);
    return { ...init, headers };
  };
  const refreshingFetch: typeof fetch = async (input, init) => {
    if (refreshed) return network(input, withToken(init, await refreshed));
    const response = await network(input, init);
    if (response.status !== 401) return response;
    await response.body?.cancel();
    refreshed ??= refresh();
    return network(input, withToken(init, await refreshed));
  };
  return createClient({ baseUrl: stored.url, token: stored.access_token, fetch: refreshingFetch });
}

/** An authenticated client and how it authenticates. */
export interface Connection {
  client: AtriumClient;
  baseUrl: string;
  credential: 'api-key' | 'session';
}

/**
 * Picks the credential — `--api-key`, then `ATRIUM_API_KEY`, then the stored session (only for the
 * server it was created on) — and returns a client using it.
 *
 * @example
 * const { client } = await connect({ apiKey: 'atr_live_…' }, { environment });
 * const me = await client.me();
 */
export async function connect(options: GlobalOptions, settings: ConnectionSettings): Promise<Connection> {
  const { environment } = settings;
  const stored = await readCredentials(environment.configDirectory);
  const baseUrl = resolveBaseUrl(options, environment, stored);
  const apiKey = options.apiKey ?? environment.apiKey;
  if (apiKey) {
    return {
      client: createClient({ baseUrl, token: apiKey, fetch: reportingFetch(baseUrl, settings.fetch) }),
      baseUrl,
      credential: 'api-key',
    };
  }
  if (!stored) throw new CliError('not logged in: run `atrium login`, or pass --api-key or set ATRIUM_API_KEY');
  if (normalizeUrl(stored.url) !== baseUrl) {
    throw new CliError(`logged in to ${stored.url}, not ${baseUrl}: run \`atrium login --url ${baseUrl}\``);
  }
  return { client: sessionClient(stored, settings), baseUrl, credential: 'session' };
}
