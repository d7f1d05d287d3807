import type { FastifyInstance } from 'fastify';
import { eventType } from '../../kernel/events/catalog.ts';
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
  kernel.events.declare(
    eventType('organization.created', 'An organization was created', ['organization_id', 'name']),
    eventType('organization.updated', 'The organization was renamed', ['organization_id', 'name']),
    eventType('workspace.created', 'A workspace was created', ['workspace_id', 'name']),
    eventType('workspace.updated', 'A workspace was renamed or re-described', ['workspace_id'], { changes: { type: 'object' } }),
    eventType('workspace.deleted', 'A workspace was deleted (its API keys are revoked)', ['workspace_id']),
    eventType('member.added', 'Someone joined the organization', ['membership_id', 'user_id', 'role']),
    eventType('member.role_changed', 'A member’s role changed', ['membership_id', 'user_id', 'from', 'to']),
    eventType('member.removed', 'A member left or was removed', ['membership_id', 'user_id', 'role']),
    eventType('invitation.created', 'An invitation was sent', ['invitation_id', 'email', 'role']),
    eventType('invitation.accepted', 'An invitation was accepted', ['invitation_id', 'user_id']),
    eventType('invitation.revoked', 'An invitation was revoked', ['invitation_id']),
  );
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
