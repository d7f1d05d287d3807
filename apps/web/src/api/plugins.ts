import { apiRequest, queryString } from './client';
import type {
  Capability,
  CapabilityExecution,
  CapabilityExecutionEntry,
  McpServer,
  McpServerInput,
  PluginCatalogEntry,
  PluginChanges,
  PluginInstallation,
  PluginPolicy,
} from './plugins-types';
import type { ListResponse } from './types';

/** Plugins and their consent, the capability registry with its approvals, and MCP servers. */

const base = '/api/v1';

// --- Plugins ----------------------------------------------------------------------------------

const pluginPath = (id: string) => `${base}/plugins/${encodeURIComponent(id)}`;

export async function listPlugins(workspaceId: string): Promise<PluginInstallation[]> {
  return (await apiRequest<ListResponse<PluginInstallation>>(`${base}/plugins${queryString({ workspace_id: workspaceId })}`)).data;
}

export function fetchPlugin(id: string) {
  return apiRequest<PluginInstallation>(pluginPath(id));
}

/** Installs a bundle (the parsed `*.atrium-plugin.json`); it waits for consent to its permissions. */
export function installPlugin(workspaceId: string, bundle: unknown) {
  return apiRequest<PluginInstallation>(`${base}/plugins`, { method: 'POST', body: { workspace_id: workspaceId, bundle } });
}

/** Installs a first-party plugin from the server's catalogue; like a bundle, it waits for consent. */
export function installFromCatalog(workspaceId: string, catalogId: string) {
  return apiRequest<PluginInstallation>(`${base}/plugins`, { method: 'POST', body: { workspace_id: workspaceId, catalog: catalogId } });
}

/** Enables, disables or changes settings; a null setting clears it. */
export function updatePlugin(id: string, changes: PluginChanges) {
  return apiRequest<PluginInstallation>(pluginPath(id), { method: 'PATCH', body: changes });
}

/** Grants the permissions; they must be exactly the installation's `consent_required`. */
export function consentToPlugin(id: string, permissions: string[]) {
  return apiRequest<PluginInstallation>(`${pluginPath(id)}/consent`, { method: 'POST', body: { permissions } });
}

/** Moves to another version; one that asks for more waits (`pending_update`) until someone consents. */
export function updatePluginBundle(id: string, bundle: unknown) {
  return apiRequest<PluginInstallation>(`${pluginPath(id)}/update`, { method: 'POST', body: { bundle } });
}

/** Moves to the version of the plugin the server's catalogue ships now; more permissions wait for consent. */
export function updateFromCatalog(id: string, catalogId: string) {
  return apiRequest<PluginInstallation>(`${pluginPath(id)}/update`, { method: 'POST', body: { catalog: catalogId } });
}

/** Uninstalls and deletes what the plugin stored; `confirm` repeats its plugin id. */
export function uninstallPlugin(id: string, confirm: string) {
  return apiRequest<{ id: string; deleted: true; purged_records: number }>(`${pluginPath(id)}${queryString({ confirm })}`, {
    method: 'DELETE',
  });
}

export async function listPluginExecutions(id: string): Promise<CapabilityExecutionEntry[]> {
  return (await apiRequest<ListResponse<CapabilityExecutionEntry>>(`${pluginPath(id)}/executions`)).data;
}

/** The first-party plugins this server ships, installable in any workspace. */
export async function listPluginCatalog(): Promise<PluginCatalogEntry[]> {
  return (await apiRequest<ListResponse<PluginCatalogEntry>>(`${base}/plugin-catalog`)).data;
}

export function fetchPluginPolicy() {
  return apiRequest<PluginPolicy>(`${base}/plugin-settings`);
}

export function savePluginPolicy(developerMode: boolean) {
  return apiRequest<PluginPolicy>(`${base}/plugin-settings`, { method: 'PATCH', body: { developer_mode: developerMode } });
}

// --- Capabilities and approvals ---------------------------------------------------------------

export async function listCapabilities(workspaceId: string): Promise<Capability[]> {
  return (await apiRequest<ListResponse<Capability>>(`${base}/capabilities${queryString({ workspace_id: workspaceId })}`)).data;
}

/** Calls a capability: 200 with its result, or 202 `pending_approval` when it waits for an admin. */
export function invokeCapability(id: string, workspaceId: string, input: unknown) {
  return apiRequest<CapabilityExecution>(`${base}/capabilities/${encodeURIComponent(id)}/invoke`, {
    method: 'POST',
    body: { workspace_id: workspaceId, input },
  });
}

export async function listExecutions(status?: string): Promise<CapabilityExecutionEntry[]> {
  return (await apiRequest<ListResponse<CapabilityExecutionEntry>>(`${base}/capability-executions${queryString({ status })}`)).data;
}

/** Approving runs the call now; rejecting means it never runs. */
export function decideExecution(id: string, decision: 'approve' | 'reject') {
  return apiRequest<CapabilityExecution>(`${base}/capability-executions/${encodeURIComponent(id)}/${decision}`, {
    method: 'POST',
    body: {},
  });
}

// --- MCP servers ------------------------------------------------------------------------------

const mcpPath = (id: string) => `${base}/mcp-servers/${encodeURIComponent(id)}`;

export async function listMcpServers(workspaceId: string): Promise<McpServer[]> {
  return (await apiRequest<ListResponse<McpServer>>(`${base}/mcp-servers${queryString({ workspace_id: workspaceId })}`)).data;
}

export function connectMcpServer(input: McpServerInput) {
  return apiRequest<McpServer>(`${base}/mcp-servers`, { method: 'POST', body: input });
}

export function updateMcpServer(id: string, changes: { enabled?: boolean }) {
  return apiRequest<McpServer>(mcpPath(id), { method: 'PATCH', body: changes });
}

export function deleteMcpServer(id: string) {
  return apiRequest<void>(mcpPath(id), { method: 'DELETE' });
}

/** Lists the server's tools again. */
export function refreshMcpServer(id: string) {
  return apiRequest<McpServer>(`${mcpPath(id)}/refresh`, { method: 'POST', body: {} });
}
