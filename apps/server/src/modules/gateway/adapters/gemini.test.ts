import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import '../testing/mock-gemini.ts';
import { type MockUpstream, startMockUpstream } from '../testing/mock-upstream.ts';
import { fromGeminiResponse, geminiAdapter } from './gemini.ts';
import { toGeminiRequest } from './gemini-request.ts';
import { cleanSchema } from './gemini-schema.ts';
import { type ChatChunk, type ChatCompletion, type ChatRequest, type Connection, GatewayError } from './types.ts';

let mock: MockUpstream;
let connection: Connection;

beforeAll(async () => {
  mock = await startMockUpstream();
  connection = { id: 'c1', name: 'gem', type: 'gemini', baseUrl: `${mock.url}/v1beta`, apiKey: 'g-test', settings: {} };
});

afterAll(async () => {
  await mock.close();
});

beforeEach(() => {
  mock.reset();
});

const options = () => ({ signal: new AbortController().signal });

type Body = Record<string, any>;

function lastCall() {
  const call = mock.calls.at(-1);
  if (!call) throw new Error('the mock saw no call');
  return { ...call, body: call.body as Body };
}

async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** Folds stream chunks back into the choices and usage of a `chat.completion`. */
function reassemble(chunks: ChatChunk[]) {
  const choices = new Map<number, { index: number; message: Body; finish_reason: string | null }>();
  let usage: unknown;
  for (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices as Body[]) {
      let state = choices.get(choice.index);
      if (!state) {
        state = { index: choice.index, message: { role: 'assistant', content: null, refusal: null }, finish_reason: null };
        choices.set(choice.index, state);
      }
      const delta = choice.delta as Body;
      if (delta.content) state.message.content = (state.message.content ?? '') + delta.content;
      for (const call of delta.tool_calls ?? []) {
        state.message.tool_calls ??= [];
        const existing = state.message.tool_calls[call.index];
        if (existing) existing.function.arguments += call.function?.arguments ?? '';
        else state.message.tool_calls[call.index] = { id: call.id, type: call.type, function: { ...call.function } };
      }
      if (choice.finish_reason) state.finish_reason = choice.finish_reason;
    }
  }
  return { choices: [...choices.values()].sort((a, b) => a.index - b.index), usage };
}

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: false,
      properties: {
        city: { type: 'string', description: 'City name' },
        options: { type: 'object', additionalProperties: false, properties: { unit: { type: 'string', enum: ['c', 'f'] } } },
        days: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { day: { type: 'integer' } } } },
      },
      required: ['city'],
    },
  },
};

const timeTool = {
  type: 'function',
  function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } },
};

