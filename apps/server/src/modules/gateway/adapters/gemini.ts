import { randomUUID } from 'node:crypto';
import {
  type GeminiCandidate,
  type GeminiLogprobCandidate,
  type GeminiPart,
  type GeminiResponse,
  type GeminiUsage,
  invalid,
  toGeminiRequest,
} from './gemini-request.ts';
import { abortReason, readError, readJson, send, sseData } from './http.ts';
import {
  type ChatChunk,
  type ChatCompletion,
  type Connection,
  type EmbeddingResponse,
  GatewayError,
  type OpenAIUsage,
  type ProviderAdapter,
  upstreamError,
} from './types.ts';

/**
 * Google's Generative Language API (`generativelanguage.googleapis.com/v1beta`), translated to and
 * from OpenAI's chat format: messages become `contents` with `user`/`model` roles, system text the
 * `systemInstruction`, tools `functionDeclarations`, tool results `functionResponse` parts.
 */

// ---------------------------------------------------------------------------------------------
// HTTP

/** The model as Gemini's URLs want it: without the `models/` resource prefix. */
function modelId(model: string): string {
  return model.startsWith('models/') ? model.slice('models/'.length) : model;
}

function headers(connection: Connection, json: boolean): Record<string, string> {
  const result: Record<string, string> = { ...connection.settings.headers };
  if (json) result['content-type'] = 'application/json';
  if (connection.apiKey) result['x-goog-api-key'] = connection.apiKey;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Response translation

const CONTENT_FILTER_REASONS = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY']);

function finishReason(reason: string, sawFunctionCall: boolean): string {
  if (reason === 'MAX_TOKENS') return 'length';
  if (CONTENT_FILTER_REASONS.has(reason)) return 'content_filter';
  return sawFunctionCall ? 'tool_calls' : 'stop';
}

function usageOf(usage: GeminiUsage): OpenAIUsage {
  const prompt = usage.promptTokenCount ?? 0;
  const thoughts = usage.thoughtsTokenCount ?? 0;
  const completion = (usage.candidatesTokenCount ?? 0) + thoughts;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: usage.cachedContentTokenCount ?? 0 },
    ...(usage.thoughtsTokenCount !== undefined ? { completion_tokens_details: { reasoning_tokens: thoughts } } : {}),
  };
}

function logprobEntry(candidate: GeminiLogprobCandidate) {
  const token = candidate.token ?? '';
  return { token, logprob: candidate.logProbability ?? 0, bytes: [...Buffer.from(token, 'utf8')] };
}

function logprobsOf(candidate: GeminiCandidate): { content: unknown[] } | null {
  const result = candidate.logprobsResult;
  if (!result?.chosenCandidates?.length) return null;
  return {
    content: result.chosenCandidates.map((chosen, position) => ({
      ...logprobEntry(chosen),
      top_logprobs: (result.topCandidates?.[position]?.candidates ?? []).map(logprobEntry),
    })),
  };
}

function completionId(responseId: string | undefined): string {
  return `chatcmpl-${responseId ?? randomUUID().replace(/-/g, '')}`;
}

/**
 * Gemini's thought signature travels with its function call in OpenAI's format the way Google's own
 * OpenAI endpoint carries it (`extra_content.google.thought_signature`), so a client that sends the
 * assistant turn back unchanged keeps multi-turn tool use working on thinking models.
 */
function toolCallOf(part: GeminiPart, index: number) {
  const call = part.functionCall!;
  const signature = typeof part.thoughtSignature === 'string' ? part.thoughtSignature : undefined;
  return {
    id: `call_${index}`,
    type: 'function' as const,
    function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
    ...(signature ? { extra_content: { google: { thought_signature: signature } } } : {}),
  };
}

/** A Gemini `GenerateContentResponse` as an OpenAI `chat.completion`. */
export function fromGeminiResponse(response: GeminiResponse, model: string): ChatCompletion {
  const candidates = response.candidates ?? [];
  const choices: Array<Record<string, unknown>> = candidates.map((candidate, position) => {
    const parts = candidate.content?.parts ?? [];
    const text = parts
      .filter((part) => typeof part.text === 'string' && !part.thought)
      .map((part) => part.text)
      .join('');
    const toolCalls = parts.filter((part) => part.functionCall).map(toolCallOf);
    return {
      index: candidate.index ?? position,
      message: {
        role: 'assistant',
        content: text === '' && (toolCalls.length > 0 || parts.length === 0) ? null : text,
        ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
        refusal: null,
      },
      logprobs: logprobsOf(candidate),
      finish_reason: finishReason(candidate.finishReason ?? 'STOP', toolCalls.length > 0),
    };
  });
  if (choices.length === 0 && response.promptFeedback?.blockReason) {
    choices.push({
      index: 0,
      message: { role: 'assistant', content: null, refusal: null },
      logprobs: null,
      finish_reason: 'content_filter',
    });
  }
  return {
    id: completionId(response.responseId),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices,
    ...(response.usageMetadata ? { usage: usageOf(response.usageMetadata) } : {}),
  };
}

interface CandidateState {
  toolCalls: number;
  finished: boolean;
}

