import { atrium, type HostResponse } from '@atrium/plugin-sdk';

export const GITHUB_API = 'https://api.github.com';
/** The REST API version these calls are written against. */
export const API_VERSION = '2022-11-28';

export type GitHubErrorCode = 'not_found' | 'unauthorized' | 'forbidden' | 'rate_limited' | 'invalid' | 'server_error' | 'unexpected';

/**
 * A GitHub answer outside 2xx. `code` is stable (also the start of the message, since only the
 * message leaves the sandbox); GitHub's own message follows.
 *
 * @example
 * catch (error) { if (error instanceof GitHubApiError && error.code === 'not_found') … }
 */
export class GitHubApiError extends Error {
  override readonly name = 'GitHubApiError';

  constructor(
    readonly code: GitHubErrorCode,
    readonly status: number,
    detail: string,
  ) {
    super(`${code}: GitHub answered ${status}${detail ? ` (${detail})` : ''}`);
  }
}

/** Refuses anything but `owner/name`, so input cannot reach other API paths. */
export function repoPath(repo: string): string {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo) || repo.split('/').some((part) => part === '.' || part === '..')) {
    throw new GitHubApiError('invalid', 400, 'repo must be owner/name');
  }
  return `/repos/${repo}`;
}

export function queryString(query: Record<string, string | number | undefined>): string {
  const pairs = Object.entries(query)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`);
  return pairs.length > 0 ? `?${pairs.join('&')}` : '';
}

function failure(response: HostResponse): GitHubApiError {
  let message = '';
  try {
    const body = JSON.parse(response.body) as { message?: unknown };
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  const { status, headers } = response;
  // Primary limit: 403/429 with x-ratelimit-remaining 0; secondary limits: retry-after.
  if ((status === 403 || status === 429) && (headers['x-ratelimit-remaining'] === '0' || headers['retry-after'])) {
    const reset = Number(headers['x-ratelimit-reset']);
    const when = headers['retry-after']
      ? `retry after ${headers['retry-after']} s`
      : Number.isFinite(reset)
        ? `resets at ${new Date(reset * 1000).toISOString()}`
        : '';
    return new GitHubApiError('rate_limited', status, [message, when].filter(Boolean).join('; '));
  }
  const code: GitHubErrorCode =
    status === 404
      ? 'not_found'
      : status === 401
        ? 'unauthorized'
        : status === 403
          ? 'forbidden'
          : status === 422
            ? 'invalid'
            : status >= 500
              ? 'server_error'
              : 'unexpected';
  return new GitHubApiError(code, status, message);
}

/**
 * A GET against the REST API with GitHub's recommended headers, and the token when one is set
 * (without one, public repositories still answer, at a lower rate limit). Answers the parsed
 * body (or the text, for raw media types).
 *
 * @example
 * const issue = await githubGet<{ title: string }>('/repos/octocat/hello-world/issues/1');
 */
export async function githubGet<T>(path: string, { accept = 'application/vnd.github+json', raw = false } = {}): Promise<T> {
  const headers: Record<string, string> = {
    accept,
    'x-github-api-version': API_VERSION,
    // GitHub refuses requests without a User-Agent.
    'user-agent': 'atrium-github-plugin',
  };
  const token = await atrium.secrets.get('token');
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await atrium.fetch(`${GITHUB_API}${path}`, { headers });
  if (response.status < 200 || response.status >= 300) throw failure(response);
  if (raw) return response.body as T;
  try {
    return JSON.parse(response.body) as T;
  } catch {
    throw new GitHubApiError('unexpected', response.status, 'the answer was not JSON');
  }
}
