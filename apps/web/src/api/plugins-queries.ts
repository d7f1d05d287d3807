import { useQuery } from '@tanstack/react-query';
import {
  fetchPlugin,
  fetchPluginPolicy,
  listCapabilities,
  listExecutions,
  listMcpServers,
  listPluginCatalog,
  listPluginExecutions,
  listPlugins,
} from './plugins';

export const pluginKeys = {
  /** Everything an install, consent, update or uninstall can touch, capabilities included. */
  all: ['plugins'] as const,
  list: (workspaceId: string) => ['plugins', 'list', workspaceId] as const,
  detail: (id: string) => ['plugins', 'detail', id] as const,
  executions: (id: string) => ['plugins', 'executions', id] as const,
  policy: ['plugins', 'policy'] as const,
  /** Outside `all`: it is the server's, and nothing done in the console changes it. */
  catalog: ['plugin-catalog'] as const,
  capabilities: (workspaceId: string) => ['plugins', 'capabilities', workspaceId] as const,
  approvals: ['plugins', 'approvals'] as const,
  mcpServers: (workspaceId: string) => ['plugins', 'mcp-servers', workspaceId] as const,
};

/** The installations of one workspace (the query waits until the workspace is known). */
export function usePluginsQuery(workspaceId: string | null) {
  return useQuery({
    queryKey: pluginKeys.list(workspaceId ?? ''),
    queryFn: () => listPlugins(workspaceId ?? ''),
    enabled: Boolean(workspaceId),
  });
}

export function usePluginQuery(id: string) {
  return useQuery({ queryKey: pluginKeys.detail(id), queryFn: () => fetchPlugin(id), enabled: Boolean(id) });
}

/** The plugin's execution log, newest first. */
export function usePluginExecutionsQuery(id: string) {
  return useQuery({ queryKey: pluginKeys.executions(id), queryFn: () => listPluginExecutions(id) });
}

export function usePluginPolicyQuery() {
  return useQuery({ queryKey: pluginKeys.policy, queryFn: fetchPluginPolicy, staleTime: 60_000 });
}

/** The first-party catalogue changes only when the server is upgraded. */
export function usePluginCatalogQuery() {
  return useQuery({ queryKey: pluginKeys.catalog, queryFn: listPluginCatalog, staleTime: 5 * 60_000 });
}

export function useCapabilitiesQuery(workspaceId: string | null) {
  return useQuery({
    queryKey: pluginKeys.capabilities(workspaceId ?? ''),
    queryFn: () => listCapabilities(workspaceId ?? ''),
    enabled: Boolean(workspaceId),
  });
}

/** Executions waiting for an approver, across the organization. */
export function useApprovalsQuery() {
  return useQuery({ queryKey: pluginKeys.approvals, queryFn: () => listExecutions('pending_approval') });
}

export function useMcpServersQuery(workspaceId: string | null) {
  return useQuery({
    queryKey: pluginKeys.mcpServers(workspaceId ?? ''),
    queryFn: () => listMcpServers(workspaceId ?? ''),
    enabled: Boolean(workspaceId),
  });
}
