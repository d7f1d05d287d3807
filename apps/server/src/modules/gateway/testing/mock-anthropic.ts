import type { IncomingMessage, ServerResponse } from 'node:http';
import { countWords, type FormatHandler, formats, type MockContext, replyText, words } from './mock-upstream.ts';

/**
 * Anthropic's Messages API (`POST /v1/messages`) for the mock upstream: the message object, the
 * named SSE events (`message_start`, `content_block_*`, `ping`, `message_delta`, `message_stop`)
 * and Anthropic's error bodies. It checks what the real API checks before answering (key and
 * version headers, `max_tokens`, alternating roles, tool results answering tool uses), so an
 * adapter that translates badly fails here as it would upstream. A system block carrying
 * `cache_control` makes the usage report 2 prompt tokens read from the cache; a model named
 * `…midstream-error…` streams one text delta and then an `overloaded_error` event.
 */

type Block = Record<string, unknown> & { type?: string };
interface Message {
  role?: string;
  content?: string | Block[];
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

let sequence = 0;

function errorType(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

function fail(response: ServerResponse, status: number, message: string) {
  response.writeHead(status, {
    'content-type': 'application/json',
    'request-id': `req_mock${++sequence}`,
    ...(status === 429 ? { 'retry-after': '1' } : {}),
  });
  response.end(JSON.stringify({ type: 'error', error: { type: errorType(status), message } }));
}

function blocksOf(content: Message['content']): Block[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content : [];
}

/** What the real API would refuse, as its message; undefined when the request is well-formed. */
function invalidReason(request: IncomingMessage, body: Record<string, unknown>): { status: number; message: string } | undefined {
  if (!request.headers['x-api-key']) return { status: 401, message: 'x-api-key header is required' };
  if (!request.headers['anthropic-version']) return { status: 400, message: 'anthropic-version: header is required' };
  if (typeof body.model !== 'string' || !body.model) return { status: 400, message: 'model: Field required' };
  if (typeof body.max_tokens !== 'number') return { status: 400, message: 'max_tokens: Field required' };
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return { status: 400, message: 'messages: at least one message is required' };
  let previousToolUses = new Set<string>();
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index] as Message;
    if (message.role !== 'user' && message.role !== 'assistant')
      return { status: 400, message: `messages.${index}.role: Input should be 'user' or 'assistant'` };
    if (index > 0 && (messages[index - 1] as Message).role === message.role)
      return { status: 400, message: `messages.${index}: roles must alternate between "user" and "assistant"` };
    const blocks = blocksOf(message.content);
    if (blocks.length === 0 || blocks.some((block) => block.type === 'text' && !block.text))
      return { status: 400, message: `messages.${index}: all messages must have non-empty content` };
    for (const block of blocks) {
      if (block.type === 'tool_result' && !previousToolUses.has(String(block.tool_use_id)))
        return { status: 400, message: `messages.${index}: unexpected tool_use_id found in tool_result blocks: ${block.tool_use_id}` };
    }
    previousToolUses = new Set(blocks.filter((block) => block.type === 'tool_use').map((block) => String(block.id)));
  }
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system))
    return { status: 400, message: 'system: Input should be a valid string or list' };
  return undefined;
}

function lastUserText(messages: Message[]): string {
  for (let index = messages.length - 1; index >= 0; index--) {
    if (messages[index].role !== 'user') continue;
    const text = blocksOf(messages[index].content)
      .filter((block) => block.type === 'text')
      .map((block) => String(block.text))
      .join(' ')
      .trim();
    if (text) return text;
  }
  return '';
}

/** The reply cut as the real API would cut it: at a stop sequence, or at `max_tokens` words. */
function cut(text: string, stopSequences: unknown, maxTokens: number): { text: string; stopReason: string; stopSequence: string | null } {
  let cutAt = -1;
  let found: string | null = null;
  for (const stop of Array.isArray(stopSequences) ? (stopSequences as string[]) : []) {
    const at = text.indexOf(stop);
    if (at !== -1 && (cutAt === -1 || at < cutAt)) {
      cutAt = at;
      found = stop;
    }
  }
  if (found !== null) text = text.slice(0, cutAt);
  const pieces = words(text);
  if (countWords(text) > maxTokens)
    return { text: pieces.slice(0, maxTokens).join('').trimEnd(), stopReason: 'max_tokens', stopSequence: null };
  return found !== null ? { text, stopReason: 'stop_sequence', stopSequence: found } : { text, stopReason: 'end_turn', stopSequence: null };
}

