import { IdentityEvents } from '@atrium/contracts';
import type { FastifyInstance } from 'fastify';
import { eventTypes } from '../../kernel/events/catalog.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Notifications } from '../notifications/service.ts';
import type { OrganizationsService } from '../tenancy/service.ts';
import { registerIdentityRoutes } from './routes.ts';
import { createIdentityService } from './service.ts';

/** The identity module: accounts, sessions, password flows and API keys. */
export function createIdentityModule(kernel: Kernel, deps: { organizations: OrganizationsService; notifications: Notifications }) {
  kernel.permissions.define(
    { id: 'api_keys:read', description: 'List API keys', roles: ['admin', 'developer', 'member'] },
    { id: 'api_keys:write', description: 'Create, rotate and revoke API keys', roles: ['admin', 'developer'] },
  );
  kernel.events.declare(...eventTypes(IdentityEvents));
  const service = createIdentityService(kernel, deps);

  // Membership changes alter what a creator's keys may do: drop their cached lookups.
  kernel.events.subscribe('member.*', 'identity.forget-member-keys', async (event) => {
    const userId = (event.payload as { user_id?: string }).user_id;
    if (userId) await service.keys.forgetKeysOf(event.orgId, userId);
  });

  kernel.events.subscribe('workspace.deleted', 'identity.revoke-workspace-keys', async (event) => {
    const workspaceId = (event.payload as { workspace_id?: string }).workspace_id;
    if (workspaceId) await service.keys.revokeWorkspaceKeys(event.orgId, workspaceId);
  });

  return {
    name: 'identity',
    service,
    routes(app: FastifyInstance) {
      registerIdentityRoutes(app, kernel, service, deps.organizations);
    },
  };
}
