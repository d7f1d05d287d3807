import { abortReason, readError, readJson, send, sseData } from './http.ts';
import {
  type ChatChunk,
  type ChatCompletion,
  type ChatMessage,
  type ChatRequest,
  type Connection,
  type ContentPart,
  GatewayError,
  type OpenAIUsage,
  type ProviderAdapter,
  type ToolCall,
  upstreamError,
} from './types.ts';

export const ANTHROPIC_VERSION = '2023-06-01';
/** Anthropic requires `max_tokens`; OpenAI clients often leave it out. */
export const DEFAULT_MAX_TOKENS = 4096;

// ---------------------------------------------------------------------------------------------
// Anthropic wire types (only what the translation touches)
// ---------------------------------------------------------------------------------------------

type Block = Record<string, unknown> & { type: string };

interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: string | Block[];
}

interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

interface AnthropicResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: Block[];
  stop_reason: string | null;
  stop_sequence?: string | null;
  usage?: AnthropicUsage;
}

interface AnthropicErrorBody {
  type: 'error';
  error?: { type?: string; message?: string };
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

function headers(connection: Connection, json: boolean): Record<string, string> {
  const result: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION };
  // Settings may override the version or add `anthropic-beta`; keys are lower-cased so they replace ours.
  for (const [name, value] of Object.entries(connection.settings.headers ?? {})) result[name.toLowerCase()] = value;
  if (json) result['content-type'] = 'application/json';
  if (connection.apiKey) result['x-api-key'] = connection.apiKey;
  return result;
}

function invalid(message: string, param?: string, code = 'invalid_value'): GatewayError {
  return new GatewayError(400, 'invalid_request_error', code, message, { param });
}

// ---------------------------------------------------------------------------------------------
// Request: OpenAI chat completion → Anthropic Messages
// ---------------------------------------------------------------------------------------------

/** `data:image/png;base64,AAAA` → its media type and payload. */
function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = /^data:([^;,]+)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (!match || !/;base64/i.test(match[2])) return undefined;
  return { mediaType: match[1].toLowerCase(), data: match[3] };
}

function imageBlock(url: string, param: string): Block {
  if (url.startsWith('data:')) {
    const parsed = parseDataUrl(url);
    if (!parsed) throw invalid('Image data URLs must be base64-encoded.', param);
    return { type: 'image', source: { type: 'base64', media_type: parsed.mediaType, data: parsed.data } };
  }
  return { type: 'image', source: { type: 'url', url } };
}

/** Anthropic block types a client may already send in Anthropic's own shape. */
const NATIVE_BLOCKS = new Set(['image', 'document', 'search_result', 'thinking', 'redacted_thinking']);

function withCacheControl(block: Block, part: Record<string, unknown>): Block {
  return part.cache_control ? { ...block, cache_control: part.cache_control } : block;
}

/** One OpenAI content part → an Anthropic block, or nothing when it carries no content (empty text). */
function partToBlock(part: ContentPart, param: string): Block | undefined {
  const record = part as Record<string, unknown>;
  switch (part.type) {
    case 'text':
    case 'refusal': {
      const text = String(record.text ?? record.refusal ?? '');
      return text ? withCacheControl({ type: 'text', text }, record) : undefined;
    }
    case 'image_url': {
      const image = record.image_url as { url?: string } | string | undefined;
      const url = typeof image === 'string' ? image : image?.url;
      if (!url) throw invalid('An image_url part needs a url.', param);
      return withCacheControl(imageBlock(url, param), record);
    }
    case 'file': {
      const file = record.file as { file_data?: string; filename?: string } | undefined;
      const parsed = file?.file_data ? parseDataUrl(file.file_data) : undefined;
      if (!parsed) throw invalid('File parts must carry base64 file_data; file ids are not supported by this provider.', param);
      const source =
        parsed.mediaType === 'text/plain'
          ? { type: 'text', media_type: 'text/plain', data: Buffer.from(parsed.data, 'base64').toString('utf8') }
          : { type: 'base64', media_type: parsed.mediaType, data: parsed.data };
      return withCacheControl({ type: 'document', source, ...(file?.filename ? { title: file.filename } : {}) }, record);
    }
    default:
      if (NATIVE_BLOCKS.has(part.type)) return part as Block;
      throw invalid(`Content parts of type '${part.type}' are not supported by this provider.`, param, 'unsupported_content');
  }
}

function contentToBlocks(content: ChatMessage['content'], param: string): Block[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) throw invalid('Message content must be a string or an array of parts.', param);
  const blocks: Block[] = [];
  content.forEach((part, index) => {
    const block = partToBlock(part, `${param}[${index}]`);
    if (block) blocks.push(block);
  });
  return blocks;
}