describe('request translation', () => {
  it('sends system text, roles, merged turns and headers the way Gemini expects', async () => {
    const withHeaders = { ...connection, settings: { headers: { 'x-extra': 'yes' } } };
    await geminiAdapter.chat(
      withHeaders,
      {
        model: 'gemini-mock-flash',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in English.' }] },
          { role: 'user', content: 'Hi there' },
          { role: 'user', content: [{ type: 'text', text: 'again' }] },
          { role: 'assistant', content: 'Hello!' },
          { role: 'user', content: 'How are you' },
        ],
      },
      options(),
    );
    const call = lastCall();
    expect(call.method).toBe('POST');
    expect(call.path).toBe('/v1beta/models/gemini-mock-flash:generateContent');
    expect(call.headers['x-goog-api-key']).toBe('g-test');
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers['x-extra']).toBe('yes');
    expect(call.headers.authorization).toBeUndefined();
    expect(call.body).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }, { text: 'Answer in English.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Hi there' }, { text: 'again' }] },
        { role: 'model', parts: [{ text: 'Hello!' }] },
        { role: 'user', parts: [{ text: 'How are you' }] },
      ],
    });
  });

  it('sends data: images inline and http(s) images as file data with a guessed MIME type', async () => {
    await geminiAdapter.chat(
      connection,
      {
        model: 'gemini-mock-flash',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Compare these' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.webp?size=large', detail: 'high' } },
              { type: 'image_url', image_url: { url: 'https://example.com/photo' } },
            ],
          },
        ],
      },
      options(),
    );
    expect(lastCall().body.contents).toEqual([
      {
        role: 'user',
        parts: [
          { text: 'Compare these' },
          { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
          { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/cat.webp?size=large' } },
          { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/photo' } },
        ],
      },
    ]);
  });

  it('turns tool calls into functionCall parts and tool results into merged functionResponse parts', async () => {
    await geminiAdapter.chat(
      connection,
      {
        model: 'gemini-mock-flash',
        messages: [
          { role: 'user', content: 'Weather and time in Paris?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"zone":"CET"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_a', content: '{"temp":21}' },
          { role: 'tool', tool_call_id: 'call_b', content: 'noon' },
          { role: 'user', content: 'Thanks' },
        ],
        tools: [weatherTool, timeTool],
        tool_choice: 'none',
      },
      options(),
    );
    const body = lastCall().body;
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather and time in Paris?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
          { functionCall: { name: 'get_time', args: { zone: 'CET' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { content: { temp: 21 } } } },
          { functionResponse: { name: 'get_time', response: { content: { result: 'noon' } } } },
          { text: 'Thanks' },
        ],
      },
    ]);
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: {
              type: 'object',
              properties: {
                city: { type: 'string', description: 'City name' },
                options: { type: 'object', properties: { unit: { type: 'string', enum: ['c', 'f'] } } },
                days: { type: 'array', items: { type: 'object', properties: { day: { type: 'integer' } } } },
              },
              required: ['city'],
            },
          },
          { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } },
        ],
      },
    ]);
  });

  it('rejects a tool result whose call it cannot find', async () => {
    const error = await failure(
      geminiAdapter.chat(
        connection,
        {
          model: 'gemini-mock-flash',
          messages: [
            { role: 'user', content: 'x' },
            { role: 'tool', tool_call_id: 'nope', content: '1' },
          ],
        },
        options(),
      ),
    );
    expect(error.status).toBe(400);
    expect(error.param).toBe('messages.1.tool_call_id');
    expect(mock.calls).toHaveLength(0);
  });

  it.each([
    ['auto', { mode: 'AUTO' }],
    ['none', { mode: 'NONE' }],
    ['required', { mode: 'ANY' }],
    [
      { type: 'function', function: { name: 'get_time' } },
      { mode: 'ANY', allowedFunctionNames: ['get_time'] },
    ],
  ])('maps tool_choice %j to functionCallingConfig', (choice, config) => {
    const body = toGeminiRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }], tools: [timeTool], tool_choice: choice });
    expect(body.toolConfig).toEqual({ functionCallingConfig: config });
  });

  it('maps sampling and output options to generationConfig', async () => {
    await geminiAdapter.chat(
      connection,
      {
        model: 'gemini-mock-flash',
        messages: [{ role: 'user', content: 'hi' }],
        temperature: 0.3,
        top_p: 0.9,
        max_tokens: 50,
        stop: 'END',
        n: 2,
        seed: 7,
        presence_penalty: 0.5,
        frequency_penalty: 0.25,
        logprobs: true,
        top_logprobs: 2,
        response_format: { type: 'json_object' },
      },
      options(),
    );
    expect(lastCall().body.generationConfig).toEqual({
      temperature: 0.3,
      topP: 0.9,
      maxOutputTokens: 50,
      stopSequences: ['END'],
      candidateCount: 2,
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
      responseLogprobs: true,
      logprobs: 2,
      responseMimeType: 'application/json',
    });

    const structured = toGeminiRequest({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      max_completion_tokens: 99,
      stop: ['a', 'b'],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'r',
          strict: true,
          schema: { type: 'object', additionalProperties: false, properties: { ok: { type: 'boolean' } }, required: ['ok'] },
        },
      },
    });
    expect(structured.generationConfig).toEqual({
      maxOutputTokens: 99,
      stopSequences: ['a', 'b'],
      responseMimeType: 'application/json',
      responseSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
    });
    expect(toGeminiRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).generationConfig).toBeUndefined();
  });

  it('cleans schemas recursively without touching property names', () => {
    const schema = {
      $schema: 'x',
      type: 'object',
      additionalProperties: false,
      $defs: { Point: { type: 'object', additionalProperties: false, properties: { x: { type: 'number' } } } },
      properties: {
        additionalProperties: { type: 'string', format: 'uri' },
        at: { $ref: '#/$defs/Point' },
        note: { type: ['string', 'null'] },
        kind: { const: 'point' },
        list: { type: 'array', items: { anyOf: [{ type: 'integer' }, { type: 'null' }] } },
        when: { type: 'string', format: 'date-time' },
      },
    };
    expect(cleanSchema(schema)).toEqual({
      type: 'object',
      properties: {
        additionalProperties: { type: 'string' },
        at: { type: 'object', properties: { x: { type: 'number' } } },
        note: { type: 'string', nullable: true },
        kind: { type: 'string', enum: ['point'] },
        list: { type: 'array', items: { type: 'integer', nullable: true } },
        when: { type: 'string', format: 'date-time' },
      },
    });
  });
});

