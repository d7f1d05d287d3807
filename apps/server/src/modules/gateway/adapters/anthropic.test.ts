import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import '../testing/mock-anthropic.ts';
import { type MockUpstream, startMockUpstream } from '../testing/mock-upstream.ts';
import { anthropicAdapter } from './anthropic.ts';
import type { ChatChunk, ChatRequest, Connection, ToolCall } from './types.ts';
import { GatewayError } from './types.ts';

let mock: MockUpstream;
let connection: Connection;

beforeAll(async () => {
  mock = await startMockUpstream();
  connection = { id: 'c1', name: 'claude', type: 'anthropic', baseUrl: `${mock.url}/v1`, apiKey: 'sk-ant-test', settings: {} };
});

afterAll(async () => {
  await mock.close();
});

beforeEach(() => {
  mock.reset();
});

const options = () => ({ signal: new AbortController().signal });

function lastBody(): Record<string, any> {
  return mock.calls[mock.calls.length - 1].body as Record<string, any>;
}

function chat(request: Partial<ChatRequest> & { messages: ChatRequest['messages'] }, on: Connection = connection) {
  return anthropicAdapter.chat(on, { model: 'claude-test', ...request }, options());
}

async function stream(request: Partial<ChatRequest> & { messages: ChatRequest['messages'] }): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of await anthropicAdapter.chatStream(connection, { model: 'claude-test', stream: true, ...request }, options()))
    chunks.push(chunk);
  return chunks;
}

/** What an OpenAI client rebuilds from a stream. */
function reassemble(chunks: ChatChunk[]) {
  let content = '';
  let finish: unknown = null;
  const calls: ToolCall[] = [];
  for (const chunk of chunks) {
    for (const choice of chunk.choices as Array<{ delta: Record<string, any>; finish_reason: unknown }>) {
      if (typeof choice.delta.content === 'string') content += choice.delta.content;
      for (const call of choice.delta.tool_calls ?? []) {
        calls[call.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } };
        if (call.id) calls[call.index].id = call.id;
        if (call.function?.name) calls[call.index].function.name = call.function.name;
        calls[call.index].function.arguments += call.function?.arguments ?? '';
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  return { content, finish, calls, usage: chunks.find((chunk) => chunk.usage)?.usage };
}

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected a GatewayError');
}

const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};
const time = { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } };

