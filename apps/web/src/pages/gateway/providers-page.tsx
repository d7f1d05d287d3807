import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { deleteProvider, testProvider, updateProvider } from '../../api/gateway';
import { gatewayKeys, useProvidersQuery } from '../../api/gateway-queries';
import type { ProviderConnection, ProviderTestResult } from '../../api/gateway-types';
import { QueryError } from '../../components/access-denied';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EmptyState } from '../../components/empty-state';
import { GatewayIcon, PlusIcon } from '../../components/icons';
import { PageSpinner } from '../../components/spinner';
import { useToast } from '../../components/toast';
import { useCurrentWorkspace } from '../../lib/current-workspace';
import { useSession } from '../../lib/session';
import { ConnectProviderDialog } from './connect-provider-dialog';
import { formatCount, formatLatency } from './gateway-format';
import { GatewaySection, SectionHeader } from './gateway-layout';
import { type ProviderAction, ProvidersTable } from './providers-table';
import { ReplaceKeyDialog } from './replace-key-dialog';

export function ProvidersPage() {
  return (
    <GatewaySection tab="providers">
      <Providers />
    </GatewaySection>
  );
}

interface TestOutcome {
  provider: ProviderConnection;
  result?: ProviderTestResult;
  error?: string;
}

function Providers() {
  const { can } = useSession();
  const canWrite = can('gateway:write');
  const query = useProvidersQuery();
  const { workspaces } = useCurrentWorkspace();
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const [connecting, setConnecting] = useState(false);
  const [replacing, setReplacing] = useState<ProviderConnection | null>(null);
  const [deleting, setDeleting] = useState<ProviderConnection | null>(null);
  const [outcome, setOutcome] = useState<TestOutcome | null>(null);
  const refresh = () => {
    queryClient.invalidateQueries({ queryKey: gatewayKeys.providers });
    queryClient.invalidateQueries({ queryKey: ['gateway', 'models'] });
  };

  const test = useMutation({
    mutationFn: (provider: ProviderConnection) => testProvider(provider.id),
    onMutate: () => setOutcome(null),
    onSuccess: (result, provider) => setOutcome({ provider, result }),
    onError: (error, provider) => setOutcome({ provider, error: errorMessage(error) }),
  });
  const toggle = useMutation({
    mutationFn: (provider: ProviderConnection) => updateProvider(provider.id, { enabled: !provider.enabled }),
    onSuccess: (provider) => {
      notify(provider.enabled ? `Enabled ${provider.name}.` : `Disabled ${provider.name}: its models are no longer offered.`);
      refresh();
    },
    onError: (error) => notify(errorMessage(error), 'danger'),
  });
  const remove = useMutation({
    mutationFn: (provider: ProviderConnection) => deleteProvider(provider.id),
    onSuccess: (_, provider) => {
      notify(`Removed ${provider.name}.`);
      setDeleting(null);
      if (outcome?.provider.id === provider.id) setOutcome(null);
      refresh();
    },
  });

  function handleAction(provider: ProviderConnection, action: ProviderAction) {
    if (action === 'test') test.mutate(provider);
    if (action === 'toggle') toggle.mutate(provider);
    if (action === 'replace-key') setReplacing(provider);
    if (action === 'delete') {
      remove.reset();
      setDeleting(provider);
    }
  }

  const pending =
    test.isPending && test.variables
      ? { id: test.variables.id, action: 'test' as const }
      : toggle.isPending && toggle.variables
        ? { id: toggle.variables.id, action: 'toggle' as const }
        : null;

  const connectButton = canWrite && (
    <Button variant="primary" icon={<PlusIcon className="size-4" />} onClick={() => setConnecting(true)}>
      Connect provider
    </Button>
  );

  return (
    <>
      <SectionHeader tab="providers" actions={connectButton} />
      <TestOutcomeStatus outcome={outcome} testing={test.isPending ? test.variables?.name : undefined} />
      {query.isPending && <PageSpinner label="Loading providers…" />}
      {query.isError && <QueryError error={query.error} headingLevel={3} />}
      {query.data && query.data.length === 0 && (
        <EmptyState
          icon={<GatewayIcon />}
          headingLevel={3}
          title="No providers connected"
          description={
            canWrite
              ? 'Connect OpenAI, Azure OpenAI, Anthropic, Gemini or any OpenAI-compatible server (Ollama, vLLM) to start calling models.'
              : 'Ask an organization admin to connect a model provider.'
          }
        />
      )}
      {query.data && query.data.length > 0 && (
        <ProvidersTable providers={query.data} workspaces={workspaces} canWrite={canWrite} pending={pending} onAction={handleAction} />
      )}
      {connecting && (
        <ConnectProviderDialog
          onClose={() => setConnecting(false)}
          onConnected={(provider) => {
            setConnecting(false);
            notify(`Connected ${provider.name}. Test the connection to check its key.`);
          }}
        />
      )}
      {replacing && <ReplaceKeyDialog provider={replacing} onClose={() => setReplacing(null)} />}
      <ConfirmDialog
        open={deleting !== null}
        title="Remove provider?"
        confirmLabel="Remove provider"
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => setDeleting(null)}
        pending={remove.isPending}
        error={remove.isError ? errorMessage(remove.error) : null}
      >
        <p>
          Calls to <code className="font-medium text-text">{deleting?.name}/…</code> models will fail at once, and its stored key is
          deleted. This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  );
}

/** The latest "Test connection" outcome, in a status region that is always present so it is announced. */
function TestOutcomeStatus({ outcome, testing }: { outcome: TestOutcome | null; testing: string | undefined }) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: an explicit status role is announced more reliably than <output>
    <div role="status" className="not-empty:mb-4">
      {testing && <p className="text-sm text-text-muted">Testing {testing}…</p>}
      {outcome?.result?.ok && (
        <Alert tone="success" live="none" title={`${outcome.provider.name} is reachable`}>
          Answered in {formatLatency(outcome.result.latency_ms)} with {formatCount(outcome.result.models.length)}{' '}
          {outcome.result.models.length === 1 ? 'model' : 'models'}
          {outcome.result.models.length > 0 && (
            <>
              : <ModelList models={outcome.result.models} />
            </>
          )}
          .
        </Alert>
      )}
      {outcome && (outcome.error || (outcome.result && !outcome.result.ok)) && (
        <Alert tone="danger" live="none" title={`${outcome.provider.name} could not be reached`}>
          {outcome.error ?? outcome.result?.error ?? 'The provider did not answer.'}
          {outcome.result && ` (after ${formatLatency(outcome.result.latency_ms)})`}
        </Alert>
      )}
    </div>
  );
}

function ModelList({ models }: { models: string[] }) {
  const shown = models.slice(0, 8);
  return (
    <>
      {shown.map((model, index) => (
        <span key={model}>
          {index > 0 && ', '}
          <code>{model}</code>
        </span>
      ))}
      {models.length > shown.length && ` and ${models.length - shown.length} more`}
    </>
  );
}