function toolUseBlock(call: ToolCall, param: string): Block {
  const raw = call.function?.arguments ?? '';
  let input: unknown = {};
  if (raw.trim()) {
    try {
      input = JSON.parse(raw);
    } catch {
      throw invalid('Tool call arguments must be valid JSON.', `${param}.function.arguments`);
    }
  }
  if (!input || typeof input !== 'object' || Array.isArray(input))
    throw invalid('Tool call arguments must be a JSON object.', `${param}.function.arguments`);
  return { type: 'tool_use', id: call.id, name: call.function?.name, input };
}

function toolResultBlock(message: ChatMessage, param: string): Block {
  if (!message.tool_call_id) throw invalid('Tool messages need a tool_call_id.', `${param}.tool_call_id`);
  const block: Block = { type: 'tool_result', tool_use_id: message.tool_call_id };
  if (typeof message.content === 'string') {
    if (message.content) block.content = message.content;
  } else {
    const blocks = contentToBlocks(message.content, `${param}.content`);
    if (blocks.length) block.content = blocks;
  }
  return block;
}

interface Translated {
  system: Block[];
  messages: AnthropicMessage[];
}

function translateMessages(messages: ChatMessage[]): Translated {
  if (!Array.isArray(messages)) throw invalid('messages must be an array.', 'messages');
  const system: Block[] = [];
  const turns: Array<{ role: 'user' | 'assistant'; blocks: Block[]; text?: string }> = [];
  messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    let role: 'user' | 'assistant';
    let blocks: Block[];
    switch (message.role) {
      case 'system':
      case 'developer':
        for (const block of contentToBlocks(message.content, `${param}.content`)) {
          if (block.type !== 'text') throw invalid('System messages may only contain text.', `${param}.content`);
          system.push(block);
        }
        return;
      case 'user':
        role = 'user';
        blocks = contentToBlocks(message.content, `${param}.content`);
        break;
      case 'assistant':
        role = 'assistant';
        blocks = contentToBlocks(message.content, `${param}.content`);
        (message.tool_calls ?? []).forEach((call, callIndex) => {
          blocks.push(toolUseBlock(call, `${param}.tool_calls[${callIndex}]`));
        });
        break;
      case 'tool':
        role = 'user';
        blocks = [toolResultBlock(message, param)];
        break;
      default:
        throw invalid(`Messages with role '${message.role}' are not supported by this provider.`, `${param}.role`);
    }
    if (!blocks.length) return;
    const text = typeof message.content === 'string' && blocks.length === 1 && blocks[0].type === 'text' ? message.content : undefined;
    const previous = turns[turns.length - 1];
    // Anthropic requires user and assistant turns to alternate: same-role neighbours become one turn.
    if (previous?.role === role) {
      previous.blocks.push(...blocks);
      previous.text = undefined;
    } else turns.push({ role, blocks, text });
  });
  return {
    system,
    // A lone plain-text message travels as a string, as most Anthropic clients send it.
    messages: turns.map((turn) => ({ role: turn.role, content: turn.text ?? turn.blocks })),
  };
}

function translateTools(tools: unknown): Array<Record<string, unknown>> | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw invalid('tools must be an array.', 'tools');
  return tools.map((tool: Record<string, unknown>, index) => {
    const fn = tool?.function as { name?: string; description?: string; parameters?: unknown } | undefined;
    if (tool?.type !== 'function' || !fn?.name)
      throw invalid('Only function tools with a name are supported by this provider.', `tools[${index}]`);
    const result: Record<string, unknown> = { name: fn.name, input_schema: fn.parameters ?? { type: 'object', properties: {} } };
    if (fn.description) result.description = fn.description;
    if (tool.cache_control) result.cache_control = tool.cache_control;
    return result;
  });
}