describe('anthropic adapter: request translation', () => {
  it('posts to /messages with Anthropic headers and the connection headers', async () => {
    const withHeaders = { ...connection, settings: { headers: { 'anthropic-beta': 'prompt-caching-2024-07-31' } } };
    await chat({ messages: [{ role: 'user', content: 'Hi' }] }, withHeaders);
    const call = mock.calls[0];
    expect(call.method).toBe('POST');
    expect(call.path).toBe('/v1/messages');
    expect(call.headers['x-api-key']).toBe('sk-ant-test');
    expect(call.headers['anthropic-version']).toBe('2023-06-01');
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
    expect(call.headers.authorization).toBeUndefined();
  });

  it('hoists system and developer messages, defaults max_tokens and maps sampling fields', async () => {
    await chat({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in English.' }] },
        { role: 'user', content: 'Hi' },
      ],
      temperature: 1.7,
      top_p: 0.9,
      stop: '###',
      user: 'user-42',
      frequency_penalty: 0.5,
      seed: 7,
    });
    expect(lastBody()).toEqual({
      model: 'claude-test',
      max_tokens: 4096,
      system: 'Be brief.\n\nAnswer in English.',
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 1,
      top_p: 0.9,
      stop_sequences: ['###'],
      metadata: { user_id: 'user-42' },
    });
  });

  it('takes max_completion_tokens over max_tokens and a stop array as stop_sequences', async () => {
    await chat({ messages: [{ role: 'user', content: 'Hi' }], max_tokens: 100, max_completion_tokens: 50, stop: ['END', 'STOP', '  '] });
    expect(lastBody().max_tokens).toBe(50);
    expect(lastBody().stop_sequences).toEqual(['END', 'STOP']);
    await chat({ messages: [{ role: 'user', content: 'Hi' }], max_tokens: 100 });
    expect(lastBody().max_tokens).toBe(100);
  });

  it('merges consecutive same-role messages so roles alternate', async () => {
    await chat({
      messages: [
        { role: 'user', content: 'One.' },
        { role: 'user', content: [{ type: 'text', text: 'Two.' }] },
        { role: 'assistant', content: 'Three.' },
        { role: 'system', content: 'Late system note.' },
        { role: 'assistant', content: 'Four.' },
        { role: 'user', content: 'Five.' },
      ],
    });
    expect(lastBody().system).toBe('Late system note.');
    expect(lastBody().messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'One.' },
          { type: 'text', text: 'Two.' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Three.' },
          { type: 'text', text: 'Four.' },
        ],
      },
      { role: 'user', content: 'Five.' },
    ]);
  });

  it('turns image_url parts into base64 or url image blocks', async () => {
    await chat({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
          ],
        },
      ],
    });
    expect(lastBody().messages[0].content).toEqual([
      { type: 'text', text: 'What is in these?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('translates tools, assistant tool calls and merged tool results', async () => {
    await chat({
      messages: [
        { role: 'user', content: 'Weather and time in Paris?' },
        {
          role: 'assistant',
          content: 'Let me check.',
          tool_calls: [
            { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'toolu_2', type: 'function', function: { name: 'get_time', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'Sunny, 21 C' },
        { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '14:00' }] },
        { role: 'user', content: 'Thanks, summarise.' },
      ],
      tools: [weather, time],
      tool_choice: 'none',
    });
    const body = lastBody();
    expect(body.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Weather for a city',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
      },
      { name: 'get_time', input_schema: { type: 'object', properties: {} } },
    ]);
    expect(body.tool_choice).toEqual({ type: 'none' });
    expect(body.messages).toEqual([
      { role: 'user', content: 'Weather and time in Paris?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny, 21 C' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: '14:00' }] },
          { type: 'text', text: 'Thanks, summarise.' },
        ],
      },
    ]);
  });

  it('maps tool_choice and parallel_tool_calls', async () => {
    const cases: Array<[unknown, unknown, unknown]> = [
      ['auto', undefined, { type: 'auto' }],
      ['required', undefined, { type: 'any' }],
      ['none', undefined, { type: 'none' }],
      [{ type: 'function', function: { name: 'get_time' } }, undefined, { type: 'tool', name: 'get_time' }],
      ['required', false, { type: 'any', disable_parallel_tool_use: true }],
      [undefined, false, { type: 'auto', disable_parallel_tool_use: true }],
      [undefined, undefined, undefined],
    ];
    for (const [toolChoice, parallel, expected] of cases) {
      await chat({
        messages: [{ role: 'user', content: 'Hi' }],
        tools: [weather, time],
        tool_choice: toolChoice,
        parallel_tool_calls: parallel,
      });
      expect(lastBody().tool_choice, JSON.stringify(toolChoice)).toEqual(expected);
    }
  });

  it('asks for JSON in the system prompt for response_format', async () => {
    await chat({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      response_format: { type: 'json_object' },
    });
    expect(lastBody().system).toMatch(/^Be brief\.\n\n.*JSON object/s);
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };
    await chat({
      messages: [{ role: 'user', content: 'Hi' }],
      response_format: { type: 'json_schema', json_schema: { name: 'r', schema } },
    });
    expect(lastBody().system).toContain('JSON');
    expect(lastBody().system).toContain(JSON.stringify(schema));
    await chat({ messages: [{ role: 'user', content: 'Hi' }], response_format: { type: 'text' } });
    expect(lastBody().system).toBeUndefined();
  });

  it('refuses n > 1 and malformed tool arguments before calling upstream', async () => {
    const n = await failure(chat({ messages: [{ role: 'user', content: 'Hi' }], n: 2 }));
    expect([n.status, n.type, n.param]).toEqual([400, 'invalid_request_error', 'n']);
    const args = await failure(
      chat({
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'x', arguments: '{oops' } }] },
        ],
      }),
    );
    expect([args.status, args.param]).toEqual([400, 'messages[1].tool_calls[0].function.arguments']);
    expect(mock.calls).toHaveLength(0);
    await chat({ messages: [{ role: 'user', content: 'Hi' }], n: 1 });
    expect(mock.calls).toHaveLength(1);
  });
});

