import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local model provider for tests and benchmarks. It speaks OpenAI's wire format on `/v1/*`
 * and, through the handlers registered in `formats`, Anthropic's (`/v1/messages`) and Gemini's
 * (`/v1beta/models/…`). What it does is scripted by the model name or by `script()`:
 *
 * - `fail-<status>` answers that status with the provider's error body;
 * - `slow-<ms>` waits before answering; `drip-<ms>` waits between stream chunks;
 * - `nousage` streams without a usage block;
 * - `script(model, [...])` queues behaviours for the next calls to that model.
 *
 * Replies are deterministic: "Hello from <model>" plus the last user text, with usage counted in
 * words, so tests can assert exact token numbers.
 */
export interface Behaviour {
  status?: number;
  delayMs?: number;
  chunkDelayMs?: number;
  noUsage?: boolean;
  /** Close the socket without answering. */
  hangUp?: boolean;
  /** Reply text instead of the default. */
  text?: string;
}

export interface RecordedCall {
  path: string;
  method: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> | undefined;
}

export interface MockContext {
  behaviour: Behaviour;
  body: Record<string, unknown>;
  url: URL;
  /** Resolves after `ms`, or at once when the client went away. */
  sleep(ms: number): Promise<void>;
  closed(): boolean;
}

export type FormatHandler = (request: IncomingMessage, response: ServerResponse, context: MockContext) => Promise<void>;

export interface MockUpstream {
  url: string;
  port: number;
  calls: RecordedCall[];
  /** Streams whose client went away before the end. */
  aborted: number;
  script(model: string, behaviours: Behaviour[]): void;
  reset(): void;
  close(): Promise<void>;
}

/** Handlers for the other wire formats, registered by their modules. */
export const formats: { anthropic?: FormatHandler; gemini?: FormatHandler } = {};

export function behaviourOf(model: string, scripted: Behaviour | undefined): Behaviour {
  const behaviour: Behaviour = { ...scripted };
  const fail = /fail-(\d{3})/.exec(model);
  if (fail && behaviour.status === undefined) behaviour.status = Number(fail[1]);
  const slow = /slow-(\d+)/.exec(model);
  if (slow && behaviour.delayMs === undefined) behaviour.delayMs = Number(slow[1]);
  const drip = /drip-(\d+)/.exec(model);
  if (drip && behaviour.chunkDelayMs === undefined) behaviour.chunkDelayMs = Number(drip[1]);
  if (model.includes('nousage')) behaviour.noUsage = true;
  return behaviour;
}

/** Whitespace-separated words: the mock's "tokens". */
export function countWords(value: unknown): number {
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean).length;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + countWords(item), 0);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.text === 'string') return countWords(record.text);
    if (record.content !== undefined) return countWords(record.content);
    if (record.parts !== undefined) return countWords(record.parts);
  }
  return 0;
}

/** The reply text for a conversation: "Hello from <model>" and an echo of the last user text. */
export function replyText(model: string, lastUser: string, behaviour: Behaviour): string {
  if (behaviour.text !== undefined) return behaviour.text;
  return `Hello from ${model}. You said: ${lastUser}`.trim();
}

function lastUserText(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index] as { role?: string; content?: unknown };
    if (message.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content;
    if (Array.isArray(message.content)) {
      return message.content
        .map((part: { type?: string; text?: string }) => (part.type === 'text' ? part.text : ''))
        .join(' ')
        .trim();
    }
  }
  return '';
}

export function words(text: string): string[] {
  return text.split(/(?<=\s)/);
}

