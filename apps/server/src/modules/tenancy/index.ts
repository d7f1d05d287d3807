import { TenancyEvents } from '@atrium/contracts';
import type { FastifyInstance } from 'fastify';
import { eventTypes } from '../../kernel/events/catalog.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Notifications } from '../notifications/service.ts';
import { createMembersService, type UserDirectory } from './members.ts';
import { registerTenancyRoutes } from './routes.ts';
import { createOrganizationsService } from './service.ts';

/** The tenancy module: organisations, workspaces, members and invitations. */
export function createTenancyModule(
  kernel: Kernel,
  deps: { notifications: Notifications; users: () => UserDirectory & { getUser(id: string): Promise<{ email: string }> } },
) {
  kernel.permissions.define(
    { id: 'org:read', description: 'See the organization', roles: ['admin', 'developer', 'member', 'viewer', 'billing'] },
    { id: 'org:write', description: 'Rename and configure the organization', roles: ['admin'] },
    { id: 'workspaces:read', description: 'See workspaces', roles: ['admin', 'developer', 'member', 'viewer'] },
    { id: 'workspaces:write', description: 'Create, rename and delete workspaces', roles: ['admin', 'developer'] },
    { id: 'members:read', description: 'See members and invitations', roles: ['admin', 'developer', 'member', 'viewer', 'billing'] },
    { id: 'members:write', description: 'Invite, remove and change the role of members', roles: ['admin'] },
  );
  kernel.events.declare(...eventTypes(TenancyEvents));
  const organizations = createOrganizationsService(kernel);
  const members = createMembersService(kernel, { users: deps.users, notifications: deps.notifications });
  return {
    name: 'tenancy',
    organizations,
    members,
    routes(app: FastifyInstance) {
      registerTenancyRoutes(app, kernel, { organizations, members, userEmail: async (id) => (await deps.users().getUser(id)).email });
    },
  };
}
