import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { errorMessage, isApiError } from '../../api/client';
import { updatePlugin } from '../../api/plugins';
import { pluginKeys, usePluginQuery } from '../../api/plugins-queries';
import type { PluginInstallation } from '../../api/plugins-types';
import { QueryError } from '../../components/access-denied';
import { Alert } from '../../components/alert';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { EmptyState } from '../../components/empty-state';
import { Card } from '../../components/page-header';
import { TabHeader } from '../../components/section-tabs';
import { PageSpinner } from '../../components/spinner';
import { useToast } from '../../components/toast';
import { formatDateTime } from '../../lib/format';
import { Link, navigate, useLocation } from '../../lib/router';
import { useSession } from '../../lib/session';
import { ConsentDialog } from './consent-dialog';
import { ExecutionLog } from './execution-log';
import { PermissionList } from './permission-list';
import { pluginStatuses } from './plugin-format';
import { PluginIcon } from './plugin-icons';
import { PluginSettingsForm } from './plugin-settings-form';
import { PluginsSection } from './plugins-layout';
import { Publisher } from './plugins-table';
import { UninstallDialog } from './uninstall-dialog';
import { UpdatePluginDialog } from './update-plugin-dialog';

/** `/plugins/plugin?id=…`: one installation's permissions, settings and execution log. */
export function PluginPage() {
  const { searchParams } = useLocation();
  const id = searchParams.get('id') ?? '';
  const query = usePluginQuery(id);
  return (
    <PluginsSection tab="installed" title={query.data?.name ?? 'Plugin'}>
      <p className="mb-4 text-sm">
        <Link to="/plugins/installed">
          <span aria-hidden="true">← </span>All plugins
        </Link>
      </p>
      {!id && <NotFound />}
      {id && query.isPending && <PageSpinner label="Loading the plugin…" />}
      {query.isError &&
        (isApiError(query.error) && query.error.status === 404 ? <NotFound /> : <QueryError error={query.error} headingLevel={3} />)}
      {query.data && <PluginDetails installation={query.data} />}
    </PluginsSection>
  );
}

function NotFound() {
  return (
    <EmptyState
      icon={<PluginIcon />}
      headingLevel={2}
      title="Plugin not found"
      description="It may have been uninstalled, or it belongs to another organization."
    />
  );
}

type Dialogs = 'consent' | 'update' | 'uninstall' | null;

function PluginDetails({ installation }: { installation: PluginInstallation }) {
  const { can } = useSession();
  const canWrite = can('plugins:write');
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const [open, setOpen] = useState<Dialogs>(null);
  const [reviewing, setReviewing] = useState<PluginInstallation>(installation);
  const status = pluginStatuses[installation.status];
  const waiting = installation.consent_required.length > 0 || installation.status === 'pending_consent';

  const toggle = useMutation({
    mutationFn: () => updatePlugin(installation.id, { enabled: installation.status !== 'enabled' }),
    onSuccess: (changed) => {
      queryClient.setQueryData(pluginKeys.detail(changed.id), changed);
      queryClient.invalidateQueries({ queryKey: pluginKeys.all });
      notify(
        changed.status === 'enabled' ? `Enabled ${changed.name}.` : `Disabled ${changed.name}: its capabilities and hooks stop at once.`,
      );
    },
    onError: (error) => notify(errorMessage(error), 'danger'),
  });

  function review(target: PluginInstallation) {
    setReviewing(target);
    setOpen('consent');
  }

  const actions = canWrite && (
    <>
      {installation.status !== 'pending_consent' && (
        <Button loading={toggle.isPending} onClick={() => toggle.mutate()}>
          {installation.status === 'enabled' ? 'Disable' : 'Enable'}
        </Button>
      )}
      <Button onClick={() => setOpen('update')}>Update from file</Button>
      <Button variant="ghost" className="text-danger-text" onClick={() => setOpen('uninstall')}>
        Uninstall
      </Button>
    </>
  );

  return (
    <>
      <TabHeader
        title={installation.name}
        description={installation.description || `The ${installation.plugin_id} plugin.`}
        actions={actions}
      />
      <div className="flex flex-col gap-6">
        {waiting && (
          <Alert
            tone="warning"
            title={installation.pending_update ? `Version ${installation.pending_update.version} waits for consent` : 'Waiting for consent'}
          >
            <p>
              {installation.pending_update
                ? `It asks for more than the running version ${installation.version}, which keeps running until you grant it.`
                : 'The plugin does not run until someone who may install plugins grants the permissions it asks for.'}
            </p>
            {canWrite && (
              <Button size="sm" variant="primary" className="mt-2" onClick={() => review(installation)}>
                Review permissions
              </Button>
            )}
          </Alert>
        )}
        {installation.disabled_reason && installation.status === 'disabled' && (
          <Alert tone="danger" live="none" title="Atrium disabled this plugin">
            {installation.disabled_reason}
          </Alert>
        )}
        <Card>
          <h3 className="mb-4 text-base font-semibold text-text">About</h3>
          <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            <Detail term="Status">
              <Badge tone={status.tone}>{status.label}</Badge>
            </Detail>
            <Detail term="Version">
              {installation.version}
              {installation.pending_update && <span className="text-text-muted"> ({installation.pending_update.version} waiting)</span>}
            </Detail>
            <Detail term="Publisher">
              <Publisher signedBy={installation.package.signed_by} />
            </Detail>
            <Detail term="Plugin ID">
              <code>{installation.plugin_id}</code>
            </Detail>
            <Detail term="Author">{installation.manifest.author?.name ?? '—'}</Detail>
            <Detail term="Consented">{formatDateTime(installation.consented_at, 'Not yet')}</Detail>
          </dl>
          <h4 className="mt-6 mb-2 text-sm font-semibold text-text">
            {installation.status === 'pending_consent' ? 'Asks for' : 'Granted permissions'}
          </h4>
          <PermissionList
            permissions={installation.status === 'pending_consent' ? installation.package.permissions : installation.granted_permissions}
            label={`Permissions of ${installation.name}`}
          />
        </Card>
        <PluginSettingsForm key={installation.package.digest} installation={installation} canWrite={canWrite} />
        <ExecutionLog installation={installation} />
      </div>
      {open === 'consent' && (
        <ConsentDialog
          installation={reviewing}
          onClose={() => setOpen(null)}
          onGranted={(granted) => {
            setOpen(null);
            queryClient.setQueryData(pluginKeys.detail(granted.id), granted);
            notify(`Granted. ${granted.name} ${granted.version} is ${granted.status === 'enabled' ? 'enabled' : granted.status}.`);
          }}
        />
      )}
      {open === 'update' && (
        <UpdatePluginDialog
          installation={installation}
          onClose={() => setOpen(null)}
          onUpdated={(updated) => {
            queryClient.setQueryData(pluginKeys.detail(updated.id), updated);
            if (updated.consent_required.length > 0) {
              review(updated);
            } else {
              setOpen(null);
              notify(`Updated ${updated.name} to ${updated.version}.`);
            }
          }}
        />
      )}
      {open === 'uninstall' && (
        <UninstallDialog
          installation={installation}
          onClose={() => setOpen(null)}
          onUninstalled={(purged) => {
            notify(`Uninstalled ${installation.name} and deleted ${purged} stored ${purged === 1 ? 'record' : 'records'}.`);
            navigate('/plugins/installed', { replace: true });
          }}
        />
      )}
    </>
  );
}

function Detail({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <dt className="text-sm text-text-muted">{term}</dt>
      <dd className="break-words text-sm text-text">{children}</dd>
    </div>
  );
}
