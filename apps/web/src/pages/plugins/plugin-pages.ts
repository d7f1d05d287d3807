// The Plugins section's pages, loaded on demand as one chunk (see app.tsx).
export { ApprovalsPage } from './approvals-page';
export { CapabilitiesPage } from './capabilities-page';
export { InstalledPluginsPage } from './installed-page';
export { McpServersPage } from './mcp-servers-page';
export { PluginPage } from './plugin-page';
export { PluginsIndexPage } from './plugins-layout';