function translateToolChoice(choice: unknown, parallel: unknown): Record<string, unknown> | undefined {
  let result: Record<string, unknown> | undefined;
  if (choice === undefined || choice === null || choice === 'auto') result = choice === 'auto' ? { type: 'auto' } : undefined;
  else if (choice === 'required') result = { type: 'any' };
  else if (choice === 'none') return { type: 'none' };
  else if (typeof choice === 'object' && (choice as { type?: string }).type === 'function') {
    const name = (choice as { function?: { name?: string } }).function?.name;
    if (!name) throw invalid('tool_choice must name a function.', 'tool_choice');
    result = { type: 'tool', name };
  } else throw invalid('tool_choice must be auto, required, none or a function.', 'tool_choice');
  if (parallel === false) result = { ...(result ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return result;
}

function jsonInstruction(format: unknown): string | undefined {
  const spec = format as { type?: string; json_schema?: { name?: string; schema?: unknown } } | undefined;
  if (spec?.type === 'json_object') return 'Respond only with a single valid JSON object. Do not add any text before or after it.';
  if (spec?.type === 'json_schema') {
    const schema = spec.json_schema?.schema;
    const tail = schema ? ` The JSON must conform to this JSON Schema:\n${JSON.stringify(schema)}` : '';
    return `Respond only with valid JSON. Do not add any text before or after it.${tail}`;
  }
  return undefined;
}

/** The Anthropic Messages body for an OpenAI chat completion request. */
export function toAnthropicRequest(request: ChatRequest, stream: boolean): Record<string, unknown> {
  if (typeof request.n === 'number' && request.n > 1) throw invalid('This provider does not support n > 1.', 'n', 'unsupported_parameter');
  const { system, messages } = translateMessages(request.messages);
  const instruction = jsonInstruction(request.response_format);
  if (instruction) system.push({ type: 'text', text: instruction });

  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  const body: Record<string, unknown> = {
    model: request.model,
    max_tokens: typeof maxTokens === 'number' ? maxTokens : DEFAULT_MAX_TOKENS,
    messages,
  };
  if (system.length) {
    // Plain text joins into a string; blocks stay blocks when one carries cache_control.
    body.system = system.some((block) => block.cache_control) ? system : system.map((block) => block.text).join('\n\n');
  }
  if (typeof request.temperature === 'number') body.temperature = Math.min(1, Math.max(0, request.temperature));
  if (typeof request.top_p === 'number') body.top_p = request.top_p;
  if (typeof request.top_k === 'number') body.top_k = request.top_k;
  const stop = typeof request.stop === 'string' ? [request.stop] : Array.isArray(request.stop) ? (request.stop as unknown[]) : [];
  const stopSequences = stop.filter((sequence): sequence is string => typeof sequence === 'string' && sequence.trim() !== '');
  if (stopSequences.length) body.stop_sequences = stopSequences;
  const tools = translateTools(request.tools);
  if (tools?.length) {
    body.tools = tools;
    const toolChoice = translateToolChoice(request.tool_choice, request.parallel_tool_calls);
    if (toolChoice) body.tool_choice = toolChoice;
  }
  if (typeof request.user === 'string' && request.user) body.metadata = { user_id: request.user };
  if (stream) body.stream = true;
  return body;
}

// ---------------------------------------------------------------------------------------------
// Response: Anthropic → OpenAI
// ---------------------------------------------------------------------------------------------

export function finishReason(stopReason: string | null | undefined): string | null {
  switch (stopReason) {
    case undefined:
    case null:
      return null;
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn
      return 'stop';
  }
}

function openAIUsageOf(usage: AnthropicUsage): OpenAIUsage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const prompt = (usage.input_tokens ?? 0) + cacheRead + cacheWrite;
  const completion = usage.output_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead, ...(cacheWrite ? { cache_creation_tokens: cacheWrite } : {}) },
  };
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

export function fromAnthropicResponse(response: AnthropicResponse): ChatCompletion {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of response.content ?? []) {
    if (block.type === 'text') text += String(block.text ?? '');
    else if (block.type === 'tool_use')
      toolCalls.push({
        id: String(block.id),
        type: 'function',
        function: { name: String(block.name), arguments: JSON.stringify(block.input ?? {}) },
      });
  }
  const message: Record<string, unknown> = { role: 'assistant', content: text || (toolCalls.length ? null : ''), refusal: null };
  if (toolCalls.length) message.tool_calls = toolCalls;
  const completion: ChatCompletion = {
    id: response.id,
    object: 'chat.completion',
    created: now(),
    model: response.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(response.stop_reason) ?? 'stop' }],
  };
  if (response.usage) completion.usage = openAIUsageOf(response.usage);
  return completion;
}

const ERROR_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  timeout_error: 504,
  api_error: 500,
  overloaded_error: 529,
};

/** An `error` event inside a stream, as the gateway error its HTTP status would have given. */
function streamError(body: AnthropicErrorBody): GatewayError {
  const status = ERROR_STATUS[body.error?.type ?? ''] ?? 500;
  return upstreamError(status, body.error?.message ?? 'The provider sent an error mid-stream.');
}

