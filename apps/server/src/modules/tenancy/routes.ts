import {
  AcceptInvitationBody,
  CreateInvitationBody,
  CreateOrganizationBody,
  CreateWorkspaceBody,
  ErrorEnvelope,
  IdParams,
  Invitation,
  InvitationLookupQuery,
  Member,
  Organization,
  PageQuery,
  page,
  Role,
  UpdateMemberBody,
  UpdateOrganizationBody,
  UpdateWorkspaceBody,
  Workspace,
} from '@atrium/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { newId } from '../../kernel/crypto/ids.ts';
import { withTenant } from '../../kernel/db/tenant.ts';
import { principalOf } from '../../kernel/http/auth-hook.ts';
import { typed } from '../../kernel/http/server.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { organizationDto, workspaceDto } from './dto.ts';
import type { Caller, MembersService } from './members.ts';
import type { OrganizationsService } from './service.ts';

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope };

function callerOf(request: FastifyRequest): Caller {
  const principal = principalOf(request);
  return { userId: principal.userId, role: principal.role, actor: { type: principal.type, id: principal.id } };
}

function invitationDto(row: { id: string; email: string; role: string; expiresAt: Date; createdAt: Date; invitedBy: string }) {
  return {
    id: row.id,
    email: row.email,
    role: row.role as z.infer<typeof Role>,
    expires_at: row.expiresAt.toISOString(),
    created_at: row.createdAt.toISOString(),
    invited_by: row.invitedBy,
  };
}

