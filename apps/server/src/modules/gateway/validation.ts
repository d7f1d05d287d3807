import { type ChatRequest, type EmbeddingRequest, GatewayError } from './adapters/types.ts';

/**
 * What the gateway checks of a `/v1` body before calling anyone: only what Atrium itself relies
 * on, each failure a 400 naming the field. Everything else is the provider's to judge (and travels
 * upstream untouched).
 */
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function invalid(message: string, param: string): GatewayError {
  return new GatewayError(400, 'invalid_request_error', 'invalid_value', message, { param });
}

/** Checks what Atrium itself relies on; everything else is the provider's to judge. */
export function validateChat(body: unknown): ChatRequest {
  if (!isObject(body)) throw invalid('The body must be a JSON object.', 'body');
  if (typeof body.model !== 'string' || !body.model) throw invalid("'model' is required: a string such as 'openai/gpt-4o-mini'.", 'model');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw invalid("'messages' must be a non-empty array.", 'messages');
  for (const [index, message] of body.messages.entries()) {
    if (!isObject(message)) throw invalid('Each message must be an object.', `messages[${index}]`);
    if (typeof message.role !== 'string') throw invalid("Each message needs a 'role'.", `messages[${index}].role`);
    const content = message.content;
    if (content !== undefined && content !== null && typeof content !== 'string' && !Array.isArray(content))
      throw invalid("'content' must be a string or an array of parts.", `messages[${index}].content`);
    if (Array.isArray(content)) {
      for (const [partIndex, part] of content.entries()) {
        if (!isObject(part) || typeof part.type !== 'string')
          throw invalid("Each content part needs a 'type'.", `messages[${index}].content[${partIndex}].type`);
      }
    }
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw invalid("'stream' must be a boolean.", 'stream');
  for (const field of ['max_tokens', 'max_completion_tokens', 'n'] as const) {
    const value = body[field];
    if (value !== undefined && value !== null && (!Number.isInteger(value) || (value as number) < 1))
      throw invalid(`'${field}' must be a positive integer.`, field);
  }
  if (body.tools !== undefined && !Array.isArray(body.tools)) throw invalid("'tools' must be an array.", 'tools');
  return body as ChatRequest;
}

export function validateEmbeddings(body: unknown): EmbeddingRequest {
  if (!isObject(body)) throw invalid('The body must be a JSON object.', 'body');
  if (typeof body.model !== 'string' || !body.model) throw invalid("'model' is required.", 'model');
  const input = body.input;
  const ok = typeof input === 'string' || (Array.isArray(input) && input.length > 0);
  if (!ok) throw invalid("'input' must be a string or a non-empty array.", 'input');
  return body as EmbeddingRequest;
}

/** `*` matches any run of characters; anything else must match exactly. */
export function modelAllowed(patterns: string[], model: string): boolean {
  return patterns.some((pattern) =>
    pattern.includes('*')
      ? new RegExp(
          `^${pattern
            .split('*')
            .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
            .join('.*')}$`,
        ).test(model)
      : pattern === model,
  );
}
