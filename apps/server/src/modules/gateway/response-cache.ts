import { createHash } from 'node:crypto';
import { type ChatChunk, type ChatCompletion, type ChatMessage, type ChatRequest, openAIUsage, type Usage } from './adapters/types.ts';

/**
 * The opt-in exact-match response cache: what is stored per answer, its key, and the conversions
 * that let a stored answer be replayed as JSON or as a stream whichever way it was first asked.
 */
const CACHE_PREFIX = 'gw:response:';

export interface CachedAnswer {
  completion?: ChatCompletion;
  chunks?: ChatChunk[];
  usage: Usage;
  provider: string;
  model: string;
}

/** Same organisation, same workspace, same request (stream flags aside) → same answer. */
export function responseCacheKey(caller: { orgId: string; workspaceId: string | undefined }, body: ChatRequest): string {
  const { stream: _stream, stream_options: _options, ...rest } = body;
  const hash = createHash('sha256').update(JSON.stringify(rest)).digest('base64url');
  return `${CACHE_PREFIX}${caller.orgId}:${caller.workspaceId ?? '-'}:${hash}`;
}

/** A cached completion replayed as a stream: role, content, finish and usage chunks. */
export function chunksOfCompletion(completion: ChatCompletion): ChatChunk[] {
  const base = { id: completion.id, object: 'chat.completion.chunk' as const, created: completion.created, model: completion.model };
  const chunks: ChatChunk[] = [];
  for (const choice of completion.choices) {
    const message = (choice.message ?? {}) as ChatMessage;
    chunks.push({ ...base, choices: [{ index: choice.index, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    const delta: Record<string, unknown> = {};
    if (typeof message.content === 'string') delta.content = message.content;
    if (message.tool_calls) delta.tool_calls = message.tool_calls.map((call, index) => ({ index, ...call }));
    chunks.push({ ...base, choices: [{ index: choice.index, delta, finish_reason: null }] });
    chunks.push({ ...base, choices: [{ index: choice.index, delta: {}, finish_reason: choice.finish_reason }] });
  }
  if (completion.usage) chunks.push({ ...base, choices: [], usage: completion.usage });
  return chunks;
}

/** A cached stream served to a non-streaming request: the chunks folded back into one completion. */
export function completionOfChunks(chunks: ChatChunk[], usage: Usage): ChatCompletion {
  const first = chunks[0];
  const choices = new Map<number, { content: string; finish_reason: unknown }>();
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      const index = choice.index as number;
      const entry = choices.get(index) ?? { content: '', finish_reason: null };
      const delta = choice.delta as { content?: string } | undefined;
      if (delta?.content) entry.content += delta.content;
      if (choice.finish_reason) entry.finish_reason = choice.finish_reason;
      choices.set(index, entry);
    }
  }
  return {
    id: first?.id ?? 'chatcmpl-cached',
    object: 'chat.completion',
    created: first?.created ?? 0,
    model: first?.model ?? '',
    choices: [...choices.entries()].map(([index, entry]) => ({
      index,
      message: { role: 'assistant', content: entry.content },
      finish_reason: entry.finish_reason,
    })),
    usage: openAIUsage(usage),
  };
}
