import { useEffect, useRef } from 'react';
import { Badge } from '../../components/badge';
import { ChatIcon } from '../../components/icons';
import { Spinner } from '../../components/spinner';
import { cx } from '../../lib/class-names';
import { formatCount } from '../gateway/gateway-format';
import type { Turn } from './use-chat';

/**
 * The conversation, oldest first. It is not a live region (a streamed answer would be read out
 * token by token); the page announces each finished answer once instead.
 */
export function ChatTranscript({ turns }: { turns: Turn[] }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const last = turns.at(-1);

  // Follow the answer as it grows, unless the reader has scrolled up to read something earlier.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the growing content is the trigger
  useEffect(() => {
    const element = scrollRef.current;
    if (element && pinned.current) element.scrollTop = element.scrollHeight;
  }, [turns.length, last?.content, last?.status]);

  return (
    // biome-ignore lint/a11y/useSemanticElements: a scroll container, not a form group
    <div
      ref={scrollRef}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable regions must be keyboard reachable
      tabIndex={0}
      role="group"
      aria-label="Conversation"
      onScroll={(event) => {
        const element = event.currentTarget;
        pinned.current = element.scrollHeight - element.scrollTop - element.clientHeight < 48;
      }}
      className="min-h-64 flex-1 overflow-y-auto rounded-lg border border-border bg-surface-sunken p-3 sm:p-4 lg:max-h-[32rem]"
    >
      {turns.length === 0 ? (
        <div className="flex h-full min-h-56 flex-col items-center justify-center gap-2 text-center">
          <span className="rounded-full bg-brand-subtle p-3 text-brand-text">
            <ChatIcon />
          </span>
          <p className="text-sm font-medium text-text">No messages yet</p>
          <p className="max-w-sm text-sm text-text-muted">
            Pick a model, type a message and press Enter. The answer streams in as it is written.
          </p>
        </div>
      ) : (
        <ol className="flex flex-col gap-4">
          {turns.map((turn) => (
            <li key={turn.id} className={cx('flex', turn.role === 'user' ? 'justify-end' : 'justify-start')}>
              <TurnBubble turn={turn} />
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function TurnBubble({ turn }: { turn: Turn }) {
  if (turn.role === 'user') {
    return (
      <div className="max-w-[85%] rounded-xl rounded-br-sm bg-brand px-3.5 py-2.5 text-sm text-on-brand shadow-sm">
        <p className="sr-only">You said:</p>
        <p className="break-words whitespace-pre-wrap">{turn.content}</p>
      </div>
    );
  }
  const streaming = turn.status === 'streaming';
  return (
    <div
      aria-busy={streaming || undefined}
      className="flex max-w-[85%] flex-col gap-2 rounded-xl rounded-bl-sm border border-border bg-surface px-3.5 py-2.5 text-sm text-text shadow-sm"
    >
      <p className="sr-only">Assistant:</p>
      {turn.content ? (
        <p data-testid="assistant-message" className="break-words whitespace-pre-wrap">
          {turn.content}
          {streaming && <span aria-hidden="true" className="ml-0.5 inline-block h-4 w-1.5 translate-y-0.5 animate-pulse bg-text-muted" />}
        </p>
      ) : (
        streaming && <Spinner label="Waiting for the first token…" className="size-4" />
      )}
      <TurnMeta turn={turn} />
    </div>
  );
}

/** Who answered, with what, and how many tokens it took; or why the answer is incomplete. */
function TurnMeta({ turn }: { turn: Turn }) {
  if (turn.status === 'streaming') return null;
  const result = turn.result;
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-1 border-t border-border pt-2 text-xs text-text-muted">
      {turn.status === 'stopped' && <Badge tone="warning">Stopped</Badge>}
      {turn.status === 'failed' && <Badge tone="danger">Cut off</Badge>}
      {result?.provider || result?.model ? (
        <span>
          Answered by <span className="font-medium text-text">{result.provider ?? '—'}</span>
          {' · '}
          <code>{result.model ?? turn.requestedModel}</code>
        </span>
      ) : (
        turn.requestedModel && (
          <span>
            Model <code>{turn.requestedModel}</code>
          </span>
        )
      )}
      {result?.usage && (
        <span>
          {formatCount(result.usage.total_tokens)} tokens ({formatCount(result.usage.prompt_tokens)} in,{' '}
          {formatCount(result.usage.completion_tokens)} out)
        </span>
      )}
      {result?.overheadMs !== null && result?.overheadMs !== undefined && (
        <span title="Time Atrium added before the provider answered">
          Gateway overhead {result.overheadMs < 10 ? result.overheadMs.toFixed(1) : Math.round(result.overheadMs)} ms
        </span>
      )}
    </div>
  );
}
