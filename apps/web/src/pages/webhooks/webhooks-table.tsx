import type { WebhookEndpoint } from '../../api/types';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { Cell, ColumnHeads, Table, TableBody, TableRow } from '../../components/table';
import { formatDate } from '../../lib/format';
import { describeFilter } from './webhook-filter-editor';

export type WebhookAction = 'edit' | 'test' | 'deliveries' | 'rotate' | 'toggle' | 'delete';

interface WebhooksTableProps {
  endpoints: WebhookEndpoint[];
  canWrite: boolean;
  /** The endpoint and action in flight, so its button shows progress. */
  pending: { id: string; action: WebhookAction } | null;
  onAction: (endpoint: WebhookEndpoint, action: WebhookAction) => void;
}

export function WebhooksTable({ endpoints, canWrite, pending, onAction }: WebhooksTableProps) {
  return (
    <Table caption="Webhook endpoints">
      <ColumnHeads columns={['Endpoint', 'Events', 'Status', 'Created']} actions />
      <TableBody>
        {endpoints.map((endpoint) => {
          const busy = (action: WebhookAction) => pending?.id === endpoint.id && pending.action === action;
          const target = <span className="sr-only"> for {endpoint.url}</span>;
          return (
            <TableRow key={endpoint.id} className={endpoint.enabled ? undefined : 'bg-surface-sunken'}>
              <Cell>
                <span className="flex flex-col">
                  <code className="text-xs break-all">{endpoint.url}</code>
                  {endpoint.description && <span className="text-xs text-text-muted">{endpoint.description}</span>}
                </span>
              </Cell>
              <Cell>
                <ul className="flex max-w-xs flex-wrap gap-1">
                  {endpoint.event_types.map((type) => (
                    <li key={type}>
                      <Badge>{type === '*' ? 'All events' : type}</Badge>
                    </li>
                  ))}
                </ul>
                {endpoint.filter && (
                  <p className="mt-1 max-w-xs text-xs break-words text-text-muted">
                    Only where <code>{describeFilter(endpoint.filter)}</code>
                  </p>
                )}
                {typeof endpoint.rate_limit === 'number' && (
                  <p className="mt-1 max-w-xs text-xs text-text-muted">
                    At most {endpoint.rate_limit} {endpoint.rate_limit === 1 ? 'delivery' : 'deliveries'} per second
                  </p>
                )}
              </Cell>
              <Cell>
                <span className="flex flex-col items-start gap-1">
                  <Badge tone={endpoint.enabled ? 'success' : 'warning'}>{endpoint.enabled ? 'Enabled' : 'Disabled'}</Badge>
                  {!endpoint.enabled && endpoint.disabled_reason && (
                    <span className="max-w-xs text-xs text-text-muted">{endpoint.disabled_reason}</span>
                  )}
                </span>
              </Cell>
              <Cell className="whitespace-nowrap text-text-muted">{formatDate(endpoint.created_at)}</Cell>
              <Cell>
                <div className="flex flex-wrap justify-end gap-2">
                  <Button size="sm" onClick={() => onAction(endpoint, 'deliveries')}>
                    Deliveries{target}
                  </Button>
                  {canWrite && (
                    <>
                      <Button size="sm" onClick={() => onAction(endpoint, 'edit')}>
                        Edit{target}
                      </Button>
                      <Button size="sm" loading={busy('test')} onClick={() => onAction(endpoint, 'test')}>
                        Send test event{target}
                      </Button>
                      <Button size="sm" loading={busy('rotate')} onClick={() => onAction(endpoint, 'rotate')}>
                        Rotate secret{target}
                      </Button>
                      <Button size="sm" loading={busy('toggle')} onClick={() => onAction(endpoint, 'toggle')}>
                        {endpoint.enabled ? 'Disable' : 'Enable'}
                        {target}
                      </Button>
                      <Button size="sm" variant="ghost" className="text-danger-text" onClick={() => onAction(endpoint, 'delete')}>
                        Delete{target}
                      </Button>
                    </>
                  )}
                </div>
              </Cell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
