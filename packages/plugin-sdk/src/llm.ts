/**
 * The OpenAI chat-completions wire format, as far as `atrium.llm.chat` uses it. The call goes
 * through the organisation's gateway (routing, quotas, metering), so the model is any name the
 * gateway routes. Types only.
 *
 * @example
 * const completion: ChatCompletion = await atrium.llm.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
 * completion.choices[0]?.message.content;
 */

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** One message of a conversation. */
export type ChatMessage =
  | { role: 'system' | 'developer'; content: string; name?: string }
  | {
      role: 'user';
      content: string | Array<{ type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } }>;
      name?: string;
    }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[]; name?: string }
  | { role: 'tool'; content: string; tool_call_id: string };

/** A function the model may call; `parameters` is a JSON Schema. */
export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

/** The request body of `POST /v1/chat/completions` (streaming is not available to plugins). */
export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string | string[];
  tools?: ChatTool[];
  tool_choice?: 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };
  response_format?: { type: 'text' | 'json_object' } | { type: 'json_schema'; json_schema: Record<string, unknown> };
  seed?: number;
  user?: string;
  metadata?: Record<string, string>;
}

/** The response body of a non-streaming chat completion. */
export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[]; refusal?: string | null };
    finish_reason: 'stop' | 'length' | 'tool_calls' | 'content_filter' | null;
  }>;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}
