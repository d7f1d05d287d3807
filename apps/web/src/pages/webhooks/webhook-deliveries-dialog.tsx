import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { queryKeys, useWebhookDeliveriesQuery } from '../../api/queries';
import { replayWebhookMessage } from '../../api/resources';
import type { WebhookDelivery, WebhookEndpoint } from '../../api/types';
import { QueryError } from '../../components/access-denied';
import { Alert } from '../../components/alert';
import { Badge, type BadgeTone } from '../../components/badge';
import { Button } from '../../components/button';
import { Dialog, DialogFooter } from '../../components/dialog';
import { Spinner } from '../../components/spinner';
import { Cell, ColumnHeads, Table, TableBody, TableRow, TimeCell } from '../../components/table';
import { useToast } from '../../components/toast';

interface WebhookDeliveriesDialogProps {
  endpoint: WebhookEndpoint;
  canWrite: boolean;
  onClose: () => void;
}

const states: Record<string, { label: string; tone: BadgeTone }> = {
  pending: { label: 'Retrying', tone: 'warning' },
  succeeded: { label: 'Succeeded', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
};

function Outcome({ delivery }: { delivery: WebhookDelivery }) {
  if (delivery.status_code !== null) {
    const ok = delivery.status_code >= 200 && delivery.status_code < 300;
    return (
      <span className="flex flex-col">
        <code className={ok ? 'text-xs text-success-text' : 'text-xs text-danger-text'}>{delivery.status_code}</code>
        {delivery.response_excerpt && <span className="max-w-xs truncate text-xs text-text-muted">{delivery.response_excerpt}</span>}
      </span>
    );
  }
  return <span className="max-w-xs text-xs text-danger-text">{delivery.error ?? 'No response'}</span>;
}

/** The latest delivery attempts of one endpoint, with a replay per message. */
export function WebhookDeliveriesDialog({ endpoint, canWrite, onClose }: WebhookDeliveriesDialogProps) {
  const query = useWebhookDeliveriesQuery(endpoint.id);
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const replay = useMutation({
    mutationFn: (delivery: WebhookDelivery) => replayWebhookMessage(endpoint.id, delivery.message_id),
    onSuccess: (_, delivery) => {
      notify(`Replaying ${delivery.event_type}.`);
      queryClient.invalidateQueries({ queryKey: queryKeys.webhookDeliveries(endpoint.id) });
    },
  });

  return (
    <Dialog open onClose={onClose} title="Deliveries" description={`The latest attempts to deliver to ${endpoint.url}.`} size="lg">
      <div className="flex flex-col gap-4">
        <div className="flex flex-wrap items-center justify-between gap-2">
          {/* biome-ignore lint/a11y/useSemanticElements: an explicit status role is announced more reliably than <output> */}
          <p role="status" className="text-sm text-text-muted">
            {query.isFetching
              ? 'Refreshing…'
              : query.data
                ? `${query.data.length} ${query.data.length === 1 ? 'attempt' : 'attempts'}.`
                : ''}
          </p>
          <Button size="sm" loading={query.isFetching} onClick={() => query.refetch()}>
            Refresh
          </Button>
        </div>
        {replay.isError && <Alert tone="danger">{errorMessage(replay.error)}</Alert>}
        {query.isPending && <Spinner label="Loading deliveries…" />}
        {query.isError && <QueryError error={query.error} headingLevel={3} />}
        {query.data && query.data.length === 0 && (
          <p className="text-sm text-text-muted">No deliveries yet. Send a test event to see one here.</p>
        )}
        {query.data && query.data.length > 0 && (
          <Table caption={`Delivery attempts to ${endpoint.url}, newest first`}>
            <ColumnHeads columns={['Time', 'Event', 'Attempt', 'Response', 'Latency', 'State']} actions={canWrite} />
            <TableBody>
              {query.data.map((delivery) => {
                const state = states[delivery.message_status] ?? { label: delivery.message_status, tone: 'neutral' };
                return (
                  <TableRow key={delivery.id}>
                    <TimeCell at={delivery.created_at} />
                    <Cell>
                      <code className="text-xs whitespace-nowrap">{delivery.event_type}</code>
                    </Cell>
                    <Cell className="text-text-muted">{delivery.attempt}</Cell>
                    <Cell>
                      <Outcome delivery={delivery} />
                    </Cell>
                    <Cell className="whitespace-nowrap text-text-muted">{delivery.latency_ms} ms</Cell>
                    <Cell>
                      <Badge tone={state.tone}>{state.label}</Badge>
                    </Cell>
                    {canWrite && (
                      <Cell>
                        <Button
                          size="sm"
                          loading={replay.isPending && replay.variables?.id === delivery.id}
                          onClick={() => replay.mutate(delivery)}
                        >
                          Replay<span className="sr-only"> message {delivery.message_id}</span>
                        </Button>
                      </Cell>
                    )}
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        )}
      </div>
      <DialogFooter>
        <Button variant="primary" onClick={onClose}>
          Close
        </Button>
      </DialogFooter>
    </Dialog>
  );
}
