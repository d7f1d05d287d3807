import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useModelsQuery } from '../../api/gateway-queries';
import { AccessDenied, QueryError } from '../../components/access-denied';
import { Alert } from '../../components/alert';
import { Button, ButtonLink } from '../../components/button';
import { EmptyState } from '../../components/empty-state';
import { GatewayIcon, SendIcon, StopIcon, TrashIcon } from '../../components/icons';
import { Card, PageHeader } from '../../components/page-header';
import { SelectField } from '../../components/select-field';
import { Spinner } from '../../components/spinner';
import { TextAreaField } from '../../components/text-area';
import { useCurrentWorkspace } from '../../lib/current-workspace';
import { useSession } from '../../lib/session';
import { usePageTitle } from '../../lib/use-page-title';
import { ChatTranscript } from './chat-transcript';
import { type Turn, useChat } from './use-chat';

const description = 'Try the models your organization has connected. Calls go through the gateway, so they count towards usage and limits.';

export function PlaygroundPage() {
  usePageTitle('Playground');
  const { can } = useSession();
  if (!can('gateway:use')) {
    return (
      <>
        <PageHeader title="Playground" description={description} />
        <AccessDenied permission="gateway:use" />
      </>
    );
  }
  return <Playground />;
}

function storageKey(organizationId: string): string {
  return `atrium.playground.model.${organizationId}`;
}

function readStored(key: string): string {
  try {
    return window.localStorage.getItem(key) ?? '';
  } catch {
    return '';
  }
}

/** The model picked last time in this organization, remembered on this device. */
function useRememberedModel(organizationId: string) {
  const key = storageKey(organizationId);
  const [model, setModel] = useState(() => readStored(key));
  const choose = (value: string) => {
    setModel(value);
    try {
      window.localStorage.setItem(key, value);
    } catch {
      // Ignore storage failures; the choice still applies for this visit.
    }
  };
  return [model, choose] as const;
}

/** What a screen reader hears when an answer ends: once, in full, instead of token by token. */
function announcementOf(turn: Turn | undefined): string {
  if (!turn || turn.role !== 'assistant' || turn.status === 'streaming') return '';
  const who = turn.result?.provider ? `${turn.result.provider}, ${turn.result.model ?? ''}` : (turn.requestedModel ?? 'the model');
  if (turn.status === 'stopped') return `Stopped. Partial answer from ${who}: ${turn.content}`;
  if (turn.status === 'failed') return `The answer from ${who} was cut off: ${turn.content}`;
  const tokens = turn.result?.usage ? ` ${turn.result.usage.total_tokens} tokens.` : '';
  return `Answer from ${who}: ${turn.content}${tokens}`;
}

