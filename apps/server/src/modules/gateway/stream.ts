import { type ChatChunk, type ChatMessage, GatewayError, type Usage, usageFromOpenAI } from './adapters/types.ts';

/**
 * Where a streamed answer comes from, turned into what the client receives: OpenAI `data:` events,
 * with the usage block (which Atrium always asks for) dropped unless the client asked for it.
 */
export interface StreamSource {
  /** Hands each piece of output to `write` as upstream sends it; returns at the end, throws on failure. */
  run(write: (text: string) => Promise<void> | void, signal: AbortSignal): Promise<void>;
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
            await write(`data: ${JSON.stringify(rest)}\n\n`);
            continue;
          }
        }
        await write(`data: ${JSON.stringify(chunk)}\n\n`);
        if (signal.aborted) return;
      }
    },
    usage: () => usage,
    generatedText: () => generated.join(''),
    chunks: () => seen.map((chunk) => ({ ...chunk })),
  };
}

/**
 * An OpenAI-format upstream body passed through as bytes: events are cut at blank lines and
 * forwarded as they are; only an event that carries usage (or an error) is parsed. Everything one
 * upstream read delivers goes out in one write.
 */
export function rawSource(body: AsyncIterable<Buffer>, includeUsage: boolean): StreamSource {
  let usage: Usage | undefined;
  const events: string[] = [];
  const parsed = () => {
    const chunks: ChatChunk[] = [];
    for (const data of events) {
      try {
        chunks.push(JSON.parse(data) as ChatChunk);
      } catch {
        // Not JSON: nothing to count or replay.
      }
    }
    return chunks;
  };
  return {
    async run(write, signal) {
      let pending = '';
      for await (const piece of body) {
        pending += piece.toString('utf8');
        if (pending.includes('\r')) pending = pending.replaceAll('\r\n', '\n');
        let out = '';
        let boundary = pending.indexOf('\n\n');
        while (boundary !== -1) {
          const event = pending.slice(0, boundary);
          pending = pending.slice(boundary + 2);
          boundary = pending.indexOf('\n\n');
          if (!event.startsWith('data:')) continue;
          const data = event.slice(event.charCodeAt(5) === 32 ? 6 : 5);
          // Atrium ends the stream itself, once the usage is durable.
          if (data === '[DONE]') continue;
          if (data.startsWith('{"error"')) {
            const message = (JSON.parse(data) as { error?: { message?: string } }).error?.message;
            throw new GatewayError(502, 'server_error', 'upstream_error', message ?? 'The provider sent an error mid-stream.');
          }
          events.push(data);
          if (data.includes('"usage":{')) {
            const chunk = JSON.parse(data) as ChatChunk;
            usage = usageFromOpenAI(chunk.usage) ?? usage;
            if (!includeUsage) {
              if (chunk.choices.length === 0) continue;
              const { usage: _usage, ...rest } = chunk;
              out += `data: ${JSON.stringify(rest)}\n\n`;
              continue;
            }
          }
          out += `data: ${includeUsage ? data : data.replace(',"usage":null', '')}\n\n`;
        }
        if (out) await write(out);
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
