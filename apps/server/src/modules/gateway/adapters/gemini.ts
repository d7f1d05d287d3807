import { randomUUID } from 'node:crypto';
import { abortReason, readError, readJson, send, sseData } from './http.ts';
import {
  type ChatChunk,
  type ChatCompletion,
  type ChatMessage,
  type ChatRequest,
  type Connection,
  type ContentPart,
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
// Gemini wire types (the parts Atrium reads or writes)

type JsonObject = Record<string, unknown>;

interface GeminiPart {
  text?: string;
  thought?: boolean;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType: string; fileUri: string };
  functionCall?: { name: string; args?: JsonObject; id?: string };
  functionResponse?: { name: string; response: JsonObject };
  [key: string]: unknown;
}

interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

interface GeminiLogprobCandidate {
  token?: string;
  tokenId?: number;
  logProbability?: number;
}

interface GeminiCandidate {
  index?: number;
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: string;
  logprobsResult?: {
    topCandidates?: Array<{ candidates?: GeminiLogprobCandidate[] }>;
    chosenCandidates?: GeminiLogprobCandidate[];
  };
}

interface GeminiUsage {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  totalTokenCount?: number;
}

interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsage;
  responseId?: string;
  modelVersion?: string;
  error?: { code?: number; message?: string; status?: string };
}

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

function invalid(param: string, message: string): GatewayError {
  return new GatewayError(400, 'invalid_request_error', 'invalid_value', message, { param });
}

// ---------------------------------------------------------------------------------------------
// Request translation

/** JSON-schema keywords Gemini's `Schema` rejects (it fails the whole request on unknown names). */
const UNSUPPORTED_SCHEMA_KEYS = new Set([
  '$schema',
  '$id',
  '$comment',
  '$anchor',
  '$defs',
  'definitions',
  'additionalProperties',
  'unevaluatedProperties',
  'patternProperties',
  'propertyNames',
  'dependentRequired',
  'dependentSchemas',
  'additionalItems',
  'prefixItems',
  'contains',
  'const',
  'examples',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'uniqueItems',
  'if',
  'then',
  'else',
  'not',
  'allOf',
  'oneOf',
  'contentEncoding',
  'contentMediaType',
  'readOnly',
  'writeOnly',
  'deprecated',
  'strict',
]);

/**
 * A JSON schema Gemini accepts: unsupported keywords removed at every level, local `$ref`s
 * inlined, `oneOf` read as `anyOf`, `const` as a one-value `enum`, `type: [x, 'null']` as
 * `nullable`. Property names are never touched, only schema positions.
 */
export function cleanSchema(schema: unknown, root: unknown = schema, depth = 0): unknown {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  if (depth > 32) return {};
  const source = schema as JsonObject;
  if (typeof source.$ref === 'string') {
    const target = resolveRef(root, source.$ref);
    const { $ref: _ref, ...siblings } = source;
    return cleanSchema({ ...(target as JsonObject), ...siblings }, root, depth + 1);
  }
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(source)) {
    if (UNSUPPORTED_SCHEMA_KEYS.has(key)) continue;
    if (key === 'properties' && value && typeof value === 'object' && !Array.isArray(value)) {
      result.properties = Object.fromEntries(
        Object.entries(value).map(([name, property]) => [name, cleanSchema(property, root, depth + 1)]),
      );
    } else if (key === 'items') {
      result.items = Array.isArray(value) ? cleanSchema(value[0] ?? {}, root, depth + 1) : cleanSchema(value, root, depth + 1);
    } else if (key === 'anyOf' && Array.isArray(value)) {
      result.anyOf = value.map((item) => cleanSchema(item, root, depth + 1));
    } else if (key === 'type' && Array.isArray(value)) {
      const types = value.filter((type) => type !== 'null');
      if (types.length < value.length) result.nullable = true;
      if (types.length === 1) result.type = types[0];
      else if (types.length > 1) result.anyOf = types.map((type) => ({ type }));
    } else {
      result[key] = value;
    }
  }
  if (Array.isArray(source.oneOf) && !result.anyOf) result.anyOf = source.oneOf.map((item) => cleanSchema(item, root, depth + 1));
  if (Array.isArray(source.allOf)) {
    // Gemini has no allOf: merge the branches into one schema.
    for (const branch of source.allOf) {
      const cleaned = cleanSchema(branch, root, depth + 1) as JsonObject;
      const { properties, required, ...rest } = cleaned;
      Object.assign(result, rest);
      if (properties) result.properties = { ...(result.properties as JsonObject | undefined), ...(properties as JsonObject) };
      if (Array.isArray(required)) result.required = [...new Set([...((result.required as string[] | undefined) ?? []), ...required])];
    }
  }
  // Gemini accepts only these string formats and fails the request on any other.
  if (result.type === 'string' && typeof result.format === 'string' && !['enum', 'date-time'].includes(result.format)) delete result.format;
  if (source.const !== undefined && result.enum === undefined) {
    result.enum = [source.const];
    if (result.type === undefined && typeof source.const === 'string') result.type = 'string';
  }
  if (typeof source.exclusiveMinimum === 'number' && result.minimum === undefined) result.minimum = source.exclusiveMinimum;
  if (typeof source.exclusiveMaximum === 'number' && result.maximum === undefined) result.maximum = source.exclusiveMaximum;
  if (Array.isArray(result.anyOf) && result.anyOf.some((item) => (item as JsonObject | undefined)?.type === 'null')) {
    result.anyOf = result.anyOf.filter((item) => (item as JsonObject | undefined)?.type !== 'null');
    result.nullable = true;
    if ((result.anyOf as unknown[]).length === 1) {
      Object.assign(result, (result.anyOf as JsonObject[])[0]);
      delete result.anyOf;
    }
  }
  return result;
}

function resolveRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return {};
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node && typeof node === 'object' ? (node as JsonObject)[key] : undefined;
  }
  return node && typeof node === 'object' ? node : {};
}

/** Function parameters: Gemini rejects an OBJECT schema with no properties, so such a function takes none. */
function functionParameters(parameters: unknown): unknown {
  if (!parameters || typeof parameters !== 'object') return undefined;
  const cleaned = cleanSchema(parameters) as JsonObject;
  const properties = cleaned.properties as JsonObject | undefined;
  if ((cleaned.type === undefined || cleaned.type === 'object') && (!properties || Object.keys(properties).length === 0)) return undefined;
  return cleaned;
}

const MIME_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  bmp: 'image/bmp',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  mp3: 'audio/mp3',
  wav: 'audio/wav',
  mp4: 'video/mp4',
};

function mimeFromUrl(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // Not absolute: read the text as it is.
  }
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (extension && MIME_BY_EXTENSION[extension]) || 'image/jpeg';
}

/** `data:<mime>[;base64],<payload>` as Gemini's inline data (always base64). */
function inlineDataOf(url: string, param: string): GeminiPart {
  const match = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (!match) throw invalid(param, 'The data URL is malformed.');
  const mimeType = match[1] || 'application/octet-stream';
  const base64 = match[2].split(';').includes('base64');
  const data = base64 ? match[3] : Buffer.from(decodeURIComponent(match[3]), 'utf8').toString('base64');
  return { inlineData: { mimeType, data } };
}

function mediaPart(url: string, param: string): GeminiPart {
  if (url.startsWith('data:')) return inlineDataOf(url, param);
  if (/^https?:\/\//i.test(url)) return { fileData: { mimeType: mimeFromUrl(url), fileUri: url } };
  throw invalid(param, 'Only data: and http(s) URLs can be sent to Gemini.');
}

function contentParts(content: ChatMessage['content'], param: string): GeminiPart[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  if (!Array.isArray(content)) throw invalid(param, 'Message content must be a string or an array of parts.');
  const parts: GeminiPart[] = [];
  content.forEach((part: ContentPart, index) => {
    const where = `${param}.${index}`;
    const record = part as JsonObject;
    if (part.type === 'text' || part.type === 'refusal') {
      const text = String(record.text ?? record.refusal ?? '');
      if (text !== '') parts.push({ text });
    } else if (part.type === 'image_url') {
      const image = record.image_url as { url?: string } | string | undefined;
      const url = typeof image === 'string' ? image : image?.url;
      if (!url) throw invalid(where, 'An image_url part needs a url.');
      parts.push(mediaPart(url, where));
    } else if (part.type === 'input_audio') {
      const audio = record.input_audio as { data?: string; format?: string } | undefined;
      if (!audio?.data) throw invalid(where, 'An input_audio part needs data.');
      parts.push({ inlineData: { mimeType: `audio/${audio.format ?? 'wav'}`, data: audio.data } });
    } else if (part.type === 'file') {
      const file = record.file as { file_data?: string; file_id?: string; filename?: string } | undefined;
      if (file?.file_data?.startsWith('data:')) parts.push(inlineDataOf(file.file_data, where));
      else if (file?.file_data) parts.push({ inlineData: { mimeType: mimeFromUrl(file.filename ?? ''), data: file.file_data } });
      else if (file?.file_id && /^https?:\/\//i.test(file.file_id))
        parts.push({ fileData: { mimeType: mimeFromUrl(file.file_id), fileUri: file.file_id } });
      else throw invalid(where, 'A file part needs file_data.');
    } else {
      throw invalid(where, `Content parts of type '${part.type}' cannot be sent to Gemini.`);
    }
  });
  return parts;
}

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (part.type === 'text' ? String((part as { text?: string }).text ?? '') : ''))
    .filter(Boolean)
    .join('\n');
}

function parseArguments(text: string | undefined): JsonObject {
  if (!text || text.trim() === '') return {};
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as JsonObject;
    return { value: parsed };
  } catch {
    // Invalid JSON in the history: keep the text rather than fail the conversation.
    return { arguments: text };
  }
}

function toolResult(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { result: text };
  }
}

interface Translated {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
}