describe('response translation', () => {
  const request: ChatRequest = {
    model: 'gemini-mock-flash',
    messages: [
      { role: 'system', content: 'Be nice' },
      { role: 'user', content: 'Hi there' },
    ],
  };

  it('translates a text reply and its usage', async () => {
    const completion = await geminiAdapter.chat(connection, request, options());
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('gemini-mock-flash');
    expect(completion.choices).toEqual([
      {
        index: 0,
        message: { role: 'assistant', content: 'Hello from gemini-mock-flash. You said: Hi there', refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ]);
    expect(completion.usage).toEqual({
      prompt_tokens: 4,
      completion_tokens: 7,
      total_tokens: 11,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it('translates function calls into tool calls', async () => {
    const completion = await geminiAdapter.chat(connection, { ...request, tools: [weatherTool, timeTool] }, options());
    expect(lastCall().body.toolConfig).toBeUndefined();
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"index":0}' } },
          { id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '{"index":1}' } },
        ],
        refusal: null,
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    });
    expect(completion.usage?.completion_tokens).toBe(6);

    const named = await geminiAdapter.chat(
      connection,
      { ...request, tools: [weatherTool, timeTool], tool_choice: { type: 'function', function: { name: 'get_time' } } },
      options(),
    );
    expect(
      (named.choices[0].message as { tool_calls: Array<{ function: { name: string } }> }).tool_calls.map((call) => call.function.name),
    ).toEqual(['get_time']);
  });

  it('returns one choice per candidate and translates logprobs', async () => {
    const completion = await geminiAdapter.chat(connection, { ...request, n: 2, logprobs: true, top_logprobs: 2 }, options());
    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1]);
    expect(completion.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 14 });
    const logprobs = completion.choices[1].logprobs as { content: Array<{ token: string; logprob: number; top_logprobs: unknown[] }> };
    expect(logprobs.content.map((entry) => entry.token).join('')).toBe('Hello from gemini-mock-flash. You said: Hi there');
    expect(logprobs.content[0]).toEqual({
      token: 'Hello ',
      logprob: -0.1,
      bytes: [...Buffer.from('Hello ')],
      top_logprobs: [
        { token: 'Hello ', logprob: -0.1, bytes: [...Buffer.from('Hello ')] },
        { token: 'alt1', logprob: -0.2, bytes: [...Buffer.from('alt1')] },
      ],
    });
  });

  it.each([
    ['STOP', [], 'stop'],
    ['STOP', [{ functionCall: { name: 'f', args: {} } }], 'tool_calls'],
    ['MAX_TOKENS', [{ text: 'cut' }], 'length'],
    ['SAFETY', [], 'content_filter'],
    ['RECITATION', [], 'content_filter'],
    ['BLOCKLIST', [], 'content_filter'],
    ['PROHIBITED_CONTENT', [], 'content_filter'],
    ['SPII', [], 'content_filter'],
    ['OTHER', [{ text: 'x' }], 'stop'],
  ])('maps finishReason %s to %s', (reason, parts, expected) => {
    const completion = fromGeminiResponse({ candidates: [{ content: { role: 'model', parts }, finishReason: reason }] }, 'm');
    expect(completion.choices[0].finish_reason).toBe(expected);
  });

  it('reports a blocked prompt as a content_filter choice', () => {
    const completion = fromGeminiResponse(
      { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 } },
      'm',
    );
    expect(completion.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: null, refusal: null }, logprobs: null, finish_reason: 'content_filter' },
    ]);
    expect(completion.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 0, total_tokens: 5 });
  });

  it('counts thinking tokens as completion tokens, cached content as cached tokens, and skips thought parts', () => {
    const completion = fromGeminiResponse(
      {
        candidates: [{ content: { parts: [{ text: 'thinking…', thought: true }, { text: 'Answer' }] }, finishReason: 'STOP' }],
        usageMetadata: {
          promptTokenCount: 100,
          candidatesTokenCount: 10,
          thoughtsTokenCount: 30,
          cachedContentTokenCount: 60,
          totalTokenCount: 140,
        },
      },
      'm',
    );
    expect((completion.choices[0].message as { content: string }).content).toBe('Answer');
    expect(completion.usage).toEqual({
      prompt_tokens: 100,
      completion_tokens: 40,
      total_tokens: 140,
      prompt_tokens_details: { cached_tokens: 60 },
      completion_tokens_details: { reasoning_tokens: 30 },
    });
  });

  it('leaves usage out when Gemini sends no usageMetadata', async () => {
    const completion = await geminiAdapter.chat(connection, { ...request, model: 'gemini-nousage' }, options());
    expect(completion.usage).toBeUndefined();
    expect((completion.choices[0].message as { content: string }).content).toBe('Hello from gemini-nousage. You said: Hi there');
  });
});