export function registerTenancyRoutes(
  root: FastifyInstance,
  kernel: Kernel,
  services: { organizations: OrganizationsService; members: MembersService; userEmail: (userId: string) => Promise<string> },
) {
  const app = typed(root);
  const { organizations, members } = services;

  app.get(
    '/api/v1/organizations',
    {
      config: { permission: 'authenticated', principals: ['user'] },
      schema: {
        tags: ['Organizations'],
        summary: 'Organizations you belong to',
        response: { 200: z.object({ data: z.array(Organization.extend({ role: Role })) }), ...errors },
      },
    },
    async (request) => ({
      data: (await organizations.membershipsOf(principalOf(request).userId)).map((entry) => ({
        ...organizationDto(entry.organization),
        role: entry.role,
      })),
    }),
  );

  app.post(
    '/api/v1/organizations',
    {
      config: { permission: 'authenticated', principals: ['user'] },
      schema: {
        tags: ['Organizations'],
        summary: 'Create another organization (you become its owner)',
        body: CreateOrganizationBody,
        response: { 201: z.object({ organization: Organization, workspace: Workspace }), ...errors },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const orgId = newId('org');
      const result = await withTenant(kernel.database, orgId, (tx) =>
        organizations.provision(tx, { orgId, name: request.body.name, userId: principal.userId }, { type: 'user', id: principal.userId }),
      );
      return reply.code(201).send({ organization: organizationDto(result.organization), workspace: workspaceDto(result.workspace) });
    },
  );

  app.get(
    '/api/v1/organization',
    {
      config: { permission: 'org:read' },
      schema: { tags: ['Organizations'], summary: 'The current organization', response: { 200: Organization, ...errors } },
    },
    async (request) => organizationDto(await organizations.getOrganization(principalOf(request).orgId)),
  );

  app.patch(
    '/api/v1/organization',
    {
      config: { permission: 'org:write' },
      schema: {
        tags: ['Organizations'],
        summary: 'Rename the current organization',
        body: UpdateOrganizationBody,
        response: { 200: Organization, ...errors },
      },
    },
    async (request) =>
      organizationDto(await organizations.updateOrganization(principalOf(request).orgId, request.body, callerOf(request).actor)),
  );

  app.post(
    '/api/v1/organization/leave',
    {
      config: { permission: 'authenticated', principals: ['user'] },
      schema: { tags: ['Organizations'], summary: 'Leave the current organization', response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const membershipId = await members.membershipIdOf(principal.orgId, principal.userId);
      await members.remove(principal.orgId, membershipId, callerOf(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/workspaces',
    {
      config: { permission: 'workspaces:read' },
      schema: { tags: ['Workspaces'], summary: 'List workspaces', querystring: PageQuery, response: { 200: page(Workspace), ...errors } },
    },
    async (request) => {
      const result = await organizations.listWorkspaces(principalOf(request).orgId, request.query);
      return { data: result.data.map(workspaceDto), next_cursor: result.nextCursor };
    },
  );

  app.post(
    '/api/v1/workspaces',
    {
      config: { permission: 'workspaces:write' },
      schema: { tags: ['Workspaces'], summary: 'Create a workspace', body: CreateWorkspaceBody, response: { 201: Workspace, ...errors } },
    },
    async (request, reply) => {
      const row = await organizations.createWorkspace(principalOf(request).orgId, request.body, callerOf(request).actor);
      return reply.code(201).header('location', `/api/v1/workspaces/${row.id}`).send(workspaceDto(row));
    },
  );

  app.get(
    '/api/v1/workspaces/:id',
    {
      config: { permission: 'workspaces:read' },
      schema: { tags: ['Workspaces'], summary: 'Get a workspace', params: IdParams, response: { 200: Workspace, ...errors } },
    },
    async (request) => workspaceDto(await organizations.getWorkspace(principalOf(request).orgId, request.params.id)),
  );

  app.patch(
    '/api/v1/workspaces/:id',
    {
      config: { permission: 'workspaces:write' },
      schema: {
        tags: ['Workspaces'],
        summary: 'Update a workspace',
        params: IdParams,
        body: UpdateWorkspaceBody,
        response: { 200: Workspace, ...errors },
      },
    },
    async (request) =>
      workspaceDto(
        await organizations.updateWorkspace(principalOf(request).orgId, request.params.id, request.body, callerOf(request).actor),
      ),
  );

  app.delete(
    '/api/v1/workspaces/:id',
    {
      config: { permission: 'workspaces:write' },
      schema: { tags: ['Workspaces'], summary: 'Delete a workspace', params: IdParams, response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      await organizations.deleteWorkspace(principalOf(request).orgId, request.params.id, callerOf(request).actor);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/members',
    {
      config: { permission: 'members:read' },
      schema: { tags: ['Members'], summary: 'List members', response: { 200: z.object({ data: z.array(Member) }), ...errors } },
    },
    async (request) => ({
      data: (await members.list(principalOf(request).orgId)).map((row) => ({
        id: row.id,
        user: row.user,
        role: row.role as z.infer<typeof Role>,
        created_at: row.createdAt.toISOString(),
      })),
    }),
  );

  app.patch(
    '/api/v1/members/:id',
    {
      config: { permission: 'members:write' },
      schema: {
        tags: ['Members'],
        summary: "Change a member's role",
        params: IdParams,
        body: UpdateMemberBody,
        response: { 200: Member, ...errors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const row = await members.changeRole(principal.orgId, request.params.id, request.body.role, callerOf(request));
      const [entry] = (await members.list(principal.orgId)).filter((member) => member.id === row.id);
      return { id: row.id, user: entry.user, role: row.role as z.infer<typeof Role>, created_at: row.createdAt.toISOString() };
    },
  );

  app.delete(
    '/api/v1/members/:id',
    {
      config: { permission: 'members:write' },
      schema: { tags: ['Members'], summary: 'Remove a member', params: IdParams, response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      await members.remove(principalOf(request).orgId, request.params.id, callerOf(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/invitations',
    {
      config: { permission: 'members:read' },
      schema: { tags: ['Members'], summary: 'Pending invitations', response: { 200: z.object({ data: z.array(Invitation) }), ...errors } },
    },
    async (request) => ({ data: (await members.listInvitations(principalOf(request).orgId)).map(invitationDto) }),
  );

  app.post(
    '/api/v1/invitations',
    {
      config: { permission: 'members:write' },
      schema: {
        tags: ['Members'],
        summary: 'Invite someone by email',
        body: CreateInvitationBody,
        response: { 201: Invitation.extend({ token: z.string(), url: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      const row = await members.invite(principalOf(request).orgId, request.body, callerOf(request));
      return reply.code(201).send({ ...invitationDto(row), token: row.token, url: row.url });
    },
  );

  app.delete(
    '/api/v1/invitations/:id',
    {
      config: { permission: 'members:write' },
      schema: { tags: ['Members'], summary: 'Revoke an invitation', params: IdParams, response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      await members.revokeInvitation(principalOf(request).orgId, request.params.id, callerOf(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/invitations/lookup',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['Members'],
        summary: 'Preview an invitation by its token',
        security: [],
        querystring: InvitationLookupQuery,
        response: {
          200: z.object({ organization: z.object({ name: z.string() }), email: z.string(), role: Role, expires_at: z.string() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { invitation, organization } = await members.findByToken(request.query.token);
      return {
        organization: { name: organization.name },
        email: invitation.email,
        role: invitation.role as z.infer<typeof Role>,
        expires_at: invitation.expiresAt.toISOString(),
      };
    },
  );

  app.post(
    '/api/v1/invitations/accept',
    {
      config: { permission: 'authenticated', principals: ['user'] },
      schema: {
        tags: ['Members'],
        summary: 'Accept an invitation as the signed-in user',
        body: AcceptInvitationBody,
        response: { 200: z.object({ organization: Organization, role: Role, membership_id: z.string() }), ...errors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const email = await services.userEmail(principal.userId);
      const { organization, membership } = await members.accept(request.body.token, { id: principal.userId, email });
      return { organization: organizationDto(organization), role: membership.role as z.infer<typeof Role>, membership_id: membership.id };
    },
  );
}
