import { ApiError, type ApiErrorBody, refreshSession } from './client';
import type { ChatMessage, ChatUsage, GatewayModel } from './gateway-types';

/**
 * The OpenAI-compatible endpoints (`/v1/...`) called with the signed-in session. The gateway needs
 * to know which workspace a session's call is for: it is sent in `x-atrium-workspace`.
 */

interface GatewayFetchOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  workspaceId?: string | null;
  signal?: AbortSignal;
}

function send(path: string, options: GatewayFetchOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: options.body === undefined ? 'application/json' : 'text/event-stream' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.workspaceId) headers['x-atrium-workspace'] = options.workspaceId;
  return fetch(path, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    credentials: 'include',
    signal: options.signal,
  });
}

/** The OpenAI-shaped error `{error: {message, code}}` of a failed response, as an ApiError. */
async function errorOf(response: Response): Promise<ApiError> {
  let body: ApiErrorBody = {};
  try {
    const payload = (await response.json()) as { error?: ApiErrorBody } | undefined;
    body = payload?.error ?? {};
  } catch {
    // No JSON body: the status's default message is used.
  }
  return new ApiError(response.status, body);
}

/** Sends once, refreshing an expired session and retrying once on 401; throws ApiError when not OK. */
async function gatewayFetch(path: string, options: GatewayFetchOptions): Promise<Response> {
  let response: Response;
  try {
    response = await send(path, options);
    if (response.status === 401 && (await refreshSession())) response = await send(path, options);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, {});
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

/** The models the caller may use in the workspace: route aliases and `provider/model` names. */
export async function listModels(workspaceId: string | null): Promise<GatewayModel[]> {
  const response = await gatewayFetch('/v1/models', { workspaceId });
  return ((await response.json()) as { data: GatewayModel[] }).data;
}

export interface ChatStreamResult {
  /** The connection that answered (`x-atrium-provider`). */
  provider: string | null;
  /** The model that answered (`x-atrium-model`). */
  model: string | null;
  /** Time Atrium added, in milliseconds (`x-atrium-overhead-ms`). */
  overheadMs: number | null;
  usage: ChatUsage | null;
  finishReason: string | null;
}

interface StreamChunk {
  choices?: Array<{ index?: number; delta?: { content?: string | null }; finish_reason?: string | null }>;
  usage?: ChatUsage | null;
  error?: ApiErrorBody;
}

/**
 * Splits a server-sent event stream into the data of each event. OpenAI's stream is `data: <json>`
 * events separated by blank lines, ending with `data: [DONE]`.
 */
export async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let boundary = /\r?\n\r?\n/.exec(buffer);
      while (boundary) {
        const event = buffer.slice(0, boundary.index);
        buffer = buffer.slice(boundary.index + boundary[0].length);
        const data = dataOf(event);
        if (data !== null) yield data;
        boundary = /\r?\n\r?\n/.exec(buffer);
      }
    }
    buffer += decoder.decode();
    const data = dataOf(buffer);
    if (data !== null) yield data;
  } finally {
    reader.releaseLock();
  }
}

function dataOf(event: string): string | null {
  const lines = event
    .split(/\r?\n/)
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).replace(/^ /, ''));
  return lines.length > 0 ? lines.join('\n') : null;
}

export interface StreamChatInput {
  model: string;
  messages: ChatMessage[];
  workspaceId: string | null;
  signal: AbortSignal;
  /** Called with each piece of the answer as it arrives. */
  onDelta: (text: string) => void;
}

/**
 * Streams a chat completion: the answer arrives through `onDelta`, and the result says who answered
 * and how many tokens it took. Aborting the signal stops the stream (the promise rejects with an
 * AbortError); an error the gateway sends mid-stream rejects with an ApiError.
 */
export async function streamChatCompletion({ model, messages, workspaceId, signal, onDelta }: StreamChatInput): Promise<ChatStreamResult> {
  const response = await gatewayFetch('/v1/chat/completions', {
    method: 'POST',
    workspaceId,
    signal,
    body: { model, messages, stream: true, stream_options: { include_usage: true } },
  });
  const overhead = Number.parseFloat(response.headers.get('x-atrium-overhead-ms') ?? '');
  const result: ChatStreamResult = {
    provider: response.headers.get('x-atrium-provider'),
    model: response.headers.get('x-atrium-model'),
    overheadMs: Number.isFinite(overhead) ? overhead : null,
    usage: null,
    finishReason: null,
  };
  if (!response.body) throw new ApiError(502, { message: 'The gateway answered without a stream.' });
  for await (const data of sseData(response.body)) {
    if (data === '[DONE]') break;
    let chunk: StreamChunk;
    try {
      chunk = JSON.parse(data) as StreamChunk;
    } catch {
      continue;
    }
    if (chunk.error) throw new ApiError(502, chunk.error);
    if (chunk.usage) result.usage = chunk.usage;
    const choice = chunk.choices?.find((entry) => (entry.index ?? 0) === 0);
    if (choice?.delta?.content) onDelta(choice.delta.content);
    if (choice?.finish_reason) result.finishReason = choice.finish_reason;
  }
  return result;
}
