import { useState } from 'react';
import { useCapabilitiesQuery } from '../../api/plugins-queries';
import type { Capability } from '../../api/plugins-types';
import type { Workspace } from '../../api/types';
import { QueryError } from '../../components/access-denied';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { EmptyState } from '../../components/empty-state';
import { PageSpinner } from '../../components/spinner';
import { Cell, ColumnHeads, Table, TableBody, TableRow } from '../../components/table';
import { useSession } from '../../lib/session';
import { providerLabels } from './plugin-format';
import { CapabilityIcon } from './plugin-icons';
import { PluginsSection, PluginsTabHeader, WithWorkspace } from './plugins-layout';
import { TryCapabilityDialog } from './try-capability-dialog';

export function CapabilitiesPage() {
  return (
    <PluginsSection tab="capabilities">
      <PluginsTabHeader tab="capabilities" />
      <WithWorkspace>{(workspace) => <Capabilities workspace={workspace} />}</WithWorkspace>
    </PluginsSection>
  );
}

function Capabilities({ workspace }: { workspace: Workspace }) {
  const { can } = useSession();
  const canInvoke = can('capabilities:invoke');
  const query = useCapabilitiesQuery(workspace.id);
  const [trying, setTrying] = useState<Capability | null>(null);

  return (
    <>
      {query.isPending && <PageSpinner label="Loading capabilities…" />}
      {query.isError && <QueryError error={query.error} headingLevel={3} />}
      {query.data && query.data.length === 0 && (
        <EmptyState
          icon={<CapabilityIcon />}
          headingLevel={3}
          title="No capabilities yet"
          description="Install a plugin or connect an MCP server to give this workspace something to call."
        />
      )}
      {query.data && query.data.length > 0 && (
        <Table caption={`Capabilities in ${workspace.name}`}>
          <ColumnHeads columns={['Capability', 'Provider', 'Description', 'Approval']} actions={canInvoke} />
          <TableBody>
            {query.data.map((capability) => (
              <TableRow key={capability.id}>
                <Cell>
                  <span className="flex flex-col">
                    <code className="text-xs font-medium whitespace-nowrap">{capability.id}</code>
                    {capability.owner_name && <span className="text-xs whitespace-nowrap text-text-muted">{capability.owner_name}</span>}
                  </span>
                </Cell>
                <Cell className="whitespace-nowrap">{providerLabels[capability.provider] ?? capability.provider}</Cell>
                <Cell className="min-w-56 text-text-muted">{capability.description}</Cell>
                <Cell>
                  {capability.requires_approval ? (
                    <Badge tone="warning">Requires approval</Badge>
                  ) : (
                    <span className="text-text-muted">—</span>
                  )}
                </Cell>
                {canInvoke && (
                  <Cell>
                    <div className="flex justify-end">
                      <Button size="sm" onClick={() => setTrying(capability)}>
                        Try it<span className="sr-only"> with {capability.id}</span>
                      </Button>
                    </div>
                  </Cell>
                )}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {trying && <TryCapabilityDialog capability={trying} workspaceId={workspace.id} onClose={() => setTrying(null)} />}
    </>
  );
}
