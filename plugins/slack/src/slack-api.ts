import { atrium, type HostResponse } from '@atrium/plugin-sdk';

/** The Web API's base; every method is `https://slack.com/api/<method>`. */
export const SLACK_API = 'https://slack.com/api';

/**
 * A Slack Web API call that answered `ok: false` (or could not be read). `code` is Slack's own
 * error code (`channel_not_found`, `not_in_channel`, `invalid_auth`, `ratelimited`…), which is
 * also the end of the message, since only the message leaves the sandbox.
 *
 * @example
 * catch (error) { if (error instanceof SlackApiError && error.code === 'not_in_channel') … }
 */
export class SlackApiError extends Error {
  override readonly name = 'SlackApiError';

  constructor(
    readonly method: string,
    readonly code: string,
    detail = '',
  ) {
    super(`Slack ${method} failed${detail}: ${code}`);
  }
}

/** What every Web API answer carries; methods add their own fields. */
export interface SlackResponse {
  ok: boolean;
  error?: string;
  warning?: string;
  response_metadata?: { next_cursor?: string; warnings?: string[] };
}

export interface SlackCall {
  token: string;
  /** GET with a query string (read methods), or POST with a JSON body (write methods). */
  query?: Record<string, string | number | boolean | undefined>;
  json?: Record<string, unknown>;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function queryString(query: NonNullable<SlackCall['query']>): string {
  const pairs = Object.entries(query)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
}

function parse<T extends SlackResponse>(method: string, response: HostResponse): T {
  // Rate limits come as HTTP 429 with Retry-After (seconds); the body may be empty.
  if (response.status === 429) {
    const retryAfter = response.headers['retry-after'];
    throw new SlackApiError(method, 'ratelimited', retryAfter ? ` (retry after ${retryAfter} s)` : '');
  }
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    throw new SlackApiError(method, `http_${response.status}`, ' (the answer was not JSON)');
  }
  if (!isObject(body) || typeof body.ok !== 'boolean') throw new SlackApiError(method, `http_${response.status}`, ' (unexpected answer)');
  if (!body.ok) throw new SlackApiError(method, typeof body.error === 'string' ? body.error : 'unknown_error');
  return body as unknown as T;
}

/**
 * Calls a Web API method with the bot token in the Authorization header and answers its body
 * when `ok` is true; throws `SlackApiError` with Slack's error code otherwise. Warnings (such as
 * `missing_charset`) are logged, not thrown.
 *
 * @example
 * const answer = await callSlack<{ ts: string }>('chat.postMessage', { token, json: { channel: 'C1', text: 'Hi' } });
 */
export async function callSlack<T extends SlackResponse>(method: string, call: SlackCall): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${call.token}` };
  let url = `${SLACK_API}/${method}`;
  let body: string | undefined;
  if (call.json) {
    headers['content-type'] = 'application/json; charset=utf-8';
    body = JSON.stringify(call.json);
  } else if (call.query) {
    url += queryString(call.query);
  }
  const response = await atrium.fetch(url, { method: body === undefined ? 'GET' : 'POST', headers, body });
  const answer = parse<T>(method, response);
  const warnings = answer.response_metadata?.warnings ?? (answer.warning ? answer.warning.split(',') : []);
  if (warnings.length > 0) await atrium.log('warn', `Slack ${method} warned: ${warnings.join(', ')}`);
  return answer;
}

/** The bot token from the installation's secret setting. */
export async function botToken(): Promise<string> {
  const token = await atrium.secrets.get('bot_token');
  if (!token) throw new SlackApiError('auth', 'not_authed', ' (set the bot_token setting)');
  return token;
}