describe('streaming', () => {
  const request: ChatRequest = { model: 'gemini-mock-flash', messages: [{ role: 'user', content: 'Tell me a story please' }] };

  function comparable(completion: ChatCompletion) {
    return { choices: completion.choices.map(({ logprobs: _logprobs, ...choice }) => choice), usage: completion.usage };
  }

  it('asks for SSE and reassembles to the non-streaming answer', async () => {
    const whole = await geminiAdapter.chat(connection, request, options());
    const chunks = await collect(await geminiAdapter.chatStream(connection, { ...request, stream: true }, options()));
    const call = lastCall();
    expect(call.path).toBe('/v1beta/models/gemini-mock-flash:streamGenerateContent?alt=sse');
    expect(call.headers['x-goog-api-key']).toBe('g-test');
    expect(call.body.stream).toBeUndefined();

    expect(chunks[0].choices).toEqual([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(chunk.object).toBe('chat.completion.chunk');
      expect(chunk.id).toBe(chunks[0].id);
      expect(chunk.model).toBe('gemini-mock-flash');
    }
    const usageChunks = chunks.filter((chunk) => chunk.usage);
    expect(usageChunks).toHaveLength(1);
    expect(chunks.at(-1)).toBe(usageChunks[0]);
    expect(usageChunks[0].choices).toEqual([]);
    expect(reassemble(chunks)).toEqual(comparable(whole));
  });

  it('reassembles several candidates', async () => {
    const whole = await geminiAdapter.chat(connection, { ...request, n: 2 }, options());
    const chunks = await collect(await geminiAdapter.chatStream(connection, { ...request, n: 2, stream: true }, options()));
    expect(reassemble(chunks)).toEqual(comparable(whole));
    expect(chunks.filter((chunk) => (chunk.choices as Body[]).some((choice) => choice.delta.role))).toHaveLength(2);
  });

  it('streams function calls as tool call deltas', async () => {
    const toolRequest = { ...request, tools: [weatherTool, timeTool] };
    const whole = await geminiAdapter.chat(connection, toolRequest, options());
    const chunks = await collect(await geminiAdapter.chatStream(connection, { ...toolRequest, stream: true }, options()));
    const assembled = reassemble(chunks);
    expect(assembled).toEqual(comparable(whole));
    expect(assembled.choices[0].finish_reason).toBe('tool_calls');
    const deltas = chunks.flatMap((chunk) => (chunk.choices as Body[]).flatMap((choice) => choice.delta.tool_calls ?? []));
    expect(deltas.map((call: Body) => call.index)).toEqual([0, 1]);
  });

  it('streams logprobs with the content deltas', async () => {
    const chunks = await collect(await geminiAdapter.chatStream(connection, { ...request, logprobs: true, stream: true }, options()));
    const tokens = chunks.flatMap((chunk) =>
      (chunk.choices as Body[]).flatMap((choice) => choice.logprobs?.content ?? []).map((entry: Body) => entry.token),
    );
    expect(tokens.join('')).toBe('Hello from gemini-mock-flash. You said: Tell me a story please');
  });

  it('ends without a usage chunk when Gemini reports no usage', async () => {
    const chunks = await collect(
      await geminiAdapter.chatStream(connection, { ...request, model: 'gemini-nousage', stream: true }, options()),
    );
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    expect(chunks.at(-1)?.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    expect(reassemble(chunks).choices[0].message.content).toBe('Hello from gemini-nousage. You said: Tell me a story please');
  });

  it('rejects before the first byte when Gemini refuses the call', async () => {
    const error = await failure(geminiAdapter.chatStream(connection, { ...request, model: 'gemini-fail-429', stream: true }, options()));
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
  });

  it('ends with the abort reason when the caller aborts mid-stream', async () => {
    const controller = new AbortController();
    const stream = await geminiAdapter.chatStream(
      connection,
      { ...request, model: 'gemini-drip-50', stream: true },
      { signal: controller.signal },
    );
    const error = await failure(
      (async () => {
        for await (const chunk of stream) {
          if ((chunk.choices as Body[]).some((choice) => choice.delta.content)) controller.abort();
        }
      })(),
    );
    expect(error.status).toBe(499);
    expect(error.code).toBe('client_closed_request');
  });
});

describe('errors', () => {
  const request = (model: string): ChatRequest => ({ model, messages: [{ role: 'user', content: 'hi' }] });

  it('maps 429 RESOURCE_EXHAUSTED to a retryable rate limit', async () => {
    const error = await failure(geminiAdapter.chat(connection, request('gemini-fail-429'), options()));
    expect(error.status).toBe(429);
    expect(error.type).toBe('rate_limit_error');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('Resource has been exhausted (e.g. check quota).');
    expect(error.headers).toEqual({ 'retry-after': '1' });
  });

  it('maps 503 UNAVAILABLE to a retryable 502', async () => {
    const error = await failure(geminiAdapter.chat(connection, request('gemini-fail-503'), options()));
    expect(error.status).toBe(502);
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('The model is overloaded. Please try again later.');
  });

  it("maps 400 INVALID_ARGUMENT to a 400 carrying Gemini's message", async () => {
    const error = await failure(geminiAdapter.chat(connection, request('gemini-fail-400'), options()));
    expect(error.status).toBe(400);
    expect(error.type).toBe('invalid_request_error');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('* GenerateContentRequest.contents: contents is not specified');
  });

  it('the mock, like Gemini, rejects schema keywords the adapter must clean', async () => {
    const response = await fetch(`${mock.url}/v1beta/models/gemini-mock-flash:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'g-test' },
      body: JSON.stringify({
        contents: [{ role: 'user', parts: [{ text: 'x' }] }],
        tools: [{ functionDeclarations: [weatherTool.function] }],
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: number; status: string; message: string } };
    expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(body.error.message).toContain('Unknown name "$schema"');
  });
});

describe('embeddings', () => {
  it('embeds a batch of strings', async () => {
    const result = await geminiAdapter.embed(
      connection,
      { model: 'text-embedding-mock', input: ['one two', 'three'], dimensions: 4 },
      options(),
    );
    const call = lastCall();
    expect(call.path).toBe('/v1beta/models/text-embedding-mock:batchEmbedContents');
    expect(call.headers['x-goog-api-key']).toBe('g-test');
    expect(call.body).toEqual({
      requests: [
        { model: 'models/text-embedding-mock', content: { parts: [{ text: 'one two' }] }, outputDimensionality: 4 },
        { model: 'models/text-embedding-mock', content: { parts: [{ text: 'three' }] }, outputDimensionality: 4 },
      ],
    });
    expect(result).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [2 / 7, 3 / 7, 4 / 7, 5 / 7] },
        { object: 'embedding', index: 1, embedding: [1 / 7, 2 / 7, 3 / 7, 4 / 7] },
      ],
      model: 'text-embedding-mock',
      usage: { prompt_tokens: 4, total_tokens: 4 },
    });
  });

  it('embeds a single string, in base64 when asked', async () => {
    const result = await geminiAdapter.embed(
      connection,
      { model: 'text-embedding-mock', input: 'hello', encoding_format: 'base64' },
      options(),
    );
    expect(result.data).toHaveLength(1);
    const decoded = new Float32Array(new Uint8Array(Buffer.from(result.data[0].embedding as string, 'base64')).buffer);
    expect([...decoded].map((value) => Math.round(value * 7))).toEqual([1, 2, 3, 4, 5, 6, 0, 1]);
    expect(result.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
  });

  it('rejects token arrays', async () => {
    const error = await failure(geminiAdapter.embed(connection, { model: 'text-embedding-mock', input: [1, 2, 3] }, options()));
    expect(error.status).toBe(400);
    expect(error.param).toBe('input');
    expect(mock.calls).toHaveLength(0);
  });

  it('maps embedding errors', async () => {
    const error = await failure(geminiAdapter.embed(connection, { model: 'embed-fail-429', input: 'x' }, options()));
    expect(error.status).toBe(429);
  });
});

describe('models', () => {
  it('lists models without the models/ prefix', async () => {
    expect(await geminiAdapter.listModels(connection, options())).toEqual(['gemini-mock-flash', 'gemini-mock-pro', 'text-embedding-mock']);
    const call = lastCall();
    expect(call.method).toBe('GET');
    expect(call.path).toMatch(/^\/v1beta\/models\?/);
    expect(call.headers['x-goog-api-key']).toBe('g-test');
  });

  it("falls back to the connection's models when listing fails", async () => {
    mock.script('', [{ status: 500 }]);
    const fallback = { ...connection, settings: { models: ['gemini-configured'] } };
    expect(await geminiAdapter.listModels(fallback, options())).toEqual(['gemini-configured']);
    mock.script('', [{ status: 500 }]);
    const error = await failure(geminiAdapter.listModels(connection, options()));
    expect(error.status).toBe(502);
  });
});

describe('gemini thought signatures', () => {
  it('carries a function call’s thought signature out and back in, as Google’s OpenAI endpoint does', () => {
    const completion = fromGeminiResponse(
      {
        candidates: [
          {
            content: { role: 'model', parts: [{ functionCall: { name: 'time', args: {} }, thoughtSignature: 'sig-123' }] },
            finishReason: 'STOP',
          },
        ],
      },
      'm',
    );
    const message = completion.choices[0].message as { tool_calls: Array<Record<string, unknown>> };
    expect(message.tool_calls[0]).toMatchObject({ extra_content: { google: { thought_signature: 'sig-123' } } });
    const next = toGeminiRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'what time is it' },
        { role: 'assistant', content: null, tool_calls: message.tool_calls as never },
        { role: 'tool', tool_call_id: 'call_0', content: '{"now":"noon"}' },
      ],
    }) as { contents: Array<{ parts: Array<Record<string, unknown>> }> };
    expect(next.contents[1].parts[0]).toMatchObject({ functionCall: { name: 'time' }, thoughtSignature: 'sig-123' });
  });
});