function translateMessages(messages: ChatMessage[]): Translated {
  if (!Array.isArray(messages)) throw invalid('messages', 'messages must be an array.');
  const system: string[] = [];
  const contents: GeminiContent[] = [];
  const toolNames = new Map<string, string>();
  const push = (role: GeminiContent['role'], parts: GeminiPart[]) => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  messages.forEach((message, index) => {
    const param = `messages.${index}.content`;
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = textOf(message.content);
        if (text !== '') system.push(text);
        break;
      }
      case 'user':
        push('user', contentParts(message.content, param));
        break;
      case 'assistant': {
        const parts = contentParts(message.content, param);
        for (const call of message.tool_calls ?? []) {
          if (call.id) toolNames.set(call.id, call.function.name);
          const signature = (call as { extra_content?: { google?: { thought_signature?: unknown } } }).extra_content?.google
            ?.thought_signature;
          parts.push({
            functionCall: { name: call.function.name, args: parseArguments(call.function.arguments) },
            ...(typeof signature === 'string' ? { thoughtSignature: signature } : {}),
          });
        }
        push('model', parts);
        break;
      }
      case 'tool': {
        const name = (message.tool_call_id && toolNames.get(message.tool_call_id)) || message.name;
        if (!name)
          throw invalid(`messages.${index}.tool_call_id`, `No earlier assistant tool call has the id '${message.tool_call_id ?? ''}'.`);
        push('user', [{ functionResponse: { name, response: { content: toolResult(textOf(message.content)) } } }]);
        break;
      }
      case 'function': {
        // OpenAI's legacy function role: the name travels on the message itself.
        if (!message.name) throw invalid(`messages.${index}.name`, 'A function message needs a name.');
        push('user', [{ functionResponse: { name: message.name, response: { content: toolResult(textOf(message.content)) } } }]);
        break;
      }
      default:
        throw invalid(`messages.${index}.role`, `The role '${message.role}' is not supported.`);
    }
  });
  return { contents, ...(system.length ? { systemInstruction: { parts: system.map((text) => ({ text })) } } : {}) };
}

function translateTools(tools: unknown): JsonObject[] | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw invalid('tools', 'tools must be an array.');
  if (tools.length === 0) return undefined;
  const declarations = tools.map(
    (tool: { type?: string; function?: { name?: string; description?: string; parameters?: unknown } }, index) => {
      if (tool.type !== 'function' || !tool.function?.name)
        throw invalid(`tools.${index}`, 'Only function tools with a name can be sent to Gemini.');
      const parameters = functionParameters(tool.function.parameters);
      return {
        name: tool.function.name,
        ...(tool.function.description ? { description: tool.function.description } : {}),
        ...(parameters ? { parameters } : {}),
      };
    },
  );
  return [{ functionDeclarations: declarations }];
}

function translateToolChoice(choice: unknown): JsonObject | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  const name = (choice as { function?: { name?: string } }).function?.name;
  if (typeof choice === 'object' && name) return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } };
  throw invalid('tool_choice', "tool_choice must be 'auto', 'none', 'required' or a named function.");
}

function generationConfig(request: ChatRequest): JsonObject | undefined {
  const config: JsonObject = {};
  const number = (value: unknown) => (typeof value === 'number' ? value : undefined);
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) config[key] = value;
  };
  set('temperature', number(request.temperature));
  set('topP', number(request.top_p));
  set('topK', number(request.top_k));
  set('maxOutputTokens', number(request.max_completion_tokens) ?? number(request.max_tokens));
  if (typeof request.stop === 'string') config.stopSequences = [request.stop];
  else if (Array.isArray(request.stop) && request.stop.length) config.stopSequences = request.stop;
  set('candidateCount', number(request.n));
  set('seed', number(request.seed));
  set('presencePenalty', number(request.presence_penalty));
  set('frequencyPenalty', number(request.frequency_penalty));
  const format = request.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
  if (format?.type === 'json_object') config.responseMimeType = 'application/json';
  else if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    if (format.json_schema?.schema) config.responseSchema = cleanSchema(format.json_schema.schema);
  }
  if (request.logprobs === true) {
    config.responseLogprobs = true;
    set('logprobs', number(request.top_logprobs));
  }
  return Object.keys(config).length ? config : undefined;
}

/** An OpenAI chat request as a Gemini `GenerateContentRequest`. */
export function toGeminiRequest(request: ChatRequest): JsonObject {
  const { contents, systemInstruction } = translateMessages(request.messages);
  if (contents.length === 0) throw invalid('messages', 'Gemini needs at least one user or assistant message.');
  const tools = translateTools(request.tools);
  const toolConfig = tools ? translateToolChoice(request.tool_choice) : undefined;
  const config = generationConfig(request);
  return {
    contents,
    ...(systemInstruction ? { systemInstruction } : {}),
    ...(tools ? { tools } : {}),
    ...(toolConfig ? { toolConfig } : {}),
    ...(config ? { generationConfig: config } : {}),
  };
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
