import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { queryKeys, useWebhooksQuery } from '../../api/queries';
import { deleteWebhook, rotateWebhookSecret, sendWebhookTest, updateWebhook } from '../../api/resources';
import type { WebhookEndpoint, WebhookEndpointWithSecret } from '../../api/types';
import { AccessDenied, QueryError } from '../../components/access-denied';
import { Button } from '../../components/button';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EmptyState } from '../../components/empty-state';
import { PlusIcon, WebhookIcon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { PageSpinner } from '../../components/spinner';
import { useToast } from '../../components/toast';
import { useSession } from '../../lib/session';
import { usePageTitle } from '../../lib/use-page-title';
import { WebhookEndpointDialog } from './create-webhook-dialog';
import { WebhookDeliveriesDialog } from './webhook-deliveries-dialog';
import { WebhookSecretDialog } from './webhook-secret-dialog';
import { type WebhookAction, WebhooksTable } from './webhooks-table';

const description = 'Send Atrium events to your own endpoints as they happen, signed so you can verify them.';

export function WebhooksPage() {
  usePageTitle('Webhooks');
  const { can } = useSession();
  if (!can('webhooks:read')) {
    return (
      <>
        <PageHeader title="Webhooks" description={description} />
        <AccessDenied permission="webhooks:read" />
      </>
    );
  }
  return <Webhooks />;
}

function Webhooks() {
  const { can } = useSession();
  const canWrite = can('webhooks:write');
  const query = useWebhooksQuery();
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<WebhookEndpoint | null>(null);
  const [viewing, setViewing] = useState<WebhookEndpoint | null>(null);
  const [rotating, setRotating] = useState<WebhookEndpoint | null>(null);
  const [rotated, setRotated] = useState<WebhookEndpointWithSecret | null>(null);
  const [deleting, setDeleting] = useState<WebhookEndpoint | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.webhooks });
  const failed = (error: unknown) => notify(errorMessage(error), 'danger');

  const test = useMutation({
    mutationFn: (endpoint: WebhookEndpoint) => sendWebhookTest(endpoint.id),
    onSuccess: () => notify('Test event sent. Open Deliveries to see how your endpoint answered.', 'success'),
    onError: failed,
  });
  const toggle = useMutation({
    mutationFn: (endpoint: WebhookEndpoint) => updateWebhook(endpoint.id, { enabled: !endpoint.enabled }),
    onSuccess: (endpoint) => {
      notify(endpoint.enabled ? `Enabled ${endpoint.url}.` : `Disabled ${endpoint.url}.`);
      refresh();
    },
    onError: failed,
  });
  const rotate = useMutation({
    mutationFn: (endpoint: WebhookEndpoint) => rotateWebhookSecret(endpoint.id),
    onSuccess: (endpoint) => {
      setRotating(null);
      setRotated(endpoint);
    },
  });
  const remove = useMutation({
    mutationFn: (endpoint: WebhookEndpoint) => deleteWebhook(endpoint.id),
    onSuccess: (_, endpoint) => {
      notify(`Deleted ${endpoint.url}.`);
      setDeleting(null);
      refresh();
    },
  });

  function handleAction(endpoint: WebhookEndpoint, action: WebhookAction) {
    if (action === 'deliveries') setViewing(endpoint);
    if (action === 'edit') setEditing(endpoint);
    if (action === 'test') test.mutate(endpoint);
    if (action === 'toggle') toggle.mutate(endpoint);
    if (action === 'rotate') {
      rotate.reset();
      setRotating(endpoint);
    }
    if (action === 'delete') {
      remove.reset();
      setDeleting(endpoint);
    }
  }

  const pending =
    test.isPending && test.variables
      ? { id: test.variables.id, action: 'test' as const }
      : toggle.isPending && toggle.variables
        ? { id: toggle.variables.id, action: 'toggle' as const }
        : null;

  const addButton = canWrite && (
    <Button variant="primary" icon={<PlusIcon className="size-4" />} onClick={() => setCreating(true)}>
      Add endpoint
    </Button>
  );

  return (
    <>
      <PageHeader title="Webhooks" description={description} actions={addButton} />
      {query.isPending && <PageSpinner label="Loading webhook endpoints…" />}
      {query.isError && <QueryError error={query.error} />}
      {query.data && query.data.length === 0 && (
        <EmptyState
          icon={<WebhookIcon />}
          title="No endpoints yet"
          description={
            canWrite
              ? 'Add an endpoint to receive events such as a workspace created or an API key rotated.'
              : 'Ask an organization admin to add an endpoint.'
          }
        />
      )}
      {query.data && query.data.length > 0 && (
        <WebhooksTable endpoints={query.data} canWrite={canWrite} pending={pending} onAction={handleAction} />
      )}
      {creating && <WebhookEndpointDialog onClose={() => setCreating(false)} />}
      {editing && <WebhookEndpointDialog endpoint={editing} onClose={() => setEditing(null)} />}
      {viewing && <WebhookDeliveriesDialog endpoint={viewing} canWrite={canWrite} onClose={() => setViewing(null)} />}
      {rotated && (
        <WebhookSecretDialog
          endpoint={rotated}
          title="Your new signing secret"
          note="The previous secret keeps signing deliveries (as a second signature) for 24 hours, then stops."
          onClose={() => setRotated(null)}
        />
      )}
      <ConfirmDialog
        open={rotating !== null}
        title="Rotate signing secret?"
        confirmLabel="Rotate secret"
        tone="primary"
        onConfirm={() => rotating && rotate.mutate(rotating)}
        onClose={() => setRotating(null)}
        pending={rotate.isPending}
        error={rotate.isError ? errorMessage(rotate.error) : null}
      >
        <p>
          A new secret is issued for <span className="font-medium text-text">{rotating?.url}</span>. The old one keeps working for 24 hours,
          so you have time to update your endpoint.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete endpoint?"
        confirmLabel="Delete endpoint"
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => setDeleting(null)}
        pending={remove.isPending}
        error={remove.isError ? errorMessage(remove.error) : null}
      >
        <p>
          <span className="font-medium text-text">{deleting?.url}</span> will stop receiving events immediately. This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  );
}
