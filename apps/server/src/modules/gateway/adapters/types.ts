import type { Dispatcher } from 'undici';
import { AppError, type ErrorType } from '../../../kernel/errors.ts';

export const PROVIDER_TYPES = ['openai', 'azure-openai', 'anthropic', 'gemini', 'openai-compatible'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/** A provider connection with its secret opened: what an adapter needs to call upstream. */
export interface Connection {
  id: string;
  name: string;
  type: ProviderType;
  /** Always set: the type's default when the connection names none. No trailing slash. */
  baseUrl: string;
  apiKey?: string;
  settings: ConnectionSettings;
  /** The HTTP client to call it through (the outbound policy for tenants' connections). */
  dispatcher?: Dispatcher;
}

export interface ConnectionSettings {
  /** Azure OpenAI `api-version`. */
  api_version?: string;
  /** Extra headers sent upstream on every call (OpenRouter's `HTTP-Referer`, …). */
  headers?: Record<string, string>;
  /** Models this connection offers, when the provider cannot list them. */
  models?: string[];
}

/** Token counts in OpenAI's terms. `cached` is the part of `input` read from the provider's prompt cache. */
export interface Usage {
  input: number;
  output: number;
  cached: number;
  /** Tokens written to the provider's prompt cache (Anthropic), priced as input. */
  cacheWrite?: number;
}

/** An OpenAI chat completion request body. Fields Atrium does not know are kept as they are. */
export type ChatRequest = Record<string, unknown> & {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
};

export type ChatMessage = Record<string, unknown> & {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | (string & {});
  content?: string | ContentPart[] | null;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  name?: string;
};

export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | (Record<string, unknown> & { type: string });

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** The upstream's own bytes of a completion, when the adapter passed it through untranslated. */
export const RAW_TEXT: unique symbol = Symbol('atrium.rawText');

/** An OpenAI `chat.completion` object. */
export type ChatCompletion = Record<string, unknown> & {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<Record<string, unknown>>;
  usage?: OpenAIUsage;
  [RAW_TEXT]?: string;
};

/** An OpenAI `chat.completion.chunk` object. */
export type ChatChunk = Record<string, unknown> & {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<Record<string, unknown>>;
  usage?: OpenAIUsage | null;
};

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; [key: string]: unknown };
  completion_tokens_details?: Record<string, unknown>;
  [key: string]: unknown;
}

export type EmbeddingRequest = Record<string, unknown> & { model: string; input: string | string[] | number[] | number[][] };
export type EmbeddingResponse = Record<string, unknown> & {
  object: 'list';
  data: Array<{ object: 'embedding'; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
};

export interface CallOptions {
  signal: AbortSignal;
}

/**
 * One interface per provider format. A call sends `model` upstream as given (the route already
 * resolved it). `chat` with `stream: true` resolves once upstream accepted the call (status 2xx),
 * so a failure before the first byte can still fall back to another target; the iterable then
 * yields OpenAI chunks as upstream sends them. Streams must ask upstream for usage when it can.
 * Errors are GatewayErrors.
 */
export interface ProviderAdapter {
  chat(connection: Connection, request: ChatRequest, options: CallOptions): Promise<ChatCompletion>;
  chatStream(connection: Connection, request: ChatRequest, options: CallOptions): Promise<AsyncIterable<ChatChunk>>;
  /** For OpenAI-format upstreams: the event stream's raw bytes, passed through without re-encoding. */
  chatStreamRaw?(connection: Connection, request: ChatRequest, options: CallOptions): Promise<AsyncIterable<Buffer>>;
  embed(connection: Connection, request: EmbeddingRequest, options: CallOptions): Promise<EmbeddingResponse>;
  listModels(connection: Connection, options: CallOptions): Promise<string[]>;
}

/** Why a call failed, in OpenAI's error terms; `retryable` decides fallbacks and retries. */
export class GatewayError extends AppError {
  constructor(
    status: number,
    type: ErrorType,
    code: string,
    message: string,
    options: { retryable?: boolean; param?: string; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    // Gateway errors describe the provider's answer, never Atrium's internals: safe to show.
    super(status, type, code, message, { ...options, expose: true });
  }
}

/** Maps an upstream HTTP error to the gateway error a client sees (OpenAI's status semantics). */
export function upstreamError(status: number, message: string, providerCode?: string): GatewayError {
  const text = message || `The provider answered HTTP ${status}.`;
  if (status === 400 || status === 404 || status === 413 || status === 422)
    return new GatewayError(
      status === 413 || status === 422 ? 400 : status,
      status === 404 ? 'not_found_error' : 'invalid_request_error',
      providerCode ?? 'upstream_invalid_request',
      text,
    );
  if (status === 401 || status === 403)
    // The client's key is fine; the connection's credentials are not. Not the client's 401.
    return new GatewayError(
      502,
      'api_error',
      'upstream_authentication_failed',
      `The provider refused the connection's credentials: ${text}`,
      { retryable: true },
    );
  if (status === 429) return new GatewayError(429, 'rate_limit_error', providerCode ?? 'upstream_rate_limited', text, { retryable: true });
  if (status === 408 || status === 504) return new GatewayError(504, 'server_error', 'upstream_timeout', text, { retryable: true });
  if (status >= 500) return new GatewayError(502, 'server_error', providerCode ?? 'upstream_error', text, { retryable: true });
  return new GatewayError(502, 'server_error', 'upstream_error', text, { retryable: false });
}

export function timeoutError(ms: number): GatewayError {
  return new GatewayError(504, 'server_error', 'upstream_timeout', `The provider did not answer within ${ms} ms.`, { retryable: true });
}

export function connectionError(cause: unknown): GatewayError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new GatewayError(502, 'server_error', 'upstream_unreachable', `Could not reach the provider: ${reason}`, {
    retryable: true,
    cause,
  });
}

export function usageFromOpenAI(usage: OpenAIUsage | null | undefined): Usage | undefined {
  if (!usage) return undefined;
  const cacheWrite = usage.prompt_tokens_details?.cache_creation_tokens;
  return {
    input: usage.prompt_tokens ?? 0,
    output: usage.completion_tokens ?? 0,
    cached: usage.prompt_tokens_details?.cached_tokens ?? 0,
    ...(typeof cacheWrite === 'number' && cacheWrite > 0 ? { cacheWrite } : {}),
  };
}

export function openAIUsage(usage: Usage): OpenAIUsage {
  return {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cached },
  };
}
