import { useCallback, useEffect, useRef, useState } from 'react';
import { type ChatStreamResult, streamChatCompletion } from '../../api/chat';
import { errorMessage } from '../../api/client';
import type { ChatMessage } from '../../api/gateway-types';

export type TurnStatus = 'streaming' | 'done' | 'stopped' | 'failed';

export interface Turn {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  status: TurnStatus;
  /** The model asked for (assistant turns). */
  requestedModel?: string;
  /** Who answered and what it took, once the stream has ended. */
  result?: ChatStreamResult;
}

export interface SendInput {
  text: string;
  model: string;
  systemPrompt: string;
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/**
 * The playground conversation: sends the whole transcript with each message, streams the answer
 * into the last turn, and can stop it. A failed send with no answer is taken back, so the text can
 * be sent again (`send` resolves to false).
 */
export function useChat(workspaceId: string | null) {
  const [turns, setTurns] = useState<Turn[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [streaming, setStreaming] = useState(false);
  const controllerRef = useRef<AbortController | null>(null);
  const nextId = useRef(1);
  const turnsRef = useRef<Turn[]>(turns);
  turnsRef.current = turns;

  // Leaving the page stops a running answer.
  useEffect(() => () => controllerRef.current?.abort(), []);

  const send = useCallback(
    async ({ text, model, systemPrompt }: SendInput): Promise<boolean> => {
      if (controllerRef.current) return false;
      const history: ChatMessage[] = turnsRef.current
        .filter((turn) => turn.content && turn.status !== 'failed')
        .map((turn) => ({ role: turn.role, content: turn.content }));
      const messages: ChatMessage[] = [
        ...(systemPrompt.trim() ? [{ role: 'system' as const, content: systemPrompt.trim() }] : []),
        ...history,
        { role: 'user', content: text },
      ];
      const question: Turn = { id: nextId.current++, role: 'user', content: text, status: 'done' };
      const answer: Turn = { id: nextId.current++, role: 'assistant', content: '', status: 'streaming', requestedModel: model };
      const patch = (changes: Partial<Turn> | ((turn: Turn) => Partial<Turn>)) =>
        setTurns((current) =>
          current.map((turn) => (turn.id === answer.id ? { ...turn, ...(typeof changes === 'function' ? changes(turn) : changes) } : turn)),
        );

      const controller = new AbortController();
      controllerRef.current = controller;
      setTurns((current) => [...current, question, answer]);
      setError(null);
      setStreaming(true);
      let received = false;
      try {
        const result = await streamChatCompletion({
          model,
          messages,
          workspaceId,
          signal: controller.signal,
          onDelta: (delta) => {
            received = true;
            patch((turn) => ({ content: turn.content + delta }));
          },
        });
        patch({ status: 'done', result });
        return true;
      } catch (caught) {
        if (isAbort(caught)) {
          // Stopped: keep what arrived; an empty answer is dropped, the question stays.
          if (received) patch({ status: 'stopped' });
          else setTurns((current) => current.filter((turn) => turn.id !== answer.id));
          return true;
        }
        setError(errorMessage(caught));
        if (received) {
          patch({ status: 'failed' });
          return true;
        }
        setTurns((current) => current.filter((turn) => turn.id !== answer.id && turn.id !== question.id));
        return false;
      } finally {
        if (controllerRef.current === controller) controllerRef.current = null;
        setStreaming(false);
      }
    },
    [workspaceId],
  );

  const stop = useCallback(() => controllerRef.current?.abort(), []);

  const clear = useCallback(() => {
    controllerRef.current?.abort();
    setTurns([]);
    setError(null);
  }, []);

  return { turns, error, streaming, send, stop, clear, dismissError: () => setError(null) };
}
