import type { ApiKey, Workspace } from '../../api/types';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { Cell, ColumnHeads, Table, TableBody, TableRow } from '../../components/table';
import { formatDate, formatDateTime, isPast } from '../../lib/format';

interface ApiKeysTableProps {
  keys: ApiKey[];
  workspaces: Workspace[];
  canWrite: boolean;
  onRotate: (key: ApiKey) => void;
  onRevoke: (key: ApiKey) => void;
}

function status(key: ApiKey): { label: string; tone: 'danger' | 'warning' | 'success' } {
  if (key.revoked_at) return { label: 'Revoked', tone: 'danger' };
  if (isPast(key.expires_at)) return { label: 'Expired', tone: 'warning' };
  return { label: 'Active', tone: 'success' };
}

export function ApiKeysTable({ keys, workspaces, canWrite, onRotate, onRevoke }: ApiKeysTableProps) {
  const workspaceName = new Map(workspaces.map((workspace) => [workspace.id, workspace.name]));
  return (
    <Table caption="API keys">
      <ColumnHeads columns={['Name', 'Key', 'Workspace', 'Scopes', 'Created', 'Last used', 'Expires']} actions={canWrite} />
      <TableBody>
        {keys.map((key) => {
          const state = status(key);
          const usable = state.label === 'Active';
          return (
            <TableRow key={key.id} className={usable ? undefined : 'bg-surface-sunken'}>
              <Cell>
                <div className="flex items-center gap-2">
                  <span className="font-medium whitespace-nowrap">{key.name}</span>
                  {!usable && <Badge tone={state.tone}>{state.label}</Badge>}
                </div>
              </Cell>
              <Cell>
                <code className="text-xs whitespace-nowrap">…{key.last4}</code>
              </Cell>
              <Cell className="whitespace-nowrap text-text-muted">{workspaceName.get(key.workspace_id) ?? 'Unknown'}</Cell>
              <Cell>
                <ScopeList scopes={key.scopes} />
              </Cell>
              <Cell className="whitespace-nowrap text-text-muted">{formatDate(key.created_at)}</Cell>
              <Cell className="whitespace-nowrap text-text-muted">{formatDateTime(key.last_used_at, 'Never')}</Cell>
              <Cell className="whitespace-nowrap text-text-muted">{formatDateTime(key.expires_at, 'Never')}</Cell>
              {canWrite && (
                <Cell>
                  {!key.revoked_at && (
                    <div className="flex justify-end gap-2">
                      <Button size="sm" onClick={() => onRotate(key)}>
                        Rotate
                      </Button>
                      <Button size="sm" variant="ghost" className="text-danger-text" onClick={() => onRevoke(key)}>
                        Revoke
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

function ScopeList({ scopes }: { scopes: string[] | null }) {
  if (!scopes || scopes.length === 0) return <span className="text-text-muted">Role default</span>;
  const shown = scopes.slice(0, 3);
  return (
    <ul className="flex max-w-xs flex-wrap gap-1">
      {shown.map((scope) => (
        <li key={scope}>
          <Badge>{scope}</Badge>
        </li>
      ))}
      {scopes.length > shown.length && (
        <li className="text-xs text-text-muted" title={scopes.slice(3).join(', ')}>
          +{scopes.length - shown.length} more
        </li>
      )}
    </ul>
  );
}
