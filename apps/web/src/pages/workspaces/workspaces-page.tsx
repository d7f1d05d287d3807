import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { queryKeys, useWorkspacesQuery } from '../../api/queries';
import { deleteWorkspace } from '../../api/resources';
import type { Workspace } from '../../api/types';
import { QueryError } from '../../components/access-denied';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EmptyState } from '../../components/empty-state';
import { FolderIcon, PlusIcon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { PageSpinner } from '../../components/spinner';
import { Cell, ColumnHeads, Table, TableBody, TableRow } from '../../components/table';
import { useToast } from '../../components/toast';
import { useCurrentWorkspace } from '../../lib/current-workspace';
import { formatDate } from '../../lib/format';
import { useSession } from '../../lib/session';
import { usePageTitle } from '../../lib/use-page-title';
import { WorkspaceFormDialog } from './workspace-form-dialog';

export function WorkspacesPage() {
  usePageTitle('Workspaces');
  const { can } = useSession();
  const canWrite = can('workspaces:write');
  const query = useWorkspacesQuery();
  const { current, select } = useCurrentWorkspace();
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const [editing, setEditing] = useState<Workspace | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [deleting, setDeleting] = useState<Workspace | null>(null);

  const remove = useMutation({
    mutationFn: (workspace: Workspace) => deleteWorkspace(workspace.id),
    onSuccess: (_, workspace) => {
      queryClient.invalidateQueries({ queryKey: queryKeys.workspaces });
      queryClient.invalidateQueries({ queryKey: queryKeys.me });
      notify(`Deleted ${workspace.name}.`);
      setDeleting(null);
    },
  });

  function openCreate() {
    setEditing(null);
    setFormOpen(true);
  }

  const newButton = canWrite && (
    <Button variant="primary" icon={<PlusIcon className="size-4" />} onClick={openCreate}>
      New workspace
    </Button>
  );

  return (
    <>
      <PageHeader
        title="Workspaces"
        description="Workspaces group API keys and usage inside your organization. The current workspace is remembered on this device."
        actions={newButton}
      />
      {query.isPending && <PageSpinner label="Loading workspaces…" />}
      {query.isError && <QueryError error={query.error} />}
      {query.data && query.data.length === 0 && (
        <EmptyState icon={<FolderIcon />} title="No workspaces yet" description="Create a workspace to start issuing API keys." />
      )}
      {query.data && query.data.length > 0 && (
        <Table caption="Workspaces">
          <ColumnHeads columns={['Name', 'Description', 'Created']} actions />
          <TableBody>
            {query.data.map((workspace) => {
              const isCurrent = workspace.id === current?.id;
              return (
                <TableRow key={workspace.id}>
                  <Cell>
                    <div className="flex items-center gap-2">
                      <span className="font-medium">{workspace.name}</span>
                      {isCurrent && <Badge tone="brand">Current</Badge>}
                    </div>
                    <div className="text-xs text-text-muted">{workspace.slug}</div>
                  </Cell>
                  <Cell className="max-w-xs text-text-muted">{workspace.description || '—'}</Cell>
                  <Cell className="whitespace-nowrap text-text-muted">{formatDate(workspace.created_at)}</Cell>
                  <Cell>
                    <div className="flex justify-end gap-2">
                      {!isCurrent && (
                        <Button size="sm" variant="ghost" onClick={() => select(workspace.id)}>
                          Make current
                        </Button>
                      )}
                      {canWrite && (
                        <>
                          <Button
                            size="sm"
                            onClick={() => {
                              setEditing(workspace);
                              setFormOpen(true);
                            }}
                          >
                            Rename
                          </Button>
                          <Button
                            size="sm"
                            variant="ghost"
                            className="text-danger-text"
                            onClick={() => {
                              remove.reset();
                              setDeleting(workspace);
                            }}
                          >
                            Delete
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
      )}
      <WorkspaceFormDialog
        open={formOpen}
        workspace={editing}
        onClose={() => setFormOpen(false)}
        onCreated={(workspace) => {
          if (!current) select(workspace.id);
        }}
      />
      <ConfirmDialog
        open={deleting !== null}
        title="Delete workspace?"
        confirmLabel="Delete workspace"
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => setDeleting(null)}
        pending={remove.isPending}
        error={remove.isError ? errorMessage(remove.error) : null}
      >
        <p>
          <span className="font-medium text-text">{deleting?.name}</span> will be deleted. This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  );
}