/** Gemini's SSE fragments as OpenAI chunks: a role chunk, deltas, finish chunks, then one usage chunk. */
async function* chunksOf(body: AsyncIterable<Buffer>, model: string, signal: AbortSignal): AsyncGenerator<ChatChunk> {
  const created = Math.floor(Date.now() / 1000);
  let id: string | undefined;
  let usage: GeminiUsage | undefined;
  const states = new Map<number, CandidateState>();
  const chunk = (choices: Array<Record<string, unknown>>): ChatChunk => ({
    id: id!,
    object: 'chat.completion.chunk',
    created,
    model,
    choices,
  });
  const stateOf = function* (index: number): Generator<ChatChunk, CandidateState> {
    let state = states.get(index);
    if (!state) {
      state = { toolCalls: 0, finished: false };
      states.set(index, state);
      yield chunk([{ index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
    }
    return state;
  };
  try {
    for await (const { data } of sseData(body)) {
      let fragment: GeminiResponse;
      try {
        fragment = JSON.parse(data);
      } catch {
        continue;
      }
      if (fragment.error) {
        const { code, message } = fragment.error;
        throw typeof code === 'number' && code >= 400
          ? upstreamError(code, message ?? '')
          : new GatewayError(502, 'server_error', 'upstream_error', message ?? 'The provider sent an error mid-stream.');
      }
      id ??= completionId(fragment.responseId);
      if (fragment.usageMetadata) usage = fragment.usageMetadata;
      const candidates = fragment.candidates ?? [];
      for (const [position, candidate] of candidates.entries()) {
        const index = candidate.index ?? position;
        const state = yield* stateOf(index);
        if (state.finished) continue;
        const parts = candidate.content?.parts ?? [];
        const text = parts
          .filter((part) => typeof part.text === 'string' && !part.thought)
          .map((part) => part.text)
          .join('');
        if (text !== '') yield chunk([{ index, delta: { content: text }, logprobs: logprobsOf(candidate), finish_reason: null }]);
        const calls = parts.filter((part) => part.functionCall);
        if (calls.length) {
          const toolCalls = calls.map((part) => {
            const call = toolCallOf(part, state.toolCalls);
            return { index: state.toolCalls++, ...call };
          });
          yield chunk([{ index, delta: { tool_calls: toolCalls }, logprobs: null, finish_reason: null }]);
        }
        if (candidate.finishReason) {
          state.finished = true;
          yield chunk([{ index, delta: {}, logprobs: null, finish_reason: finishReason(candidate.finishReason, state.toolCalls > 0) }]);
        }
      }
      if (candidates.length === 0 && fragment.promptFeedback?.blockReason && !states.get(0)?.finished) {
        const state = yield* stateOf(0);
        state.finished = true;
        yield chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'content_filter' }]);
      }
    }
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    if (signal.aborted) throw abortReason(signal);
    throw new GatewayError(502, 'server_error', 'upstream_stream_broken', 'The provider closed the stream early.', { cause: error });
  }
  if (usage) {
    id ??= completionId(undefined);
    yield { ...chunk([]), usage: usageOf(usage) };
  }
}

// ---------------------------------------------------------------------------------------------
// The adapter

export const geminiAdapter: ProviderAdapter = {
  async chat(connection, request, { signal }) {
    const body = toGeminiRequest(request);
    const response = await send(connection, `${connection.baseUrl}/models/${modelId(request.model)}:generateContent`, {
      headers: headers(connection, true),
      body: JSON.stringify(body),
      signal,
    });
    return fromGeminiResponse(await readJson<GeminiResponse>(response, signal), request.model);
  },

  async chatStream(connection, request, { signal }) {
    const body = toGeminiRequest(request);
    const response = await send(connection, `${connection.baseUrl}/models/${modelId(request.model)}:streamGenerateContent?alt=sse`, {
      headers: { ...headers(connection, true), accept: 'text/event-stream' },
      body: JSON.stringify(body),
      signal,
    });
    if (response.statusCode >= 300) throw await readError(response);
    return chunksOf(response.body, request.model, signal);
  },

  async embed(connection, request, { signal }) {
    const input = request.input;
    const texts = typeof input === 'string' ? [input] : input;
    if (!Array.isArray(texts) || texts.length === 0 || !texts.every((item) => typeof item === 'string')) {
      throw invalid('input', 'Gemini embeds text only: input must be a string or a non-empty array of strings.');
    }
    const model = modelId(request.model);
    const dimensions = typeof request.dimensions === 'number' ? request.dimensions : undefined;
    const body = {
      requests: (texts as string[]).map((text) => ({
        model: `models/${model}`,
        content: { parts: [{ text }] },
        ...(dimensions ? { outputDimensionality: dimensions } : {}),
      })),
    };
    const response = await send(connection, `${connection.baseUrl}/models/${model}:batchEmbedContents`, {
      headers: headers(connection, true),
      body: JSON.stringify(body),
      signal,
    });
    const result = await readJson<{ embeddings?: Array<{ values?: number[] }> }>(response, signal);
    const base64 = request.encoding_format === 'base64';
    const tokens = (texts as string[]).reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);
    const embeddings: EmbeddingResponse = {
      object: 'list',
      data: (result.embeddings ?? []).map((embedding, index) => {
        const values = embedding.values ?? [];
        return {
          object: 'embedding' as const,
          index,
          embedding: base64 ? Buffer.from(new Float32Array(values).buffer).toString('base64') : values,
        };
      }),
      model: request.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
    return embeddings;
  },

  async listModels(connection, { signal }) {
    const fallback = connection.settings.models;
    const names: string[] = [];
    try {
      let pageToken: string | undefined;
      for (let page = 0; page < 20; page++) {
        const query = new URLSearchParams({ pageSize: '1000', ...(pageToken ? { pageToken } : {}) });
        const response = await send(connection, `${connection.baseUrl}/models?${query}`, {
          method: 'GET',
          headers: headers(connection, false),
          signal,
        });
        const list = await readJson<{ models?: Array<{ name?: string }>; nextPageToken?: string }>(response, signal);
        for (const model of list.models ?? []) if (model.name) names.push(modelId(model.name));
        pageToken = list.nextPageToken;
        if (!pageToken) break;
      }
    } catch (error) {
      if (signal.aborted || !fallback?.length) throw error;
      return [...fallback];
    }
    return names.length ? names : [...(fallback ?? [])];
  },
};
