import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { decideExecution } from '../../api/plugins';
import { pluginKeys, useApprovalsQuery } from '../../api/plugins-queries';
import type { CapabilityExecutionEntry } from '../../api/plugins-types';
import { useMembersQuery } from '../../api/queries';
import { QueryError } from '../../components/access-denied';
import { Button } from '../../components/button';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EmptyState } from '../../components/empty-state';
import { ShieldCheckIcon } from '../../components/icons';
import { PageSpinner } from '../../components/spinner';
import { Cell, ColumnHeads, Table, TableBody, TableRow, TimeCell } from '../../components/table';
import { useToast } from '../../components/toast';
import { useCurrentWorkspace } from '../../lib/current-workspace';
import { capitalize } from '../../lib/format';
import { useSession } from '../../lib/session';
import { JsonBlock } from './execution-parts';
import { PluginsSection, PluginsTabHeader } from './plugins-layout';

export function ApprovalsPage() {
  return (
    <PluginsSection tab="approvals">
      <Approvals />
    </PluginsSection>
  );
}

type Decision = 'approve' | 'reject';

function Approvals() {
  const { can } = useSession();
  const canApprove = can('capabilities:approve');
  const query = useApprovalsQuery();
  const { workspaces } = useCurrentWorkspace();
  const workspaceName = new Map(workspaces.map((workspace) => [workspace.id, workspace.name]));
  // Who asked, by name, when the caller may list the members (shares the Members page's cache).
  const members = useMembersQuery(can('members:read'));
  const memberName = new Map((members.data ?? []).map((member) => [member.user.id, member.user.name || member.user.email]));
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const [approving, setApproving] = useState<CapabilityExecutionEntry | null>(null);

  const decide = useMutation({
    mutationFn: ({ entry, decision }: { entry: CapabilityExecutionEntry; decision: Decision }) => decideExecution(entry.id, decision),
    onSuccess: (result, { entry, decision }) => {
      setApproving(null);
      queryClient.invalidateQueries({ queryKey: pluginKeys.all });
      if (decision === 'reject') notify(`Rejected the call to ${entry.capability_id}: it will not run.`);
      else if (result.status === 'failed')
        notify(`Approved ${entry.capability_id}, but it failed: ${result.error?.message ?? 'no reason given'}`, 'danger');
      else notify(`Approved ${entry.capability_id}: it ran and succeeded.`);
    },
    onError: (error, { decision }) => {
      if (decision === 'reject') notify(errorMessage(error), 'danger');
    },
  });

  const busy = (entry: CapabilityExecutionEntry, decision: Decision) =>
    decide.isPending && decide.variables?.entry.id === entry.id && decide.variables.decision === decision;

  const refreshButton = (
    <Button loading={query.isRefetching} onClick={() => query.refetch()}>
      Refresh
    </Button>
  );

  return (
    <>
      <PluginsTabHeader tab="approvals" actions={refreshButton} />
      {query.isPending && <PageSpinner label="Loading the approval queue…" />}
      {query.isError && <QueryError error={query.error} headingLevel={3} />}
      {query.data && query.data.length === 0 && (
        <EmptyState
          icon={<ShieldCheckIcon />}
          headingLevel={3}
          title="Nothing waiting for approval"
          description="Calls to capabilities that require approval, such as deleting data, appear here until someone decides."
        />
      )}
      {query.data && query.data.length > 0 && (
        <Table caption="Calls waiting for approval, newest first">
          <ColumnHeads columns={['Requested', 'Capability', 'Workspace', 'Requested by', 'Input']} actions={canApprove} />
          <TableBody>
            {query.data.map((entry) => (
              <TableRow key={entry.id}>
                <TimeCell at={entry.created_at} />
                <Cell>
                  <code className="text-xs whitespace-nowrap">{entry.capability_id}</code>
                </Cell>
                <Cell className="whitespace-nowrap text-text-muted">
                  {entry.workspace_id ? (workspaceName.get(entry.workspace_id) ?? entry.workspace_id) : '—'}
                </Cell>
                <Cell className="text-text-muted">
                  {entry.actor ? (
                    <span className="flex flex-col">
                      <span className="whitespace-nowrap">
                        {memberName.get(entry.actor.id) ?? (entry.actor.type === 'api_key' ? 'API key' : capitalize(entry.actor.type))}
                      </span>
                      <code className="text-xs">{entry.actor.id}</code>
                    </span>
                  ) : (
                    '—'
                  )}
                  {entry.via !== 'api' && <span className="block text-xs">via {entry.via}</span>}
                </Cell>
                <Cell>
                  <code className="block max-w-xs truncate text-xs" title={JSON.stringify(entry.input)}>
                    {JSON.stringify(entry.input)}
                  </code>
                </Cell>
                {canApprove && (
                  <Cell>
                    <div className="flex justify-end gap-2">
                      <Button
                        size="sm"
                        variant="primary"
                        onClick={() => {
                          decide.reset();
                          setApproving(entry);
                        }}
                      >
                        Approve<span className="sr-only"> the call to {entry.capability_id}</span>
                      </Button>
                      <Button size="sm" loading={busy(entry, 'reject')} onClick={() => decide.mutate({ entry, decision: 'reject' })}>
                        Reject<span className="sr-only"> the call to {entry.capability_id}</span>
                      </Button>
                    </div>
                  </Cell>
                )}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {!canApprove && query.data && query.data.length > 0 && (
        <p className="mt-3 text-sm text-text-muted">
          Approving needs the <code>capabilities:approve</code> permission, which your role does not include.
        </p>
      )}
      <ConfirmDialog
        open={approving !== null}
        title={`Approve ${approving?.capability_id ?? ''}?`}
        confirmLabel="Approve and run"
        tone="primary"
        onConfirm={() => approving && decide.mutate({ entry: approving, decision: 'approve' })}
        onClose={() => setApproving(null)}
        pending={approving !== null && busy(approving, 'approve')}
        error={decide.isError && decide.variables?.decision === 'approve' ? errorMessage(decide.error) : null}
      >
        <div className="flex flex-col gap-3">
          <p>It runs at once, with this input.</p>
          {approving && <JsonBlock title="Input" value={approving.input} level={3} />}
        </div>
      </ConfirmDialog>
    </>
  );
}
