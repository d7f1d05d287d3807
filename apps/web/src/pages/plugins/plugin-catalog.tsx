import { usePluginCatalogQuery } from '../../api/plugins-queries';
import type { PluginInstallation } from '../../api/plugins-types';
import type { Workspace } from '../../api/types';
import { QueryError } from '../../components/access-denied';
import { Spinner } from '../../components/spinner';
import { CatalogCard } from './catalog-card';

interface PluginCatalogProps {
  workspace: Workspace;
  /** The workspace's installations, to tell what is installed already. */
  installations: PluginInstallation[];
  canWrite: boolean;
  onReview: (installation: PluginInstallation) => void;
}

/** "Available plugins": the first-party plugins this server ships, each installable in one click. */
export function PluginCatalog({ workspace, installations, canWrite, onReview }: PluginCatalogProps) {
  const query = usePluginCatalogQuery();
  // A server without a catalogue offers nothing here: no section rather than an empty one.
  if (query.data?.length === 0) return null;

  return (
    <section aria-labelledby="plugin-catalog-heading" className="mt-8">
      <h3 id="plugin-catalog-heading" className="text-base font-semibold text-text">
        Available plugins
      </h3>
      <p className="mt-1 mb-4 max-w-2xl text-sm text-text-muted">
        First-party plugins that ship with Atrium.{' '}
        {canWrite
          ? `Installing one adds it to ${workspace.name}; you review what it may do before it runs.`
          : 'Ask an admin or developer of your organization to install one.'}
      </p>
      {query.isPending && <Spinner label="Loading available plugins…" />}
      {query.isError && <QueryError error={query.error} headingLevel={3} />}
      {query.data && (
        <ul className="grid gap-4 md:grid-cols-2 2xl:grid-cols-3">
          {query.data.map((entry) => (
            <li key={entry.id} className="min-w-0">
              <CatalogCard
                entry={entry}
                installation={installations.find((installation) => installation.plugin_id === entry.id)}
                workspaceId={workspace.id}
                canWrite={canWrite}
                onReview={onReview}
              />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