async function* chunksOf(body: AsyncIterable<Buffer>, fallbackModel: string, signal: AbortSignal): AsyncGenerator<ChatChunk> {
  let id = '';
  let model = fallbackModel;
  const created = now();
  const usage: AnthropicUsage = {};
  let sawUsage = false;
  let finished = false;
  /** Anthropic block index → OpenAI tool call index (tool_use blocks counted in order). */
  const toolIndex = new Map<number, number>();
  const chunk = (choices: ChatChunk['choices'], extra: Record<string, unknown> = {}): ChatChunk => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices,
    ...extra,
  });
  const delta = (value: Record<string, unknown>, finish: string | null = null) =>
    chunk([{ index: 0, delta: value, logprobs: null, finish_reason: finish }]);
  const addUsage = (value: AnthropicUsage | undefined) => {
    if (!value) return;
    for (const key of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const) {
      if (typeof value[key] === 'number') {
        usage[key] = value[key];
        sawUsage = true;
      }
    }
  };

  try {
    for await (const { event, data } of sseData(body)) {
      let payload: Record<string, any>;
      try {
        payload = JSON.parse(data);
      } catch {
        continue;
      }
      const type = (payload.type as string | undefined) ?? event;
      switch (type) {
        case 'message_start': {
          const message = payload.message ?? {};
          id = message.id ?? id;
          model = message.model ?? model;
          addUsage(message.usage);
          yield delta({ role: 'assistant', content: '' });
          break;
        }
        case 'content_block_start': {
          const block = payload.content_block ?? {};
          if (block.type === 'tool_use') {
            const index = toolIndex.size;
            toolIndex.set(payload.index, index);
            yield delta({ tool_calls: [{ index, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] });
            // Inputs normally arrive as input_json_delta; a non-empty start input would otherwise be lost.
            if (block.input && Object.keys(block.input).length)
              yield delta({ tool_calls: [{ index, function: { arguments: JSON.stringify(block.input) } }] });
          } else if (block.type === 'text' && block.text) yield delta({ content: block.text });
          break;
        }
        case 'content_block_delta': {
          const change = payload.delta ?? {};
          if (change.type === 'text_delta' && change.text) yield delta({ content: change.text });
          else if (change.type === 'input_json_delta' && change.partial_json) {
            const index = toolIndex.get(payload.index);
            if (index !== undefined) yield delta({ tool_calls: [{ index, function: { arguments: change.partial_json } }] });
          }
          break;
        }
        case 'message_delta': {
          addUsage(payload.usage);
          const reason = finishReason(payload.delta?.stop_reason);
          if (reason && !finished) {
            finished = true;
            yield delta({}, reason);
          }
          break;
        }
        case 'message_stop':
          if (!finished) yield delta({}, 'stop');
          if (sawUsage) yield chunk([], { usage: openAIUsageOf(usage) });
          return;
        case 'error':
          throw streamError(payload as AnthropicErrorBody);
        default:
          // ping, content_block_stop, thinking deltas and future events carry nothing for OpenAI clients.
          break;
      }
    }
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    if (signal.aborted) throw abortReason(signal);
    throw new GatewayError(502, 'server_error', 'upstream_stream_broken', 'The provider closed the stream early.', { cause: error });
  }
  if (signal.aborted) throw abortReason(signal);
  throw new GatewayError(502, 'server_error', 'upstream_stream_broken', 'The provider closed the stream before message_stop.');
}

// ---------------------------------------------------------------------------------------------
// Adapter
// ---------------------------------------------------------------------------------------------

/**
 * Anthropic's Messages API behind OpenAI's chat format: system messages hoisted, turns merged to
 * alternate, images, tools and tool results as blocks, usage with prompt-cache tokens, and the
 * event stream re-cut into `chat.completion.chunk`s. Anthropic has no embeddings.
 */
export const anthropicAdapter: ProviderAdapter = {
  async chat(connection, request, { signal }) {
    const body = toAnthropicRequest(request, false);
    const response = await send(connection, `${connection.baseUrl}/messages`, {
      headers: headers(connection, true),
      body: JSON.stringify(body),
      signal,
    });
    return fromAnthropicResponse(await readJson<AnthropicResponse>(response, signal));
  },

  async chatStream(connection, request, { signal }) {
    const body = toAnthropicRequest(request, true);
    const response = await send(connection, `${connection.baseUrl}/messages`, {
      headers: { ...headers(connection, true), accept: 'text/event-stream' },
      body: JSON.stringify(body),
      signal,
    });
    if (response.statusCode >= 300) throw await readError(response);
    return chunksOf(response.body, request.model, signal);
  },

  async embed() {
    throw new GatewayError(
      400,
      'invalid_request_error',
      'unsupported_endpoint',
      'Anthropic does not offer embeddings; route this model to another provider.',
    );
  },

  async listModels(connection, { signal }) {
    try {
      const models: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 20; page++) {
        const query = `?limit=1000${after ? `&after_id=${encodeURIComponent(after)}` : ''}`;
        const response = await send(connection, `${connection.baseUrl}/models${query}`, {
          method: 'GET',
          headers: headers(connection, false),
          signal,
        });
        const list = await readJson<{ data?: Array<{ id: string }>; has_more?: boolean; last_id?: string | null }>(response, signal);
        models.push(...(list.data ?? []).map((model) => model.id));
        if (!list.has_more || !list.last_id) break;
        after = list.last_id;
      }
      return models;
    } catch (error) {
      if (signal.aborted || !connection.settings.models) throw error;
      return [...connection.settings.models];
    }
  },
};
