/**
 * A lean OpenAI-compatible upstream for bench/gateway, run as its own process (`node mock.mjs`)
 * so its CPU is not charged to the gateway under test. Plain node:http, keep-alive, no delays.
 *
 *   POST …/chat/completions              → one small `chat.completion` with usage
 *   POST …/chat/completions stream:true  → 20 content chunks, a finish chunk, a usage chunk when
 *                                          `stream_options.include_usage`, then `[DONE]`; each
 *                                          event its own write, all at once
 *   anything else                        → 404
 *
 * Started by bench/gateway/run.ts with an IPC channel: it sends `{ port }` once listening, answers
 * `'stats'` with `{ connections }` (TCP connections accepted so far: keep-alive at work shows as
 * none opened during a run) and exits when the channel closes (the parent stopped or died). Run
 * alone it prints the port.
 */
import { createServer } from 'node:http';

const CREATED = 1_700_000_000;
const STREAM_PIECES = 20;
const PROMPT_TOKENS = 12;
const COMPLETION_TOKENS = 24;
const USAGE = `{"prompt_tokens":${PROMPT_TOKENS},"completion_tokens":${COMPLETION_TOKENS},"total_tokens":${PROMPT_TOKENS + COMPLETION_TOKENS}}`;
const ANSWER = 'The quick brown fox jumps over the lazy dog while the benchmark measures every hop along the way.';

/** The model name is the only part of a reply that varies; keep it JSON-safe without a stringify per request. */
const modelJson = (model) => JSON.stringify(typeof model === 'string' ? model : 'unknown');

function completion(model) {
  return (
    `{"id":"chatcmpl-bench","object":"chat.completion","created":${CREATED},"model":${modelJson(model)},` +
    `"choices":[{"index":0,"message":{"role":"assistant","content":${JSON.stringify(ANSWER)}},"logprobs":null,"finish_reason":"stop"}],` +
    `"usage":${USAGE},"system_fingerprint":"fp_bench"}`
  );
}

const pieces = Array.from({ length: STREAM_PIECES }, (_, index) => JSON.stringify(`tok${index} `));

function stream(response, model, includeUsage) {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const head = `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":${CREATED},"model":${modelJson(model)},"system_fingerprint":"fp_bench","choices":`;
  response.write(`${head}[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n`);
  for (const piece of pieces) {
    response.write(`${head}[{"index":0,"delta":{"content":${piece}},"logprobs":null,"finish_reason":null}]}\n\n`);
  }
  response.write(`${head}[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}\n\n`);
  if (includeUsage) response.write(`${head}[],"usage":${USAGE}}\n\n`);
  response.end('data: [DONE]\n\n');
}

function notFound(response) {
  const body = '{"error":{"message":"not found","type":"invalid_request_error","code":"not_found"}}';
  response.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

const server = createServer({ keepAlive: true, noDelay: true }, (request, response) => {
  if (request.method !== 'POST' || !request.url.endsWith('/chat/completions')) {
    request.resume();
    notFound(response);
    return;
  }
  const parts = [];
  request.on('data', (part) => parts.push(part));
  request.on('end', () => {
    let body;
    try {
      body = JSON.parse(parts.length === 1 ? parts[0] : Buffer.concat(parts));
    } catch {
      const text = '{"error":{"message":"invalid JSON","type":"invalid_request_error","code":"invalid_json"}}';
      response.writeHead(400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      response.end(text);
      return;
    }
    if (body.stream === true) {
      stream(response, body.model, body.stream_options?.include_usage === true);
      return;
    }
    const text = completion(body.model);
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  });
});
let connections = 0;
server.on('connection', () => {
  connections++;
});
// Clients keep their connections for the whole run; do not let the server close idle ones early.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;
server.requestTimeout = 0;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  if (process.send) {
    process.send({ port });
    process.on('message', (message) => {
      if (message === 'stats') process.send({ connections });
    });
    // The parent went away (normally or not): stop.
    process.on('disconnect', () => process.exit(0));
  } else {
    console.log(`mock OpenAI upstream on http://127.0.0.1:${port}/v1`);
  }
});
