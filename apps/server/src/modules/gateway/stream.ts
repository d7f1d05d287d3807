import { type ChatChunk, type ChatMessage, GatewayError, type Usage, usageFromOpenAI } from './adapters/types.ts';

/**
 * Where a streamed answer comes from, turned into what the client receives: OpenAI `data:` events,
 * with the usage block (which Atrium always asks for) dropped unless the client asked for it.
 */
export interface StreamSource {
  /**
   * Hands the output to `write` as upstream sends it (everything one upstream read delivered in one
   * call); returns at the end, throws on failure.
   */
  run(write: (pieces: Array<string | Buffer>) => Promise<void> | void, signal: AbortSignal): Promise<void>;
  usage(): Usage | undefined;
  /** The generated text so far (content and tool arguments), for the tokenizer when upstream sent no usage. */
  generatedText(): string;
  /** The chunks as parsed objects, for the response cache. */
  chunks(): ChatChunk[];
}

function textOf(chunk: ChatChunk, into: string[]) {
  for (const choice of chunk.choices ?? []) {
    const delta = choice.delta as ChatMessage | undefined;
    if (typeof delta?.content === 'string') into.push(delta.content);
    for (const call of delta?.tool_calls ?? []) if (call.function?.arguments) into.push(call.function.arguments);
  }
}

/** Chunks an adapter translated (Anthropic, Gemini): serialised one by one. */
export function objectSource(source: AsyncIterable<ChatChunk>, includeUsage: boolean): StreamSource {
  let usage: Usage | undefined;
  const generated: string[] = [];
  const seen: ChatChunk[] = [];
  return {
    async run(write, signal) {
      for await (const chunk of source) {
        if (chunk.usage) usage = usageFromOpenAI(chunk.usage);
        textOf(chunk, generated);
        seen.push(chunk);
        if (!includeUsage) {
          if (chunk.usage && chunk.choices.length === 0) continue;
          if ('usage' in chunk) {
            const { usage: _usage, ...rest } = chunk;
            await write([`data: ${JSON.stringify(rest)}\n\n`]);
            continue;
          }
        }
        await write([`data: ${JSON.stringify(chunk)}\n\n`]);
        if (signal.aborted) return;
      }
    },
    usage: () => usage,
    generatedText: () => generated.join(''),
    chunks: () => seen.map((chunk) => ({ ...chunk })),
  };
}

const BLANK_LINE = Buffer.from('\n\n');
const DATA = Buffer.from('data:');
const DONE = Buffer.from('[DONE]');
const USAGE_OBJECT = Buffer.from('"usage":{');
const USAGE_NULL = Buffer.from(',"usage":null');
const ERROR_START = Buffer.from('{"error"');
const EVENT_END = Buffer.from('\n\n');

/**
 * An OpenAI-format upstream body passed through as bytes: events are cut at blank lines and
 * forwarded without decoding; only an event that carries usage (or an error) is parsed. What one
 * upstream read delivers goes out in one write.
 */
export function rawSource(body: AsyncIterable<Buffer>, includeUsage: boolean): StreamSource {
  let usage: Usage | undefined;
  const events: Buffer[] = [];
  const parsed = () => {
    const chunks: ChatChunk[] = [];
    for (const data of events) {
      try {
        chunks.push(JSON.parse(data.toString('utf8')) as ChatChunk);
      } catch {
        // Not JSON: nothing to count or replay.
      }
    }
    return chunks;
  };
  return {
    async run(write, signal) {
      let pending: Buffer = Buffer.alloc(0);
      for await (const piece of body) {
        pending = pending.length ? Buffer.concat([pending, piece]) : piece;
        if (pending.includes(13)) pending = Buffer.from(pending.toString('utf8').replaceAll('\r\n', '\n'));
        const out: Array<string | Buffer> = [];
        let start = 0;
        let boundary = pending.indexOf(BLANK_LINE, start);
        while (boundary !== -1) {
          const event = pending.subarray(start, boundary);
          start = boundary + 2;
          boundary = pending.indexOf(BLANK_LINE, start);
          if (!event.subarray(0, 5).equals(DATA)) continue;
          const data = event.subarray(event[5] === 32 ? 6 : 5);
          // Atrium ends the stream itself, once the usage is durable.
          if (data.equals(DONE)) continue;
          if (data.subarray(0, ERROR_START.length).equals(ERROR_START)) {
            const message = (JSON.parse(data.toString('utf8')) as { error?: { message?: string } }).error?.message;
            throw new GatewayError(502, 'server_error', 'upstream_error', message ?? 'The provider sent an error mid-stream.');
          }
          events.push(data);
          if (data.includes(USAGE_OBJECT)) {
            const chunk = JSON.parse(data.toString('utf8')) as ChatChunk;
            usage = usageFromOpenAI(chunk.usage) ?? usage;
            if (!includeUsage) {
              if (chunk.choices.length === 0) continue;
              const { usage: _usage, ...rest } = chunk;
              out.push(`data: ${JSON.stringify(rest)}\n\n`);
              continue;
            }
          }
          if (!includeUsage) {
            const at = data.indexOf(USAGE_NULL);
            if (at !== -1) {
              out.push(Buffer.concat([DATA, Buffer.from(' '), data.subarray(0, at), data.subarray(at + USAGE_NULL.length), EVENT_END]));
              continue;
            }
          }
          out.push(event, EVENT_END);
        }
        // Keep the unfinished event (copied: the piece it lives in is not ours to hold).
        pending = start < pending.length ? Buffer.from(pending.subarray(start)) : Buffer.alloc(0);
        if (out.length) await write(out);
        if (signal.aborted) return;
      }
    },
    usage: () => usage,
    generatedText() {
      const generated: string[] = [];
      for (const chunk of parsed()) textOf(chunk, generated);
      return generated.join('');
    },
    chunks: parsed,
  };
}
