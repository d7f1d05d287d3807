import { useState } from 'react';
import { usePluginsQuery } from '../../api/plugins-queries';
import type { PluginInstallation } from '../../api/plugins-types';
import type { Workspace } from '../../api/types';
import { QueryError } from '../../components/access-denied';
import { Button } from '../../components/button';
import { EmptyState } from '../../components/empty-state';
import { PageSpinner } from '../../components/spinner';
import { useToast } from '../../components/toast';
import { useSession } from '../../lib/session';
import { ConsentDialog } from './consent-dialog';
import { DeveloperModeCard } from './developer-mode-card';
import { InstallPluginDialog } from './install-plugin-dialog';
import { PluginCatalog } from './plugin-catalog';
import { PluginIcon, UploadIcon } from './plugin-icons';
import { PluginsSection, PluginsTabHeader, WithWorkspace } from './plugins-layout';
import { PluginsTable } from './plugins-table';

export function InstalledPluginsPage() {
  return (
    <PluginsSection tab="installed">
      <WithWorkspace>{(workspace) => <InstalledPlugins workspace={workspace} />}</WithWorkspace>
      <DeveloperModeCard />
    </PluginsSection>
  );
}

function InstalledPlugins({ workspace }: { workspace: Workspace }) {
  const { can } = useSession();
  const canWrite = can('plugins:write');
  const query = usePluginsQuery(workspace.id);
  const { notify } = useToast();
  const [installing, setInstalling] = useState(false);
  const [reviewing, setReviewing] = useState<PluginInstallation | null>(null);

  const installButton = canWrite && (
    <Button variant="primary" icon={<UploadIcon className="size-4" />} onClick={() => setInstalling(true)}>
      Install from file
    </Button>
  );

  return (
    <>
      <PluginsTabHeader tab="installed" actions={installButton} />
      {query.isPending && <PageSpinner label="Loading plugins…" />}
      {query.isError && <QueryError error={query.error} headingLevel={3} />}
      {query.data && query.data.length === 0 && (
        <EmptyState
          icon={<PluginIcon />}
          headingLevel={3}
          title="No plugins installed"
          description={
            canWrite
              ? `Install one of the available plugins below, or a plugin bundle from a file, to add capabilities to ${workspace.name} for agents, workflows and the API.`
              : 'Ask an admin or developer of your organization to install a plugin.'
          }
        />
      )}
      {query.data && query.data.length > 0 && <PluginsTable installations={query.data} canWrite={canWrite} onReview={setReviewing} />}
      {query.data && <PluginCatalog workspace={workspace} installations={query.data} canWrite={canWrite} onReview={setReviewing} />}
      {installing && (
        <InstallPluginDialog
          workspace={workspace}
          onClose={() => setInstalling(false)}
          onInstalled={(installation) => {
            setInstalling(false);
            setReviewing(installation);
          }}
        />
      )}
      {reviewing && (
        <ConsentDialog
          installation={reviewing}
          onClose={() => {
            if (reviewing.status === 'pending_consent') notify(`${reviewing.name} waits for your consent before it runs.`, 'info');
            else if (reviewing.pending_update) {
              notify(
                `${reviewing.name} ${reviewing.pending_update.version} waits for your consent; ${reviewing.version} keeps running.`,
                'info',
              );
            }
            setReviewing(null);
          }}
          onGranted={(installation) => {
            setReviewing(null);
            notify(`${installation.name} ${installation.version} is installed and enabled.`);
          }}
        />
      )}
    </>
  );
}