export const handleAnthropic: FormatHandler = async (request, response, context: MockContext) => {
  const { body, behaviour } = context;
  if (behaviour.status && behaviour.status >= 300) return fail(response, behaviour.status, `Scripted failure ${behaviour.status}`);
  const invalid = invalidReason(request, body);
  if (invalid) return fail(response, invalid.status, invalid.message);

  const model = String(body.model);
  const messages = body.messages as Message[];
  const system = body.system as string | Block[] | undefined;
  const cached = Array.isArray(system) && system.some((block) => block.cache_control) ? 2 : 0;
  const promptWords = countWords(system ?? '') + countWords(messages);
  const tools = Array.isArray(body.tools) ? (body.tools as Array<{ name: string }>) : [];
  const choice = (body.tool_choice ?? {}) as { type?: string; name?: string; disable_parallel_tool_use?: boolean };
  const wantsTools = tools.length > 0 && choice.type !== 'none';
  const chosen = choice.type === 'tool' ? tools.filter((tool) => tool.name === choice.name) : tools;
  const toolUses = wantsTools
    ? chosen
        .slice(0, choice.disable_parallel_tool_use ? 1 : 2)
        .map((tool, index) => ({ type: 'tool_use', id: `toolu_mock${index}`, name: tool.name, input: { index } }))
    : [];
  const reply = toolUses.length
    ? { text: '', stopReason: 'tool_use', stopSequence: null }
    : cut(replyText(model, lastUserText(messages), behaviour), body.stop_sequences, body.max_tokens as number);
  const outputTokens = toolUses.length ? toolUses.length * 3 : countWords(reply.text);
  const usage = {
    input_tokens: Math.max(0, promptWords - cached),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
    output_tokens: outputTokens,
  };
  const id = `msg_mock${++sequence}`;

  if (!body.stream) {
    const content = toolUses.length ? toolUses : [{ type: 'text', text: reply.text }];
    response.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_mock${sequence}` });
    response.end(
      JSON.stringify({
        id,
        type: 'message',
        role: 'assistant',
        model,
        content,
        stop_reason: reply.stopReason,
        stop_sequence: reply.stopSequence,
        ...(behaviour.noUsage ? {} : { usage }),
      }),
    );
    return;
  }

  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_mock${sequence}` });
  const emit = (event: string, data: Record<string, unknown>) =>
    response.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  const startUsage = { ...usage, output_tokens: 1 };
  emit('message_start', {
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      ...(behaviour.noUsage ? {} : { usage: startUsage }),
    },
  });
  if (toolUses.length) {
    emit('ping', {});
    for (const [index, tool] of toolUses.entries()) {
      emit('content_block_start', { index, content_block: { type: 'tool_use', id: tool.id, name: tool.name, input: {} } });
      // Anthropic streams the input as JSON fragments, starting with an empty one.
      const json = JSON.stringify(tool.input);
      for (const partial_json of ['', json.slice(0, 4), json.slice(4)])
        emit('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } });
      emit('content_block_stop', { index });
    }
  } else {
    emit('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    emit('ping', {});
    for (const word of words(reply.text).filter(Boolean)) {
      if (behaviour.chunkDelayMs) await context.sleep(behaviour.chunkDelayMs);
      if (context.closed()) return;
      emit('content_block_delta', { index: 0, delta: { type: 'text_delta', text: word } });
      if (model.includes('midstream-error')) {
        // Anthropic reports failures after the 200 as an `error` event, then ends the stream.
        emit('error', { error: { type: 'overloaded_error', message: 'Overloaded' } });
        response.end();
        return;
      }
    }
    emit('content_block_stop', { index: 0 });
  }
  emit('message_delta', {
    delta: { stop_reason: reply.stopReason, stop_sequence: reply.stopSequence },
    ...(behaviour.noUsage ? {} : { usage: { output_tokens: outputTokens } }),
  });
  emit('message_stop', {});
  response.end();
};

formats.anthropic = handleAnthropic;
