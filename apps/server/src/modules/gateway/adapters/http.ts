import type { Agent, Dispatcher } from 'undici';
import { createOutboundAgent } from '../../../kernel/http/outbound.ts';
import { type Connection, connectionError, GatewayError, upstreamError } from './types.ts';

/**
 * Upstream HTTP for every adapter: undici keep-alive pools per origin (undici's `request` costs a
 * third of the CPU of the global fetch per call). Each connection carries the dispatcher its
 * module chose: tenants' providers go through the outbound policy (each new connection's address
 * checked unless private networks are allowed), the operator's shared ones do not.
 */
let fallbackAgent: Agent | undefined;

export interface UpstreamResponse {
  statusCode: number;
  headers: Dispatcher.ResponseData['headers'];
  body: Dispatcher.ResponseData['body'];
}

/** Sends a request upstream; maps network failures and aborts to gateway errors, not statuses. */
export async function send(
  connection: Connection,
  url: string,
  init: { method?: 'GET' | 'POST'; headers: Record<string, string>; body?: string | Buffer; signal: AbortSignal },
): Promise<UpstreamResponse> {
  const parsed = new URL(url);
  try {
    fallbackAgent ??= createOutboundAgent({ allowPrivateNetworks: true });
    const agent = connection.dispatcher ?? fallbackAgent;
    return await agent.request({
      origin: parsed.origin,
      path: parsed.pathname + parsed.search,
      method: init.method ?? 'POST',
      headers: init.headers,
      body: init.body,
      signal: init.signal,
    });
  } catch (error) {
    if (init.signal.aborted) throw abortReason(init.signal);
    throw connectionError(error);
  }
}

/** The error an aborted call ends with: the signal's GatewayError reason (a timeout) or a client abort. */
export function abortReason(signal: AbortSignal): GatewayError {
  const reason = signal.reason;
  if (reason instanceof GatewayError) return reason;
  return new GatewayError(499, 'api_error', 'client_closed_request', 'The client closed the request.');
}

/** Reads a JSON body (2xx) or turns a non-2xx answer into the matching gateway error. */
export async function readJson<T>(response: UpstreamResponse, signal: AbortSignal): Promise<T> {
  if (response.statusCode >= 300) throw await readError(response);
  try {
    return (await response.body.json()) as T;
  } catch (error) {
    if (signal.aborted) throw abortReason(signal);
    throw new GatewayError(502, 'server_error', 'upstream_invalid_response', 'The provider sent a response that is not JSON.', {
      retryable: true,
      cause: error,
    });
  }
}

/** Reads a 2xx body as text; an abort or a broken connection becomes the matching gateway error. */
export async function readText(response: UpstreamResponse, signal: AbortSignal): Promise<string> {
  try {
    return await response.body.text();
  } catch (error) {
    if (signal.aborted) throw abortReason(signal);
    throw new GatewayError(502, 'server_error', 'upstream_stream_broken', 'The provider closed the connection mid-answer.', {
      retryable: true,
      cause: error,
    });
  }
}

/** Parses an upstream JSON answer; anything else is the provider's fault (502, retryable). */
export function parseJson<T>(text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new GatewayError(502, 'server_error', 'upstream_invalid_response', 'The provider sent a response that is not JSON.', {
      retryable: true,
      cause: error,
    });
  }
}

/** Turns a non-2xx upstream answer into a gateway error carrying the provider's message. */
export async function readError(response: UpstreamResponse): Promise<GatewayError> {
  let text = '';
  try {
    text = (await response.body.text()).slice(0, 4000);
  } catch {
    // The body is lost; the status still says enough.
  }
  let message = text;
  let code: string | undefined;
  try {
    const parsed = JSON.parse(text) as {
      error?: { message?: string; code?: unknown; type?: string; status?: string } | string;
      message?: string;
    };
    if (typeof parsed.error === 'string') message = parsed.error;
    else if (parsed.error) {
      message = parsed.error.message ?? text;
      code = typeof parsed.error.code === 'string' ? parsed.error.code : undefined;
    } else if (parsed.message) message = parsed.message;
  } catch {
    // Not JSON: keep the text.
  }
  const error = upstreamError(response.statusCode, message.slice(0, 1000), code);
  const retryAfter = response.headers['retry-after'];
  if (typeof retryAfter === 'string' && error.status === 429) Object.assign(error, { headers: { 'retry-after': retryAfter } });
  return error;
}

/**
 * Splits a server-sent-event body into its events' `data` payloads (one string per event,
 * multi-line data joined by newlines), as the bytes arrive.
 */
export async function* sseData(body: AsyncIterable<Buffer | string>): AsyncGenerator<{ event?: string; data: string }> {
  let buffer = '';
  let event: string | undefined;
  let data: string[] = [];
  for await (const piece of body) {
    buffer += typeof piece === 'string' ? piece : piece.toString('utf8');
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      let line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') {
        if (data.length) yield { event, data: data.join('\n') };
        event = undefined;
        data = [];
      } else if (line.startsWith('data:')) {
        data.push(line.slice(line.charCodeAt(5) === 32 ? 6 : 5));
      } else if (line.startsWith('event:')) {
        event = line.slice(6).trim();
      }
      newline = buffer.indexOf('\n');
    }
  }
  if (data.length) yield { event, data: data.join('\n') };
}
