import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { deleteMcpServer, refreshMcpServer, updateMcpServer } from '../../api/plugins';
import { pluginKeys, useMcpServersQuery } from '../../api/plugins-queries';
import type { McpServer } from '../../api/plugins-types';
import type { Workspace } from '../../api/types';
import { QueryError } from '../../components/access-denied';
import { Button } from '../../components/button';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EmptyState } from '../../components/empty-state';
import { PlusIcon } from '../../components/icons';
import { PageSpinner } from '../../components/spinner';
import { useToast } from '../../components/toast';
import { useSession } from '../../lib/session';
import { ConnectMcpDialog } from './connect-mcp-dialog';
import { McpServerCard, type ServerAction } from './mcp-server-card';
import { ServerIcon } from './plugin-icons';
import { PluginsSection, PluginsTabHeader, WithWorkspace } from './plugins-layout';

export function McpServersPage() {
  return (
    <PluginsSection tab="mcp-servers">
      <WithWorkspace>{(workspace) => <McpServers workspace={workspace} />}</WithWorkspace>
    </PluginsSection>
  );
}

function McpServers({ workspace }: { workspace: Workspace }) {
  const { can } = useSession();
  const canWrite = can('plugins:write');
  const query = useMcpServersQuery(workspace.id);
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const [connecting, setConnecting] = useState(false);
  const [removing, setRemoving] = useState<McpServer | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: pluginKeys.all });
  const failed = (error: unknown) => notify(errorMessage(error), 'danger');

  const reload = useMutation({
    mutationFn: (server: McpServer) => refreshMcpServer(server.id),
    onSuccess: (server) => {
      notify(
        server.last_error
          ? `${server.name} could not list its tools: ${server.last_error}`
          : `${server.name} offers ${server.tools.length} tools.`,
        server.last_error ? 'danger' : 'success',
      );
      refresh();
    },
    onError: failed,
  });
  const toggle = useMutation({
    mutationFn: (server: McpServer) => updateMcpServer(server.id, { enabled: !server.enabled }),
    onSuccess: (server) => {
      notify(server.enabled ? `Enabled ${server.name}.` : `Disabled ${server.name}: its tools are no longer offered.`);
      refresh();
    },
    onError: failed,
  });
  const remove = useMutation({
    mutationFn: (server: McpServer) => deleteMcpServer(server.id),
    onSuccess: (_, server) => {
      setRemoving(null);
      notify(`Removed ${server.name}.`);
      refresh();
    },
  });

  const busy = (server: McpServer, action: ServerAction) => {
    const mutation = action === 'refresh' ? reload : toggle;
    return mutation.isPending && mutation.variables?.id === server.id;
  };

  const connectButton = canWrite && (
    <Button variant="primary" icon={<PlusIcon className="size-4" />} onClick={() => setConnecting(true)}>
      Connect server
    </Button>
  );

  return (
    <>
      <PluginsTabHeader tab="mcp-servers" actions={connectButton} />
      {query.isPending && <PageSpinner label="Loading MCP servers…" />}
      {query.isError && <QueryError error={query.error} headingLevel={3} />}
      {query.data && query.data.length === 0 && (
        <EmptyState
          icon={<ServerIcon />}
          headingLevel={3}
          title="No MCP servers connected"
          description={
            canWrite
              ? `Connect a remote MCP server to offer its tools in ${workspace.name}.`
              : 'Ask an admin or developer of your organization to connect an MCP server.'
          }
        />
      )}
      {query.data && query.data.length > 0 && (
        <ul aria-label={`MCP servers in ${workspace.name}`} className="flex flex-col gap-4">
          {query.data.map((server) => (
            <li key={server.id}>
              <McpServerCard
                server={server}
                canWrite={canWrite}
                busy={busy}
                onRefresh={() => reload.mutate(server)}
                onToggle={() => toggle.mutate(server)}
                onRemove={() => {
                  remove.reset();
                  setRemoving(server);
                }}
              />
            </li>
          ))}
        </ul>
      )}
      {connecting && (
        <ConnectMcpDialog
          workspace={workspace}
          onClose={() => setConnecting(false)}
          onConnected={(server) => {
            setConnecting(false);
            notify(
              server.last_error
                ? `Connected ${server.name}, but it could not list its tools: ${server.last_error}`
                : `Connected ${server.name}.`,
            );
          }}
        />
      )}
      <ConfirmDialog
        open={removing !== null}
        title="Remove MCP server?"
        confirmLabel="Remove server"
        onConfirm={() => removing && remove.mutate(removing)}
        onClose={() => setRemoving(null)}
        pending={remove.isPending}
        error={remove.isError ? errorMessage(remove.error) : null}
      >
        <p>
          Agents and workflows can no longer call the tools of <span className="font-medium text-text">{removing?.name}</span>, and its
          stored headers are deleted.
        </p>
      </ConfirmDialog>
    </>
  );
}