async function handleOpenAI(request: IncomingMessage, response: ServerResponse, context: MockContext) {
  const { body, behaviour, url } = context;
  const model = String(body.model ?? url.pathname.split('/deployments/')[1]?.split('/')[0] ?? 'unknown');
  if (behaviour.status && behaviour.status >= 300) {
    response.writeHead(behaviour.status, {
      'content-type': 'application/json',
      ...(behaviour.status === 429 ? { 'retry-after': '1' } : {}),
    });
    response.end(
      JSON.stringify({ error: { message: `Scripted failure ${behaviour.status}`, type: 'server_error', param: null, code: null } }),
    );
    return;
  }
  if (request.method === 'GET' && url.pathname.endsWith('/models')) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        object: 'list',
        data: ['mock-small', 'mock-large', 'text-embedding-mock'].map((id) => ({ id, object: 'model', created: 0, owned_by: 'mock' })),
      }),
    );
    return;
  }
  if (url.pathname.endsWith('/embeddings')) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const data = inputs.map((input, index) => ({
      object: 'embedding',
      index,
      embedding: Array.from({ length: 8 }, (_, i) => ((countWords(input) + i) % 7) / 7),
    }));
    const tokens = countWords(inputs);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } }));
    return;
  }
  const promptTokens = countWords(body.messages);
  const tools = Array.isArray(body.tools) ? (body.tools as Array<{ function: { name: string } }>) : [];
  const wantsTools = tools.length > 0 && body.tool_choice !== 'none';
  const format = (body.response_format as { type?: string } | undefined)?.type;
  const text =
    format === 'json_object' || format === 'json_schema' ? '{"ok": true}' : replyText(model, lastUserText(body.messages), behaviour);
  const n = typeof body.n === 'number' ? body.n : 1;
  const toolCalls = wantsTools
    ? tools.slice(0, body.parallel_tool_calls === false ? 1 : 2).map((tool, index) => ({
        id: `call_${index}`,
        type: 'function',
        function: { name: tool.function.name, arguments: JSON.stringify({ index }) },
      }))
    : undefined;
  const completionTokens = toolCalls ? toolCalls.length * 3 : countWords(text);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens * n,
    total_tokens: promptTokens + completionTokens * n,
    prompt_tokens_details: { cached_tokens: 0 },
  };
  const id = `chatcmpl-mock${Date.now()}`;
  const created = Math.floor(Date.now() / 1000);
  const logprobs = body.logprobs
    ? { content: words(text).map((token) => ({ token, logprob: -0.1, bytes: [...Buffer.from(token)], top_logprobs: [] })) }
    : null;

  if (!body.stream) {
    const choices = Array.from({ length: n }, (_, index) => ({
      index,
      message: toolCalls
        ? { role: 'assistant', content: null, tool_calls: toolCalls, refusal: null }
        : { role: 'assistant', content: text, refusal: null },
      logprobs,
      finish_reason: toolCalls ? 'tool_calls' : 'stop',
    }));
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id,
        object: 'chat.completion',
        created,
        model,
        choices,
        usage,
        system_fingerprint: body.seed !== undefined ? `fp_seed${body.seed}` : 'fp_mock',
      }),
    );
    return;
  }

  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const base = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_mock' };
  const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true && !behaviour.noUsage;
  const send = (chunk: object) =>
    response.write(`data: ${JSON.stringify({ ...base, ...chunk, ...(includeUsage ? { usage: null } : {}) })}\n\n`);
  for (let index = 0; index < n; index++)
    send({ choices: [{ index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] });
  if (toolCalls) {
    toolCalls.forEach((call, index) => {
      send({
        choices: [
          {
            index: 0,
            delta: { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] },
            finish_reason: null,
          },
        ],
      });
      send({
        choices: [{ index: 0, delta: { tool_calls: [{ index, function: { arguments: call.function.arguments } }] }, finish_reason: null }],
      });
    });
  } else {
    for (const word of words(text)) {
      if (behaviour.chunkDelayMs) await context.sleep(behaviour.chunkDelayMs);
      if (context.closed()) return;
      for (let index = 0; index < n; index++) send({ choices: [{ index, delta: { content: word }, logprobs: null, finish_reason: null }] });
    }
  }
  for (let index = 0; index < n; index++)
    send({ choices: [{ index, delta: {}, logprobs: null, finish_reason: toolCalls ? 'tool_calls' : 'stop' }] });
  if (includeUsage) response.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
  response.end('data: [DONE]\n\n');
}

/** Starts the mock on a free loopback port. */
export async function startMockUpstream(): Promise<MockUpstream> {
  const calls: RecordedCall[] = [];
  const scripts = new Map<string, Behaviour[]>();
  const state = { aborted: 0 };
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://mock');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'invalid JSON', type: 'invalid_request_error' } }));
      return;
    }
    calls.push({
      path: url.pathname + url.search,
      method: request.method ?? 'GET',
      headers: request.headers,
      body: text ? body : undefined,
    });
    const geminiModel = /\/models\/([^:/]+):/.exec(url.pathname)?.[1];
    const model = String(body.model ?? geminiModel ?? url.pathname.split('/deployments/')[1]?.split('/')[0] ?? '');
    const behaviour = behaviourOf(model, scripts.get(model)?.shift());
    let closed = false;
    response.on('close', () => {
      if (!response.writableFinished) {
        closed = true;
        state.aborted++;
      }
    });
    const context: MockContext = {
      behaviour,
      body,
      url,
      closed: () => closed,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    };
    if (behaviour.hangUp) {
      request.socket.destroy();
      return;
    }
    if (behaviour.delayMs) await context.sleep(behaviour.delayMs);
    if (closed) return;
    try {
      if (url.pathname.endsWith('/messages') && formats.anthropic) await formats.anthropic(request, response, context);
      else if (url.pathname.includes('/v1beta/') && formats.gemini) await formats.gemini(request, response, context);
      else await handleOpenAI(request, response, context);
    } catch (error) {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: String(error) } }));
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    get aborted() {
      return state.aborted;
    },
    script(model, behaviours) {
      scripts.set(model, [...(scripts.get(model) ?? []), ...behaviours]);
    },
    reset() {
      calls.length = 0;
      scripts.clear();
      state.aborted = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
