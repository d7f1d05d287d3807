import { AtriumError } from './errors.ts';
import { readServerSentEvents } from './sse.ts';
import type { ChatCompletionChunk } from './types.ts';

/** A streamed chat completion: iterate it (once) for the chunks, in order. */
export interface ChatStream extends AsyncIterable<ChatCompletionChunk> {
  /** The request's `x-request-id`, to quote when reporting a problem. */
  readonly requestId: string | undefined;
  /** The provider connection that answers (`x-atrium-provider`). */
  readonly provider: string | undefined;
  /** The upstream model that answers (`x-atrium-model`). */
  readonly model: string | undefined;
  /** Stops reading and closes the connection; the loop, if any, ends. */
  cancel(): Promise<void>;
}

/**
 * Status given to errors that arrive inside a stream: the HTTP status (200) was sent before the
 * answer broke off, so the error says 502, as a gateway does for an upstream failure.
 */
const STREAM_ERROR_STATUS = 502;

/**
 * Reads an OpenAI-format event stream: yields each chunk, stops at `[DONE]`, and throws an
 * `{"error": …}` event, an event that is not JSON, or an end without `[DONE]` as an AtriumError.
 *
 * @example
 * const stream = openChatStream(await fetch(url, { method: 'POST', headers, body }));
 * for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? '');
 */
export function openChatStream(response: Response): ChatStream {
  const requestId = response.headers.get('x-request-id') ?? undefined;
  const failure = (code: string, message: string, type = 'api_error', param?: string) =>
    new AtriumError(STREAM_ERROR_STATUS, type, code, message, param, requestId);

  async function* chunks(): AsyncGenerator<ChatCompletionChunk, void, undefined> {
    if (!response.body) throw failure('empty_stream', 'The gateway answered without a body.');
    for await (const event of readServerSentEvents(response.body)) {
      if (event.data === '[DONE]') return;
      let payload: unknown;
      try {
        payload = JSON.parse(event.data);
      } catch {
        throw failure('invalid_stream', 'The stream sent an event that is not JSON.');
      }
      const error = (payload as { error?: { type?: string; code?: string | null; message?: string; param?: string | null } }).error;
      if (error) {
        throw failure(
          error.code ?? 'stream_error',
          error.message ?? 'The stream ended with an error.',
          error.type ?? 'api_error',
          error.param ?? undefined,
        );
      }
      yield payload as ChatCompletionChunk;
    }
    throw failure('stream_incomplete', 'The stream ended before [DONE].');
  }

  const iterator = chunks();
  return {
    requestId,
    provider: response.headers.get('x-atrium-provider') ?? undefined,
    model: response.headers.get('x-atrium-model') ?? undefined,
    [Symbol.asyncIterator]: () => iterator,
    async cancel() {
      await iterator.return(undefined);
      // Never iterated: the generator did not start, so the body is still open.
      await response.body?.cancel().catch(() => undefined);
    },
  };
}
