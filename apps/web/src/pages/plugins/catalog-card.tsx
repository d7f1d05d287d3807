import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { installFromCatalog, updateFromCatalog } from '../../api/plugins';
import { pluginKeys } from '../../api/plugins-queries';
import type { PluginCatalogEntry, PluginInstallation } from '../../api/plugins-types';
import { Badge } from '../../components/badge';
import { Button, ButtonLink } from '../../components/button';
import { useToast } from '../../components/toast';
import { PermissionList } from './permission-list';
import { pluginStatuses } from './plugin-format';
import { pluginPath } from './plugins-layout';

interface CatalogCardProps {
  entry: PluginCatalogEntry;
  /** This plugin's installation in the current workspace, if there is one. */
  installation: PluginInstallation | undefined;
  workspaceId: string;
  canWrite: boolean;
  /** An install or update that waits for consent: the caller opens the consent dialog. */
  onReview: (installation: PluginInstallation) => void;
}

/** One first-party plugin: what it can do and may access, and installing or updating it. */
export function CatalogCard({ entry, installation, workspaceId, canWrite, onReview }: CatalogCardProps) {
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const headingId = `catalog-${entry.id}`;
  const target = <span className="sr-only"> {entry.name}</span>;

  function settled(changed: PluginInstallation, done: string) {
    queryClient.invalidateQueries({ queryKey: pluginKeys.all });
    if (changed.consent_required.length > 0) onReview(changed);
    else notify(done);
  }

  const install = useMutation({
    mutationFn: () => installFromCatalog(workspaceId, entry.id),
    onSuccess: (installed) => settled(installed, `${installed.name} ${installed.version} is installed and enabled.`),
    onError: (error) => notify(errorMessage(error), 'danger'),
  });
  const update = useMutation({
    mutationFn: (id: string) => updateFromCatalog(id, entry.id),
    onSuccess: (updated) => settled(updated, `Updated ${updated.name} to ${updated.version}.`),
    onError: (error) => notify(errorMessage(error), 'danger'),
  });

  const waiting = Boolean(installation && installation.consent_required.length > 0);
  // An update to this version that already waits for consent is reviewed, not sent again.
  const updatable = installation && installation.version !== entry.version && installation.pending_update?.version !== entry.version;
  const status = installation && pluginStatuses[installation.status];

  const actions = installation ? (
    <>
      {status && installation.status !== 'enabled' && (
        <Badge tone={status.tone} className="mr-auto">
          {status.label}
        </Badge>
      )}
      {canWrite && waiting && (
        <Button size="sm" variant="primary" onClick={() => onReview(installation)}>
          Review permissions<span className="sr-only"> of {entry.name}</span>
        </Button>
      )}
      {canWrite && updatable && (
        <Button
          size="sm"
          variant={waiting ? 'secondary' : 'primary'}
          loading={update.isPending}
          onClick={() => update.mutate(installation.id)}
        >
          Update to {entry.version}
          <span className="sr-only"> of {entry.name}</span>
        </Button>
      )}
      <ButtonLink size="sm" to={pluginPath(installation.id)}>
        Manage{target}
      </ButtonLink>
    </>
  ) : (
    canWrite && (
      <Button size="sm" variant="primary" loading={install.isPending} onClick={() => install.mutate()}>
        Install{target}
      </Button>
    )
  );

  return (
    <article
      aria-labelledby={headingId}
      className="flex h-full flex-col gap-4 rounded-xl border border-border bg-surface p-4 shadow-sm sm:p-5"
    >
      <div className="flex flex-col gap-1">
        <div className="flex flex-wrap items-center gap-2">
          <h4 id={headingId} className="text-base font-semibold text-text">
            {entry.name}
          </h4>
          {installation && <Badge tone="success">Installed</Badge>}
        </div>
        <p className="text-xs text-text-muted">
          Version {entry.version}
          {installation && installation.version !== entry.version && ` (${installation.version} installed)`}
          {entry.categories.length > 0 && ` · ${entry.categories.join(', ')}`}
        </p>
        {entry.description && <p className="text-sm text-text-muted">{entry.description}</p>}
      </div>

      <div className="flex flex-col gap-2">
        <h5 className="text-sm font-semibold text-text">Capabilities</h5>
        {entry.capabilities.length === 0 ? (
          <p className="text-sm text-text-muted">
            {entry.kind === 'prompt' ? 'Adds prompt templates and agents; it runs no code of its own.' : 'Nothing to call.'}
          </p>
        ) : (
          <ul aria-label={`Capabilities of ${entry.name}`} className="flex flex-col gap-2">
            {entry.capabilities.map((capability) => (
              <li key={capability.name} className="flex min-w-0 flex-col gap-0.5">
                <span className="flex flex-wrap items-center gap-2">
                  <code className="text-xs font-medium break-all text-text">
                    {entry.id}.{capability.name}
                  </code>
                  {capability.requires_approval && <Badge tone="warning">Requires approval</Badge>}
                </span>
                {capability.description && (
                  <span className="line-clamp-2 text-xs text-text-muted" title={capability.description}>
                    {capability.description}
                  </span>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>

      <div className="flex flex-col gap-2">
        <h5 className="text-sm font-semibold text-text">Permissions</h5>
        <PermissionList permissions={entry.permissions} label={`Permissions of ${entry.name}`} />
        {entry.settings.length > 0 && (
          <p className="text-xs text-text-muted">
            Settings after installing:{' '}
            {entry.settings.map((field) => (field.required ? `${field.label} (required)` : field.label)).join(', ')}
          </p>
        )}
      </div>

      {actions && <div className="mt-auto flex flex-wrap items-center justify-end gap-2 border-t border-border pt-4">{actions}</div>}
    </article>
  );
}