function Playground() {
  const { me, can } = useSession();
  const { current, isLoading: workspaceLoading } = useCurrentWorkspace();
  const workspaceId = current?.id ?? null;
  const models = useModelsQuery(workspaceId, !workspaceLoading);
  const [remembered, remember] = useRememberedModel(me.organization.id);
  const [systemPrompt, setSystemPrompt] = useState('');
  const [draft, setDraft] = useState('');
  const [draftError, setDraftError] = useState<string | null>(null);
  const chat = useChat(workspaceId);
  const messageRef = useRef<HTMLTextAreaElement>(null);

  const available = models.data ?? [];
  const model = available.some((entry) => entry.id === remembered) ? remembered : (available[0]?.id ?? '');

  // When an answer ends while focus was on the Stop button (now gone), bring it back to the message.
  useEffect(() => {
    if (!chat.streaming && (document.activeElement === document.body || document.activeElement === null)) {
      messageRef.current?.focus();
    }
  }, [chat.streaming]);

  async function submit() {
    const text = draft.trim();
    if (chat.streaming) return;
    if (!text) {
      setDraftError('Type a message first.');
      messageRef.current?.focus();
      return;
    }
    if (!model) return;
    setDraftError(null);
    setDraft('');
    const sent = await chat.send({ text, model, systemPrompt });
    // A send that failed before any answer gives the text back, so it can be sent again.
    if (!sent) setDraft((current) => current || text);
  }

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    submit();
  }

  function handleKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  const clearButton = (
    <Button
      icon={<TrashIcon className="size-4" />}
      disabled={chat.turns.length === 0 && !chat.error}
      onClick={() => {
        chat.clear();
        messageRef.current?.focus();
      }}
    >
      Clear conversation
    </Button>
  );

  const noModels = models.isSuccess && available.length === 0;

  return (
    <>
      <PageHeader title="Playground" description={description} actions={clearButton} />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,20rem)_minmax(0,1fr)]">
        <Card className="flex flex-col gap-4 self-start">
          <h2 className="text-base font-semibold text-text">Settings</h2>
          {models.isPending && <Spinner label="Loading models…" />}
          {models.isError && <QueryError error={models.error} headingLevel={3} />}
          {models.isSuccess && available.length > 0 && (
            <SelectField
              label="Model"
              value={model}
              options={available.map((entry) => ({ value: entry.id, label: entry.id }))}
              hint="Route aliases and provider/model names you may use. Remembered on this device."
              onChange={(event) => remember(event.target.value)}
            />
          )}
          <TextAreaField
            label="System prompt"
            optional
            rows={4}
            placeholder="e.g. You are a concise assistant."
            hint="Sent first with every message."
            value={systemPrompt}
            onChange={(event) => setSystemPrompt(event.target.value)}
          />
          <p className="text-xs text-text-muted">
            {current ? (
              <>
                Calls are made in the <span className="font-medium text-text">{current.name}</span> workspace.
              </>
            ) : (
              'Calls are made without a workspace.'
            )}{' '}
            Switch workspaces from the header.
          </p>
        </Card>

        <Card className="flex min-w-0 flex-col gap-4">
          <h2 className="sr-only">Chat</h2>
          {noModels ? (
            <EmptyState
              icon={<GatewayIcon />}
              headingLevel={3}
              title="No models available"
              description={
                can('gateway:write')
                  ? 'Connect a model provider, such as OpenAI or a local Ollama, and its models will be offered here.'
                  : 'Ask an organization admin to connect a model provider, or to allow you more models.'
              }
              action={
                can('gateway:read') ? (
                  <ButtonLink to="/gateway/providers" variant="primary">
                    Go to providers
                  </ButtonLink>
                ) : undefined
              }
            />
          ) : (
            <>
              <ChatTranscript turns={chat.turns} />
              {/* biome-ignore lint/a11y/useSemanticElements: an explicit status role is announced more reliably than <output> */}
              <p role="status" className="sr-only">
                {chat.streaming ? 'Answering…' : announcementOf(chat.turns.at(-1))}
              </p>
              {chat.error && (
                <Alert tone="danger" title="The model could not answer">
                  {chat.error}
                </Alert>
              )}
              <form noValidate onSubmit={handleSubmit} aria-label="Send a message" className="flex flex-col gap-3">
                <TextAreaField
                  ref={messageRef}
                  label="Message"
                  rows={3}
                  placeholder={model ? `Message ${model}` : 'Message'}
                  value={draft}
                  error={draftError}
                  aria-keyshortcuts="Enter"
                  hint={
                    <>
                      <kbd className="font-sans font-medium">Enter</kbd> to send, <kbd className="font-sans font-medium">Shift</kbd>+
                      <kbd className="font-sans font-medium">Enter</kbd> for a new line.
                    </>
                  }
                  onChange={(event) => {
                    setDraft(event.target.value);
                    if (draftError) setDraftError(null);
                  }}
                  onKeyDown={handleKeyDown}
                />
                <div className="flex flex-wrap items-center justify-end gap-2">
                  {chat.streaming ? (
                    <Button
                      icon={<StopIcon className="size-4" />}
                      onClick={() => {
                        chat.stop();
                        messageRef.current?.focus();
                      }}
                    >
                      Stop
                    </Button>
                  ) : (
                    <Button type="submit" variant="primary" icon={<SendIcon className="size-4" />} disabled={!model}>
                      Send
                    </Button>
                  )}
                </div>
              </form>
            </>
          )}
        </Card>
      </div>
    </>
  );
}
