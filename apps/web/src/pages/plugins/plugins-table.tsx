import type { PluginInstallation } from '../../api/plugins-types';
import { Badge } from '../../components/badge';
import { Button, ButtonLink } from '../../components/button';
import { Cell, ColumnHeads, Table, TableBody, TableRow } from '../../components/table';
import { Link } from '../../lib/router';
import { PermissionSummary } from './permission-list';
import { FIRST_PARTY_PUBLISHER, pluginStatuses } from './plugin-format';
import { pluginPath } from './plugins-layout';

interface PluginsTableProps {
  installations: PluginInstallation[];
  canWrite: boolean;
  onReview: (installation: PluginInstallation) => void;
}

/** The signer of the running version: this server itself, a trusted publisher, or nobody (a warning). */
export function Publisher({ signedBy }: { signedBy: string | null }) {
  if (!signedBy) return <Badge tone="warning">Unsigned</Badge>;
  if (signedBy === FIRST_PARTY_PUBLISHER) return <Badge tone="brand">First-party</Badge>;
  return (
    <span className="whitespace-nowrap">
      <span className="text-text-muted">Signed by </span>
      {signedBy}
    </span>
  );
}

export function PluginsTable({ installations, canWrite, onReview }: PluginsTableProps) {
  return (
    <Table caption="Installed plugins">
      <ColumnHeads columns={['Plugin', 'Version', 'Status', 'Publisher', 'Permissions']} actions />
      <TableBody>
        {installations.map((installation) => {
          const status = pluginStatuses[installation.status];
          const waiting = installation.consent_required.length > 0 || installation.status === 'pending_consent';
          const target = <span className="sr-only"> of {installation.name}</span>;
          return (
            <TableRow key={installation.id}>
              <Cell>
                <span className="flex flex-col">
                  <Link to={pluginPath(installation.id)} className="font-medium whitespace-nowrap">
                    {installation.name}
                  </Link>
                  <code className="text-xs text-text-muted">{installation.plugin_id}</code>
                  {installation.description && <span className="max-w-xs text-xs text-text-muted">{installation.description}</span>}
                </span>
              </Cell>
              <Cell className="whitespace-nowrap">
                <span className="flex flex-col gap-1">
                  <span>{installation.version}</span>
                  {installation.pending_update && <Badge tone="info">{installation.pending_update.version} waiting</Badge>}
                </span>
              </Cell>
              <Cell>
                <Badge tone={status.tone}>{status.label}</Badge>
              </Cell>
              <Cell>
                <Publisher signedBy={installation.package.signed_by} />
              </Cell>
              <Cell className="min-w-48">
                <PermissionSummary
                  permissions={
                    installation.granted_permissions.length ? installation.granted_permissions : installation.package.permissions
                  }
                />
              </Cell>
              <Cell>
                <div className="flex flex-wrap justify-end gap-2">
                  {canWrite && waiting && (
                    <Button size="sm" variant="primary" onClick={() => onReview(installation)}>
                      Review permissions{target}
                    </Button>
                  )}
                  <ButtonLink size="sm" to={pluginPath(installation.id)}>
                    Manage{target}
                  </ButtonLink>
                </div>
              </Cell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