describe('anthropic adapter: responses', () => {
  it('translates a text message into a chat.completion', async () => {
    const before = Math.floor(Date.now() / 1000);
    const completion = await chat({
      messages: [
        { role: 'system', content: 'Be kind.' },
        { role: 'user', content: 'Hi there' },
      ],
    });
    expect(completion.id).toMatch(/^msg_mock/);
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('claude-test');
    expect(completion.created).toBeGreaterThanOrEqual(before);
    expect(completion.choices).toEqual([
      {
        index: 0,
        message: { role: 'assistant', content: 'Hello from claude-test. You said: Hi there', refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ]);
    // 2 system words + 2 user words; 7 reply words.
    expect(completion.usage).toEqual({
      prompt_tokens: 4,
      completion_tokens: 7,
      total_tokens: 11,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it('translates tool_use blocks into tool_calls', async () => {
    const completion = await chat({ messages: [{ role: 'user', content: 'Weather?' }], tools: [weather, time] });
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [
          { id: 'toolu_mock0', type: 'function', function: { name: 'get_weather', arguments: '{"index":0}' } },
          { id: 'toolu_mock1', type: 'function', function: { name: 'get_time', arguments: '{"index":1}' } },
        ],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    });
    const single = await chat({ messages: [{ role: 'user', content: 'Weather?' }], tools: [weather, time], parallel_tool_calls: false });
    expect((single.choices[0].message as { tool_calls: unknown[] }).tool_calls).toHaveLength(1);
  });

  it('maps stop reasons: stop_sequence to stop, max_tokens to length', async () => {
    const stopped = await chat({ messages: [{ role: 'user', content: 'Hi there' }], stop: ['You said'] });
    expect(stopped.choices[0].finish_reason).toBe('stop');
    expect((stopped.choices[0].message as { content: string }).content).toBe('Hello from claude-test. ');
    const cut = await chat({ messages: [{ role: 'user', content: 'Hi there' }], max_tokens: 3 });
    expect(cut.choices[0].finish_reason).toBe('length');
    expect((cut.choices[0].message as { content: string }).content).toBe('Hello from claude-test.');
    expect(cut.usage?.completion_tokens).toBe(3);
  });

  it('counts cache reads as cached prompt tokens', async () => {
    const messages: ChatRequest['messages'] = [
      { role: 'system', content: [{ type: 'text', text: 'A long shared preamble here.', cache_control: { type: 'ephemeral' } }] },
      { role: 'user', content: 'Hi there' },
    ];
    const completion = await chat({ messages });
    expect(lastBody().system).toEqual([{ type: 'text', text: 'A long shared preamble here.', cache_control: { type: 'ephemeral' } }]);
    // 5 + 2 prompt words, of which the mock reports 2 as read from the cache.
    expect(completion.usage).toEqual({
      prompt_tokens: 7,
      completion_tokens: 7,
      total_tokens: 14,
      prompt_tokens_details: { cached_tokens: 2 },
    });
    const chunks = await stream({ messages });
    expect(reassemble(chunks).usage).toEqual(completion.usage);
  });

  it('leaves usage out when upstream reports none', async () => {
    const completion = await chat({ model: 'claude-nousage', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.usage).toBeUndefined();
    expect((completion.choices[0].message as { content: string }).content).toBe('Hello from claude-nousage. You said: Hi');
  });
});

describe('anthropic adapter: streaming', () => {
  it('streams text that reassembles into the non-streaming answer, with a final usage chunk', async () => {
    const messages: ChatRequest['messages'] = [{ role: 'user', content: 'Tell me something' }];
    const completion = await chat({ messages });
    const chunks = await stream({ messages });
    expect(mock.calls[1].body?.stream).toBe(true);
    expect(mock.calls[1].headers.accept).toBe('text/event-stream');
    for (const chunk of chunks) {
      expect(chunk.object).toBe('chat.completion.chunk');
      expect(chunk.id).toMatch(/^msg_mock/);
      expect(chunk.model).toBe('claude-test');
    }
    expect(chunks[0].choices).toEqual([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
    expect(chunks.length).toBeGreaterThan(4);
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(completion.usage);
    expect(chunks[chunks.length - 2].choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    const rebuilt = reassemble(chunks);
    expect(rebuilt.content).toBe((completion.choices[0].message as { content: string }).content);
    expect(rebuilt.finish).toBe('stop');
    expect(chunks.filter((chunk) => chunk.usage)).toHaveLength(1);
  });

  it('streams tool calls that reassemble into the non-streaming tool_calls', async () => {
    const request = { messages: [{ role: 'user', content: 'Weather?' }], tools: [weather, time], tool_choice: 'required' };
    const completion = await chat(request);
    expect(lastBody().tool_choice).toEqual({ type: 'any' });
    const chunks = await stream(request);
    const rebuilt = reassemble(chunks);
    expect(rebuilt.calls).toEqual((completion.choices[0].message as { tool_calls: ToolCall[] }).tool_calls);
    expect(rebuilt.finish).toBe('tool_calls');
    expect(rebuilt.content).toBe('');
    expect(rebuilt.usage).toEqual(completion.usage);
    const starts = chunks.flatMap((chunk) => chunk.choices).filter((choice) => (choice.delta as any)?.tool_calls?.[0]?.id);
    expect(starts.map((choice) => (choice.delta as any).tool_calls[0])).toEqual([
      { index: 0, id: 'toolu_mock0', type: 'function', function: { name: 'get_weather', arguments: '' } },
      { index: 1, id: 'toolu_mock1', type: 'function', function: { name: 'get_time', arguments: '' } },
    ]);
  });

  it('streams a stop-sequence and a length finish', async () => {
    const stopped = reassemble(await stream({ messages: [{ role: 'user', content: 'Hi there' }], stop: 'You said' }));
    expect([stopped.content, stopped.finish]).toEqual(['Hello from claude-test. ', 'stop']);
    const cut = reassemble(await stream({ messages: [{ role: 'user', content: 'Hi there' }], max_tokens: 2 }));
    expect([cut.content, cut.finish, cut.usage?.completion_tokens]).toEqual(['Hello from', 'length', 2]);
  });

  it('emits no usage chunk when upstream streams no usage', async () => {
    const chunks = await stream({ model: 'claude-nousage', messages: [{ role: 'user', content: 'Hi' }] });
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    expect(chunks.every((chunk) => chunk.choices.length === 1)).toBe(true);
    expect(reassemble(chunks)).toMatchObject({ content: 'Hello from claude-nousage. You said: Hi', finish: 'stop' });
  });

  it('resolves only after a 2xx: an error status rejects the call itself', async () => {
    const error = await failure(
      anthropicAdapter.chatStream(connection, { model: 'claude-fail-529', messages: [{ role: 'user', content: 'Hi' }] }, options()),
    );
    expect([error.status, error.retryable, error.message]).toEqual([502, true, 'Scripted failure 529']);
  });

  it('turns an error event mid-stream into a GatewayError', async () => {
    const iterable = await anthropicAdapter.chatStream(
      connection,
      { model: 'claude-midstream-error', messages: [{ role: 'user', content: 'Hi' }] },
      options(),
    );
    const seen: ChatChunk[] = [];
    const error = await failure(
      (async () => {
        for await (const chunk of iterable) seen.push(chunk);
      })(),
    );
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect([error.status, error.retryable, error.message]).toEqual([502, true, 'Overloaded']);
  });
});

describe('anthropic adapter: errors and other endpoints', () => {
  it('maps 429 to a retryable rate limit error with retry-after', async () => {
    const error = await failure(chat({ model: 'claude-fail-429', messages: [{ role: 'user', content: 'Hi' }] }));
    expect([error.status, error.type, error.retryable, error.message]).toEqual([429, 'rate_limit_error', true, 'Scripted failure 429']);
    expect(error.headers).toEqual({ 'retry-after': '1' });
  });

  it('maps 500 and 529 to retryable 502s', async () => {
    for (const model of ['claude-fail-500', 'claude-fail-529']) {
      const error = await failure(chat({ model, messages: [{ role: 'user', content: 'Hi' }] }));
      expect([error.status, error.type, error.retryable]).toEqual([502, 'server_error', true]);
    }
  });

  it("maps 400 to an invalid request carrying Anthropic's message", async () => {
    const error = await failure(chat({ model: 'claude-fail-400', messages: [{ role: 'user', content: 'Hi' }] }));
    expect([error.status, error.type, error.retryable, error.message]).toEqual([
      400,
      'invalid_request_error',
      false,
      'Scripted failure 400',
    ]);
    const keyless = await failure(chat({ messages: [{ role: 'user', content: 'Hi' }] }, { ...connection, apiKey: undefined }));
    expect([keyless.status, keyless.code]).toEqual([502, 'upstream_authentication_failed']);
    expect(keyless.message).toContain('x-api-key header is required');
  });

  it('has no embeddings', async () => {
    const error = await failure(anthropicAdapter.embed(connection, { model: 'claude-test', input: 'hi' }, options()));
    expect([error.status, error.type, error.code]).toEqual([400, 'invalid_request_error', 'unsupported_endpoint']);
    expect(mock.calls).toHaveLength(0);
  });

  it('lists models, falling back to the configured list when listing fails', async () => {
    expect(await anthropicAdapter.listModels(connection, options())).toEqual(['mock-small', 'mock-large', 'text-embedding-mock']);
    expect(mock.calls[0]).toMatchObject({ method: 'GET', path: '/v1/models?limit=1000' });
    expect(mock.calls[0].headers['x-api-key']).toBe('sk-ant-test');
    const unreachable = { ...connection, baseUrl: 'http://127.0.0.1:1/v1' };
    expect(await anthropicAdapter.listModels({ ...unreachable, settings: { models: ['claude-a', 'claude-b'] } }, options())).toEqual([
      'claude-a',
      'claude-b',
    ]);
    const error = await failure(anthropicAdapter.listModels(unreachable, options()));
    expect(error.code).toBe('upstream_unreachable');
  });
});
