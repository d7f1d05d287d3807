/** One server-sent event: its `event` name (when given) and its `data` lines joined by newlines. */
export interface ServerSentEvent {
  event: string | undefined;
  data: string;
}

const LINE_END = /\r\n|\r|\n/;

/**
 * Reads a `text/event-stream` body event by event. Comments (`: …`) and events without `data` are
 * skipped; an event cut off by the end of the stream is dropped, as the format prescribes. Stopping
 * early (breaking out of the loop) cancels the body, which closes the connection.
 *
 * @example
 * for await (const event of readServerSentEvents(response.body!)) {
 *   if (event.data === '[DONE]') break;
 *   console.log(JSON.parse(event.data));
 * }
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let event: string | undefined;
  let finished = false;

  /** Applies one line; answers the event it completes, if any. */
  const take = (line: string): ServerSentEvent | undefined => {
    if (line === '') {
      const complete = data.length > 0 ? { event, data: data.join('\n') } : undefined;
      data = [];
      event = undefined;
      return complete;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    return undefined;
  };

  try {
    while (true) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      for (let match = LINE_END.exec(buffer); match; match = LINE_END.exec(buffer)) {
        // A lone `\r` at the end may be the first half of `\r\n`: wait for the next read.
        if (!done && match[0] === '\r' && match.index === buffer.length - 1) break;
        const line = buffer.slice(0, match.index);
        buffer = buffer.slice(match.index + match[0].length);
        const complete = take(line);
        if (complete) yield complete;
      }
      if (done) {
        finished = true;
        return;
      }
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
