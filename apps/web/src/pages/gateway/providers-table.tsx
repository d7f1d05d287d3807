import type { ProviderConnection } from '../../api/gateway-types';
import type { Workspace } from '../../api/types';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { Cell, ColumnHeads, Table, TableBody, TableRow } from '../../components/table';
import { defaultBaseUrls, providerTypeLabel } from './gateway-format';

export type ProviderAction = 'test' | 'toggle' | 'replace-key' | 'delete';

interface ProvidersTableProps {
  providers: ProviderConnection[];
  workspaces: Workspace[];
  canWrite: boolean;
  /** The connection and action in flight, so its button shows progress. */
  pending: { id: string; action: ProviderAction } | null;
  onAction: (provider: ProviderConnection, action: ProviderAction) => void;
}

export function ProvidersTable({ providers, workspaces, canWrite, pending, onAction }: ProvidersTableProps) {
  const workspaceName = new Map(workspaces.map((workspace) => [workspace.id, workspace.name]));
  return (
    <Table caption="Provider connections">
      <ColumnHeads columns={['Name', 'Type', 'Base URL', 'Workspace', 'Key', 'Status']} actions={canWrite} />
      <TableBody>
        {providers.map((provider) => {
          const busy = (action: ProviderAction) => pending?.id === provider.id && pending.action === action;
          const target = <span className="sr-only"> for {provider.name}</span>;
          const defaultUrl = defaultBaseUrls[provider.type];
          return (
            <TableRow key={provider.id} className={provider.enabled ? undefined : 'bg-surface-sunken'}>
              <Cell>
                <span className="flex flex-col">
                  <span className="flex items-center gap-2">
                    <span className="font-medium whitespace-nowrap">{provider.name}</span>
                    {provider.shared && <Badge tone="info">Shared</Badge>}
                  </span>
                  <span className="text-xs whitespace-nowrap text-text-muted">
                    Models as <code>{provider.name}/…</code>
                  </span>
                </span>
              </Cell>
              <Cell className="whitespace-nowrap">{providerTypeLabel(provider.type)}</Cell>
              <Cell>
                {provider.base_url ? (
                  <code className="text-xs break-all">{provider.base_url}</code>
                ) : (
                  <span className="flex flex-col text-text-muted">
                    <span>Default</span>
                    {defaultUrl && <code className="text-xs break-all">{defaultUrl}</code>}
                  </span>
                )}
              </Cell>
              <Cell className="whitespace-nowrap text-text-muted">
                {provider.workspace_id ? (workspaceName.get(provider.workspace_id) ?? provider.workspace_id) : 'All workspaces'}
              </Cell>
              <Cell>
                {provider.has_api_key ? (
                  <code className="text-xs whitespace-nowrap">
                    <span aria-hidden="true">••••</span>
                    <span className="sr-only">Ending in </span>
                    {provider.api_key_hint ?? ''}
                  </code>
                ) : (
                  <span className="text-text-muted">None</span>
                )}
              </Cell>
              <Cell>
                <Badge tone={provider.enabled ? 'success' : 'warning'}>{provider.enabled ? 'Enabled' : 'Disabled'}</Badge>
              </Cell>
              {canWrite && (
                <Cell>
                  {provider.shared ? (
                    <span className="block text-right text-xs text-text-muted">Managed by your Atrium operator</span>
                  ) : (
                    <div className="flex flex-wrap justify-end gap-2">
                      <Button size="sm" loading={busy('test')} onClick={() => onAction(provider, 'test')}>
                        Test connection{target}
                      </Button>
                      <Button size="sm" loading={busy('toggle')} onClick={() => onAction(provider, 'toggle')}>
                        {provider.enabled ? 'Disable' : 'Enable'}
                        {target}
                      </Button>
                      <Button size="sm" onClick={() => onAction(provider, 'replace-key')}>
                        {provider.has_api_key ? 'Replace key' : 'Add key'}
                        {target}
                      </Button>
                      <Button size="sm" variant="ghost" className="text-danger-text" onClick={() => onAction(provider, 'delete')}>
                        Delete{target}
                      </Button>
                    </div>
                  )}
                </Cell>
              )}
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
