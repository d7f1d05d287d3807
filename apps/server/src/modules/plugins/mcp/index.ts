import type { FastifyInstance } from 'fastify';
import type { Kernel } from '../../../kernel/kernel.ts';
import type { WorkspaceResolver } from '../route-helpers.ts';
import { createMcpServers } from './client.ts';
import { registerMcpServerRoutes } from './routes.ts';
import { registerMcpEndpoint } from './server.ts';

/**
 * MCP both ways: remote servers connected to a workspace (their tools become capabilities through
 * `source`), and Atrium's own `/mcp` endpoint serving a workspace's capabilities to MCP clients.
 *
 * @example
 * const mcp = createMcpModulePart(kernel, workspaceOf);
 * kernel.capabilities.addSource(mcp.source);
 * mcp.routes(app);
 * // at shutdown
 * await mcp.close();
 */
export function createMcpModulePart(kernel: Kernel, workspaceOf: WorkspaceResolver) {
  const servers = createMcpServers(kernel);
  return {
    service: servers.service,
    source: servers.source,
    routes(app: FastifyInstance) {
      registerMcpServerRoutes(app, kernel, servers.service, workspaceOf);
      registerMcpEndpoint(app, kernel);
    },
    close: () => servers.close(),
  };
}
