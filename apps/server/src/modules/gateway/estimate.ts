import type { ChatMessage } from './adapters/types.ts';

let tokenizer: Promise<{ countTokens(text: string): number }> | undefined;

/** Counts tokens with the o200k tokenizer (loaded on first use: it is only needed when a provider reports no usage). */
export async function countTokens(text: string): Promise<number> {
  if (!text) return 0;
  tokenizer ??= import('gpt-tokenizer');
  return (await tokenizer).countTokens(text);
}

/** The text of a conversation, as the tokenizer should see it. */
export function conversationText(messages: ChatMessage[]): string {
  const parts: string[] = [];
  for (const message of messages) {
    parts.push(message.role);
    if (typeof message.content === 'string') parts.push(message.content);
    else if (Array.isArray(message.content)) {
      for (const part of message.content) if (part.type === 'text' && typeof part.text === 'string') parts.push(part.text);
    }
    for (const call of message.tool_calls ?? []) parts.push(call.function.name, call.function.arguments);
  }
  return parts.join('\n');
}

/**
 * A quick upper-leaning guess of a prompt's tokens for limits and budget reservations, without
 * tokenising on the hot path: about four characters per token, plus per-message overhead, plus
 * a flat 85 tokens per image.
 */
export function roughPromptTokens(messages: ChatMessage[]): number {
  let characters = 0;
  let extra = 0;
  for (const message of messages) {
    extra += 4;
    if (typeof message.content === 'string') characters += message.content.length;
    else if (Array.isArray(message.content)) {
      for (const part of message.content) {
        if (part.type === 'text' && typeof part.text === 'string') characters += part.text.length;
        else extra += 85;
      }
    }
    for (const call of message.tool_calls ?? []) characters += call.function.name.length + call.function.arguments.length;
  }
  return Math.ceil(characters / 4) + extra;
}
