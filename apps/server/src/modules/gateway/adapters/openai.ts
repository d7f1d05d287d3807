import { abortReason, parseJson, readError, readJson, readText, send, sseData } from './http.ts';
import {
  type CallOptions,
  type ChatChunk,
  type ChatCompletion,
  type ChatRequest,
  type Connection,
  type EmbeddingResponse,
  GatewayError,
  type ProviderAdapter,
  RAW_TEXT,
} from './types.ts';

const AZURE_DEFAULT_API_VERSION = '2024-10-21';

function endpoint(connection: Connection, path: 'chat/completions' | 'embeddings' | 'models', model?: string): string {
  if (connection.type === 'azure-openai') {
    const version = connection.settings.api_version ?? AZURE_DEFAULT_API_VERSION;
    if (path === 'models') return `${connection.baseUrl}/openai/models?api-version=${version}`;
    return `${connection.baseUrl}/openai/deployments/${encodeURIComponent(model ?? '')}/${path}?api-version=${version}`;
  }
  return `${connection.baseUrl}/${path}`;
}

function headers(connection: Connection, json: boolean): Record<string, string> {
  const result: Record<string, string> = { ...connection.settings.headers };
  if (json) result['content-type'] = 'application/json';
  if (connection.apiKey) {
    if (connection.type === 'azure-openai') result['api-key'] = connection.apiKey;
    else result.authorization = `Bearer ${connection.apiKey}`;
  }
  return result;
}

/**
 * OpenAI's wire format, passed through: OpenAI itself, Azure OpenAI (deployment URLs, `api-key`)
 * and every OpenAI-compatible server (Ollama, vLLM, LM Studio, Groq, Mistral, Together, DeepSeek,
 * OpenRouter…). Fields Atrium does not know travel upstream untouched.
 */
export const openAIAdapter: ProviderAdapter = {
  async chat(connection, request, { signal }) {
    const response = await send(connection, endpoint(connection, 'chat/completions', request.model), {
      headers: headers(connection, true),
      body: JSON.stringify(request),
      signal,
    });
    if (response.statusCode >= 300) throw await readError(response);
    // Keep the provider's bytes: the answer goes back to the client as it came, not re-encoded.
    const text = await readText(response, signal);
    const completion = parseJson<ChatCompletion>(text);
    completion[RAW_TEXT] = text;
    return completion;
  },

  async chatStream(connection, request, options) {
    return chunksOf(await streamBody(connection, request, options), options.signal);
  },

  chatStreamRaw: streamBody,

  async embed(connection, request, { signal }) {
    const response = await send(connection, endpoint(connection, 'embeddings', request.model), {
      headers: headers(connection, true),
      body: JSON.stringify(request),
      signal,
    });
    return readJson<EmbeddingResponse>(response, signal);
  },

  async listModels(connection, { signal }) {
    const response = await send(connection, endpoint(connection, 'models'), { method: 'GET', headers: headers(connection, false), signal });
    const list = await readJson<{ data?: Array<{ id: string }> }>(response, signal);
    return (list.data ?? []).map((model) => model.id);
  },
};

/** Opens the upstream event stream (asking for usage) once upstream accepted the call. */
async function streamBody(connection: Connection, request: ChatRequest, { signal }: CallOptions): Promise<AsyncIterable<Buffer>> {
  const body: ChatRequest = { ...request, stream: true, stream_options: { ...(request.stream_options as object), include_usage: true } };
  const response = await send(connection, endpoint(connection, 'chat/completions', request.model), {
    headers: { ...headers(connection, true), accept: 'text/event-stream' },
    body: JSON.stringify(body),
    signal,
  });
  if (response.statusCode >= 300) throw await readError(response);
  return response.body;
}

async function* chunksOf(body: AsyncIterable<Buffer>, signal: AbortSignal): AsyncGenerator<ChatChunk> {
  try {
    let done = false;
    for await (const { data } of sseData(body)) {
      // Read on to the end after [DONE]: dropping the body early makes undici abort the socket.
      if (done) continue;
      if (data === '[DONE]') {
        done = true;
        continue;
      }
      let chunk: ChatChunk & { error?: { message?: string } };
      try {
        chunk = JSON.parse(data);
      } catch {
        continue;
      }
      if (chunk.error)
        throw new GatewayError(502, 'server_error', 'upstream_error', chunk.error.message ?? 'The provider sent an error mid-stream.');
      yield chunk;
    }
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    if (signal.aborted) throw abortReason(signal);
    throw new GatewayError(502, 'server_error', 'upstream_stream_broken', 'The provider closed the stream early.', { cause: error });
  }
}
