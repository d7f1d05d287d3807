import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { deleteRoute } from '../../api/gateway';
import { gatewayKeys, useProvidersQuery, useRoutesQuery } from '../../api/gateway-queries';
import type { GatewayRoute } from '../../api/gateway-types';
import { QueryError } from '../../components/access-denied';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EmptyState } from '../../components/empty-state';
import { GatewayIcon, PlusIcon } from '../../components/icons';
import { PageSpinner } from '../../components/spinner';
import { Cell, ColumnHeads, Table, TableBody, TableRow } from '../../components/table';
import { useToast } from '../../components/toast';
import { useSession } from '../../lib/session';
import { formatLatency } from './gateway-format';
import { GatewaySection, SectionHeader } from './gateway-layout';
import { RouteDialog } from './route-dialog';

export function RoutesPage() {
  return (
    <GatewaySection tab="routes">
      <RoutesList />
    </GatewaySection>
  );
}

function RoutesList() {
  const { can } = useSession();
  const canWrite = can('gateway:write');
  const query = useRoutesQuery();
  const providers = useProvidersQuery();
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const [editing, setEditing] = useState<GatewayRoute | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [deleting, setDeleting] = useState<GatewayRoute | null>(null);

  const remove = useMutation({
    mutationFn: (route: GatewayRoute) => deleteRoute(route.id),
    onSuccess: (_, route) => {
      notify(`Deleted route ${route.model}.`);
      setDeleting(null);
      queryClient.invalidateQueries({ queryKey: gatewayKeys.routes });
      queryClient.invalidateQueries({ queryKey: ['gateway', 'models'] });
    },
  });

  const newButton = canWrite && (
    <Button
      variant="primary"
      icon={<PlusIcon className="size-4" />}
      disabled={providers.isPending}
      onClick={() => {
        setEditing(null);
        setFormOpen(true);
      }}
    >
      New route
    </Button>
  );

  return (
    <>
      <SectionHeader tab="routes" actions={newButton} />
      {query.isPending && <PageSpinner label="Loading routes…" />}
      {query.isError && <QueryError error={query.error} headingLevel={3} />}
      {query.data && query.data.length === 0 && (
        <EmptyState
          icon={<GatewayIcon />}
          headingLevel={3}
          title="No routes yet"
          description={
            <>
              Without routes, clients call models as <code>provider/model</code>. Add a route to give a model an alias such as{' '}
              <code>default</code>, with fallbacks or load balancing.
            </>
          }
        />
      )}
      {query.data && query.data.length > 0 && (
        <Table caption="Model routes">
          <ColumnHeads columns={['Alias', 'Strategy', 'Targets', 'Retries', 'Timeout']} actions={canWrite} />
          <TableBody>
            {query.data.map((route) => (
              <TableRow key={route.id}>
                <Cell>
                  <code className="font-medium whitespace-nowrap">{route.model}</code>
                </Cell>
                <Cell>
                  <Badge tone={route.strategy === 'fallback' ? 'info' : 'brand'}>
                    {route.strategy === 'fallback' ? 'Fallback' : 'Load balance'}
                  </Badge>
                </Cell>
                <Cell>
                  <ol className="flex flex-col gap-1">
                    {route.targets.map((target, index) => (
                      <li key={`${target.provider_id}-${target.model}-${index}`} className="flex flex-wrap items-baseline gap-x-2">
                        <span className="text-xs text-text-muted">{index + 1}.</span>
                        <code className="text-xs break-all">
                          {target.provider}/{target.model}
                        </code>
                        {route.strategy === 'loadbalance' && <span className="text-xs text-text-muted">weight {target.weight}</span>}
                      </li>
                    ))}
                  </ol>
                </Cell>
                <Cell className="text-text-muted">{route.retries}</Cell>
                <Cell className="whitespace-nowrap text-text-muted">{route.timeout_ms ? formatLatency(route.timeout_ms) : 'Default'}</Cell>
                {canWrite && (
                  <Cell>
                    <div className="flex justify-end gap-2">
                      <Button
                        size="sm"
                        onClick={() => {
                          setEditing(route);
                          setFormOpen(true);
                        }}
                      >
                        Edit<span className="sr-only"> route {route.model}</span>
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        className="text-danger-text"
                        onClick={() => {
                          remove.reset();
                          setDeleting(route);
                        }}
                      >
                        Delete<span className="sr-only"> route {route.model}</span>
                      </Button>
                    </div>
                  </Cell>
                )}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {formOpen && (
        <RouteDialog key={editing?.id ?? 'new'} route={editing} providers={providers.data ?? []} onClose={() => setFormOpen(false)} />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete route?"
        confirmLabel="Delete route"
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => setDeleting(null)}
        pending={remove.isPending}
        error={remove.isError ? errorMessage(remove.error) : null}
      >
        <p>
          Requests for <code className="font-medium text-text">{deleting?.model}</code> will fail until you add the route again. This cannot
          be undone.
        </p>
      </ConfirmDialog>
    </>
  );
}
