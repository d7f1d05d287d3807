import type { ReactNode } from 'react';
import type { Workspace } from '../../api/types';
import { AccessDenied } from '../../components/access-denied';
import { ButtonLink } from '../../components/button';
import { EmptyState } from '../../components/empty-state';
import { FolderIcon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { SectionTabs, TabHeader, tabById } from '../../components/section-tabs';
import { PageSpinner } from '../../components/spinner';
import { type PermissionTab, TabAccess, useOpenFirstTab, useVisibleTabs } from '../../components/tab-access';
import { useCurrentWorkspace } from '../../lib/current-workspace';
import { usePageTitle } from '../../lib/use-page-title';

export type PluginsTabId = 'installed' | 'capabilities' | 'approvals' | 'mcp-servers';

export const pluginsTabs: PermissionTab<PluginsTabId>[] = [
  {
    id: 'installed',
    to: '/plugins/installed',
    label: 'Installed',
    permission: 'plugins:read',
    description: 'Plugins installed in the current workspace. Each runs in a sandbox with only the permissions you granted it.',
  },
  {
    id: 'capabilities',
    to: '/plugins/capabilities',
    label: 'Capabilities',
    permission: 'capabilities:read',
    description: 'Everything agents, workflows and the API can call in this workspace: built-ins, plugin capabilities and MCP tools.',
  },
  {
    id: 'approvals',
    to: '/plugins/approvals',
    label: 'Approvals',
    permission: 'capabilities:read',
    description: 'Calls to capabilities that need approval wait here until an admin approves or rejects them.',
  },
  {
    id: 'mcp-servers',
    to: '/plugins/mcp-servers',
    label: 'MCP servers',
    permission: 'plugins:read',
    description: 'Remote Model Context Protocol servers. Their tools become capabilities of this workspace, as mcp.server.tool.',
  },
];

/** Where one installation is managed. */
export const pluginPath = (id: string) => `/plugins/plugin?id=${encodeURIComponent(id)}`;

const headerDescription = 'Extend Atrium with plugins and MCP servers, try their capabilities, and approve the calls that need a person.';

function PluginsHeader({ current }: { current: PluginsTabId | null }) {
  const tabs = useVisibleTabs(pluginsTabs);
  return (
    <>
      <PageHeader title="Plugins" description={headerDescription} />
      <SectionTabs label="Plugins sections" tabs={tabs} current={current} />
    </>
  );
}

/**
 * One tab of Plugins: the shared header and tabs, then the tab's content, or the access state
 * when the caller's role lacks the tab's permission.
 */
export function PluginsSection({ tab, title, children }: { tab: PluginsTabId; title?: string; children: ReactNode }) {
  const definition = tabById(pluginsTabs, tab);
  usePageTitle(`${title ?? definition.label} · Plugins`);
  return (
    <>
      <PluginsHeader current={tab} />
      <TabAccess tab={definition}>{children}</TabAccess>
    </>
  );
}

/** The tab's own heading (h2) with its one-line description and actions. */
export function PluginsTabHeader({ tab, actions }: { tab: PluginsTabId; actions?: ReactNode }) {
  const definition = tabById(pluginsTabs, tab);
  return <TabHeader title={definition.label} description={definition.description} actions={actions} />;
}

/** Plugins, capabilities and MCP servers belong to a workspace: the current one, once known. */
export function WithWorkspace({ children }: { children: (workspace: Workspace) => ReactNode }) {
  const { current, isLoading } = useCurrentWorkspace();
  if (current) return children(current);
  if (isLoading) return <PageSpinner label="Loading workspaces…" />;
  return (
    <EmptyState
      icon={<FolderIcon />}
      headingLevel={3}
      title="No workspace yet"
      description="Plugins, capabilities and MCP servers belong to a workspace. Create one first."
      action={<ButtonLink to="/workspaces">Go to Workspaces</ButtonLink>}
    />
  );
}

/** `/plugins`: opens the first tab the caller may see. */
export function PluginsIndexPage() {
  usePageTitle('Plugins');
  const opening = useOpenFirstTab(pluginsTabs);
  if (opening) return null;
  return (
    <>
      <PluginsHeader current={null} />
      <AccessDenied permission="plugins:read" />
    </>
  );
}
