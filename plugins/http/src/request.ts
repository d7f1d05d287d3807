import { atrium, defineCapability, type HostResponse, type JsonValue } from '@atrium/plugin-sdk';
import { fillJson, fillText, type Variables } from './template.ts';
import { buildUrl, normaliseBaseUrl, type QueryValue } from './url.ts';

// The capability's whole answer must stay under the sandbox's 1 MiB output limit.
const MAX_BODY_CHARS = 512 * 1024;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The `headers_json` secret: a JSON object of header values, or nothing. */
async function configuredHeaders(): Promise<Record<string, string>> {
  const text = await atrium.secrets.get('headers_json');
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('the headers_json setting is not valid JSON');
  }
  if (!isObject(parsed) || !Object.values(parsed).every((value) => typeof value === 'string')) {
    throw new Error('the headers_json setting must be a JSON object of strings');
  }
  return lowerCaseKeys(parsed as Record<string, string>);
}

const lowerCaseKeys = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));

function encodeBody(body: unknown, variables: Variables, headers: Record<string, string>): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    headers['content-type'] ??= 'text/plain; charset=utf-8';
    return fillText(body, variables);
  }
  headers['content-type'] ??= 'application/json';
  return JSON.stringify(fillJson(body, variables));
}

function decodeBody(response: HostResponse): { body: JsonValue; truncated?: true } {
  if (response.body === '') return { body: null };
  if (response.body.length > MAX_BODY_CHARS) return { body: response.body.slice(0, MAX_BODY_CHARS), truncated: true };
  // application/json, application/problem+json, application/vnd.api+json…
  if (/[/+]json\b/i.test(response.headers['content-type'] ?? '')) {
    try {
      return { body: JSON.parse(response.body) as JsonValue };
    } catch {
      // A server that labels text as JSON: answer the text rather than fail.
    }
  }
  return { body: response.body };
}

/** `request`: one templated call to the configured API. */
export const request = defineCapability({
  input: {
    type: 'object',
    properties: {
      method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] },
      path: { type: 'string' },
      query: { type: 'object' },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      body: {},
      variables: { type: 'object' },
    },
    required: ['method', 'path'],
  },
  async handler(input, context) {
    const variables = (input.variables ?? {}) as Variables;
    const url = buildUrl(normaliseBaseUrl(context.settings.base_url), input.path, input.query as Record<string, QueryValue>, variables);
    if ((input.method === 'GET' || input.method === 'HEAD') && input.body !== undefined && input.body !== null) {
      throw new Error(`a ${input.method} request has no body`);
    }
    // Per-call headers win over the configured ones, so a call can, say, ask for another format.
    const headers = { ...(await configuredHeaders()), ...lowerCaseKeys(input.headers ?? {}) };
    const body = encodeBody(input.body, variables, headers);
    const response = await atrium.fetch(url, { method: input.method, headers, body });
    return { status: response.status, headers: response.headers, ...decodeBody(response) };
  },
});
