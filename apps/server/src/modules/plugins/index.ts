import { PluginEvents } from '@atrium/contracts';
import type { FastifyInstance } from 'fastify';
import { withTenant } from '../../kernel/db/tenant.ts';
import { eventTypes } from '../../kernel/events/catalog.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Notifications } from '../notifications/service.ts';
import { createCatalog } from './catalog.ts';
import { createMcpModulePart } from './mcp/index.ts';
import { createWorkspaceResolver } from './route-helpers.ts';
import { registerPluginRoutes } from './routes.ts';
import { createPluginRuntime, type PluginRuntimeDependencies } from './runtime.ts';
import { createPluginsService, type PluginsDependencies } from './service.ts';

export interface PluginsModuleDependencies extends PluginsDependencies {
  notifications: Notifications;
  /** Email addresses of the organisation's owners and admins. */
  administrators(orgId: string): Promise<string[]>;
  /** The organisation's workspace when it has exactly one. */
  onlyWorkspace(orgId: string): Promise<string | null>;
  llmChat?: PluginRuntimeDependencies['llmChat'];
}

/**
 * Plugins: signed bundles installed per workspace, run in the QuickJS sandbox with only the host
 * API their consented permissions grant; their capabilities join the kernel's registry.
 */
export function createPluginsModule(kernel: Kernel, deps: PluginsModuleDependencies) {
  kernel.permissions.define(
    {
      id: 'plugins:read',
      description: 'See installed plugins, their settings and execution logs',
      roles: ['admin', 'developer', 'member', 'viewer'],
    },
    { id: 'plugins:write', description: 'Install, consent to, configure, update and uninstall plugins', roles: ['admin', 'developer'] },
    {
      id: 'capabilities:read',
      description: 'List capabilities and see the execution log',
      roles: ['admin', 'developer', 'member', 'viewer'],
    },
    { id: 'capabilities:invoke', description: 'Call capabilities', roles: ['admin', 'developer', 'member'] },
    { id: 'capabilities:approve', description: 'Approve or reject capability calls that need approval', roles: ['admin'] },
  );
  kernel.events.declare(...eventTypes(PluginEvents));
  const lifecycle = { changed: (_orgId: string, _installationId: string) => {} };
  const catalog = createCatalog(kernel.config.plugins.catalogDir, kernel.log);
  const service = createPluginsService(kernel, deps, lifecycle, catalog);
  const runtime = createPluginRuntime(kernel, {
    service,
    llmChat: deps.llmChat,
    async notifyDisabled(installation, reason) {
      const recipients = await deps.administrators(installation.orgId);
      await withTenant(kernel.database, installation.orgId, async (tx) => {
        for (const to of recipients) {
          await deps.notifications.sendEmail(tx, {
            to,
            subject: `The plugin ${installation.pluginId} was disabled`,
            text: `Atrium disabled the plugin ${installation.pluginId} in one of your workspaces.\n\n${reason}\n\nSee its execution log on the Plugins page, then enable it again once it is fixed.`,
          });
        }
      });
    },
  });
  lifecycle.changed = runtime.changed;
  kernel.capabilities.addSource(runtime.source);
  kernel.capabilities.observe((execution) => {
    void runtime.onExecution(execution).catch((error) => kernel.log.warn({ err: error }, 'plugin health check failed'));
  });
  kernel.events.subscribe('*', 'plugins.hooks', (event) => runtime.fanOut(event));
  const workspaceOf = createWorkspaceResolver({ workspaceExists: deps.workspaceExists, onlyWorkspace: deps.onlyWorkspace });
  const mcp = createMcpModulePart(kernel, workspaceOf);
  kernel.capabilities.addSource(mcp.source);

  return {
    name: 'plugins',
    service,
    runtime,
    workspaceOf,
    mcp: mcp.service,
    routes(app: FastifyInstance) {
      registerPluginRoutes(app, kernel, service, workspaceOf, catalog);
      mcp.routes(app);
    },
    start: () => runtime.start(),
    async stop() {
      await runtime.stop();
      await mcp.close();
    },
  };
}
