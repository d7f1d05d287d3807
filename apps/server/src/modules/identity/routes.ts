import {
  ApiKey,
  ApiKeyWithSecret,
  ChangePasswordBody,
  CreateApiKeyBody,
  ErrorEnvelope,
  ForgotPasswordBody,
  IdParams,
  LoginBody,
  Organization,
  RefreshBody,
  ResetPasswordBody,
  Role,
  SignupBody,
  SwitchBody,
  Tokens,
  UpdateMeBody,
  User,
  Workspace,
} from '@atrium/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError, AuthenticationError } from '../../kernel/errors.ts';
import type { EventActor } from '../../kernel/events/events.ts';
import { principalOf } from '../../kernel/http/auth-hook.ts';
import { typed } from '../../kernel/http/server.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { organizationDto, workspaceDto } from '../tenancy/dto.ts';
import type { OrganizationsService } from '../tenancy/service.ts';
import { apiKeyDto, userDto } from './dto.ts';
import { ACCESS_COOKIE, type IdentityService, REFRESH_COOKIE } from './service.ts';
import type { SessionTokens } from './sessions.ts';

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope, 429: ErrorEnvelope };
const SessionResponse = Tokens.extend({ user: User });

export function actorOf(request: FastifyRequest): EventActor {
  const principal = principalOf(request);
  return { type: principal.type, id: principal.id };
}

export function registerIdentityRoutes(
  root: FastifyInstance,
  kernel: Kernel,
  identity: IdentityService,
  organizations: OrganizationsService,
) {
  const app = typed(root);
  const { config, permissions } = kernel;
  const context = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'] });

  function setSessionCookies(reply: FastifyReply, tokens: SessionTokens) {
    const base = { httpOnly: true, sameSite: 'lax' as const, secure: config.cookieSecure };
    reply.setCookie(ACCESS_COOKIE, tokens.access_token, { ...base, path: '/', maxAge: config.accessTokenTtl });
    reply.setCookie(REFRESH_COOKIE, tokens.refresh_token, { ...base, path: '/api/v1/auth', maxAge: config.refreshTokenTtl });
  }
  const tokensDto = ({ familyId: _familyId, ...tokens }: SessionTokens) => tokens;

  app.post(
    '/api/v1/auth/signup',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['Auth'],
        summary: 'Create an account, its organization and a default workspace',
        security: [],
        body: SignupBody,
        response: { 201: SessionResponse.extend({ organization: Organization, workspace: Workspace }), ...errors },
      },
    },
    async (request, reply) => {
      const result = await identity.signup(request.body, context(request));
      setSessionCookies(reply, result.tokens);
      return reply.code(201).send({
        user: userDto(result.user),
        organization: organizationDto(result.organization),
        workspace: workspaceDto(result.workspace),
        ...tokensDto(result.tokens),
      });
    },
  );

  app.post(
    '/api/v1/auth/login',
    {
      config: { permission: 'public' },
      schema: { tags: ['Auth'], summary: 'Sign in', security: [], body: LoginBody, response: { 200: SessionResponse, ...errors } },
    },
    async (request, reply) => {
      const { user, tokens } = await identity.login(request.body, context(request));
      setSessionCookies(reply, tokens);
      return { user: userDto(user), ...tokensDto(tokens) };
    },
  );

  app.post(
    '/api/v1/auth/refresh',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['Auth'],
        summary: 'Exchange a refresh token for a new pair (rotation)',
        security: [],
        body: RefreshBody.nullish(),
        response: { 200: SessionResponse, ...errors },
      },
    },
    async (request, reply) => {
      const token = request.body?.refresh_token ?? request.cookies[REFRESH_COOKIE];
      if (!token) throw new AuthenticationError('Send refresh_token.', 'invalid_refresh_token');
      const { user, tokens } = await identity.refresh(token, context(request), request.body?.organization_id);
      setSessionCookies(reply, tokens);
      return { user: userDto(user), ...tokensDto(tokens) };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { permission: 'authenticated', principals: ['user'] },
      schema: { tags: ['Auth'], summary: 'Sign out this session', response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      await identity.logout(principalOf(request));
      reply.clearCookie(ACCESS_COOKIE, { path: '/' }).clearCookie(REFRESH_COOKIE, { path: '/api/v1/auth' });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/switch',
    {
      config: { permission: 'authenticated', principals: ['user'] },
      schema: {
        tags: ['Auth'],
        summary: 'Switch the session to another organization',
        body: SwitchBody,
        response: { 200: SessionResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { user, tokens } = await identity.switchOrganization(principalOf(request), request.body.organization_id, context(request));
      setSessionCookies(reply, tokens);
      return { user: userDto(user), ...tokensDto(tokens) };
    },
  );

  app.post(
    '/api/v1/auth/password/forgot',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['Auth'],
        summary: 'Email a password reset link',
        security: [],
        body: ForgotPasswordBody,
        response: { 202: z.object({}), ...errors },
      },
    },
    async (request, reply) => {
      await identity.forgotPassword(request.body.email);
      return reply.code(202).send({});
    },
  );

  app.post(
    '/api/v1/auth/password/reset',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['Auth'],
        summary: 'Set a new password with an emailed token',
        security: [],
        body: ResetPasswordBody,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await identity.resetPassword(request.body);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      config: { permission: 'authenticated', principals: ['user'] },
      schema: {
        tags: ['Auth'],
        summary: 'Change your password (signs out your other sessions)',
        body: ChangePasswordBody,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await identity.changePassword(principalOf(request), request.body);
      return reply.code(204).send(null);
    },
  );

  const Membership = z.object({ organization: Organization, role: Role, workspaces: z.array(Workspace) });
  app.get(
    '/api/v1/me',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['Account'],
        summary: 'The caller: user, current organization, role, permissions and memberships',
        response: {
          200: z.object({
            user: User,
            organization: Organization,
            role: Role,
            permissions: z.array(z.string()),
            api_key: z.object({ id: z.string(), workspace_id: z.string() }).nullable(),
            memberships: z.array(Membership),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const [user, memberships] = await Promise.all([identity.getUser(principal.userId), organizations.membershipsOf(principal.userId)]);
      // A key sees only its own organisation; a person sees all of theirs.
      const visible = principal.type === 'api_key' ? memberships.filter((entry) => entry.organization.id === principal.orgId) : memberships;
      const current = memberships.find((entry) => entry.organization.id === principal.orgId);
      if (!current) throw new AuthenticationError('You are no longer a member of this organization.', 'no_membership');
      return {
        user: userDto(user),
        organization: organizationDto(current.organization),
        role: principal.role,
        permissions: [...principal.permissions].sort(),
        api_key: principal.type === 'api_key' ? { id: principal.id, workspace_id: principal.workspaceId ?? '' } : null,
        memberships: visible.map((entry) => ({
          organization: organizationDto(entry.organization),
          role: entry.role,
          workspaces: entry.workspaces.map(workspaceDto),
        })),
      };
    },
  );

  app.patch(
    '/api/v1/me',
    {
      config: { permission: 'authenticated', principals: ['user'] },
      schema: {
        tags: ['Account'],
        summary: 'Update your profile',
        body: UpdateMeBody,
        response: { 200: z.object({ user: User }), ...errors },
      },
    },
    async (request) => ({ user: userDto(await identity.updateProfile(principalOf(request).userId, request.body)) }),
  );

  app.get(
    '/api/v1/permissions',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['Account'],
        summary: 'Every permission and the roles that hold it',
        response: {
          200: z.object({
            permissions: z.array(z.object({ id: z.string(), description: z.string() })),
            roles: z.record(z.string(), z.array(z.string())),
          }),
          ...errors,
        },
      },
    },
    async () => ({
      permissions: permissions.list().map(({ id, description }) => ({ id, description })),
      roles: Object.fromEntries(Role.options.map((role) => [role, [...permissions.of(role)].sort()])),
    }),
  );

  app.get(
    '/api/v1/api-keys',
    {
      config: { permission: 'api_keys:read' },
      schema: { tags: ['API keys'], summary: 'List API keys', response: { 200: z.object({ data: z.array(ApiKey) }), ...errors } },
    },
    async (request) => ({ data: (await identity.keys.list(principalOf(request).orgId)).map(apiKeyDto) }),
  );

  app.post(
    '/api/v1/api-keys',
    {
      config: { permission: 'api_keys:write' },
      schema: {
        tags: ['API keys'],
        summary: 'Create an API key (the secret is shown once)',
        body: CreateApiKeyBody,
        response: { 201: ApiKeyWithSecret, ...errors },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await organizations.getWorkspace(principal.orgId, request.body.workspace_id).catch(() => {
        throw new AppError(404, 'not_found_error', 'workspace_not_found', 'Workspace not found.', { param: 'workspace_id' });
      });
      const { row, key } = await identity.keys.create(
        principal.orgId,
        {
          name: request.body.name,
          workspaceId: request.body.workspace_id,
          scopes: request.body.scopes,
          expiresAt: request.body.expires_at,
        },
        { userId: principal.userId, permissions: principal.permissions, actor: actorOf(request) },
      );
      return reply.code(201).send({ ...apiKeyDto(row), key });
    },
  );

  app.delete(
    '/api/v1/api-keys/:id',
    {
      config: { permission: 'api_keys:write' },
      schema: { tags: ['API keys'], summary: 'Revoke an API key', params: IdParams, response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      await identity.keys.revoke(principalOf(request).orgId, request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/api-keys/:id/rotate',
    {
      config: { permission: 'api_keys:write' },
      schema: {
        tags: ['API keys'],
        summary: 'Replace a key; the old one keeps working for the overlap window',
        params: IdParams,
        body: z
          .object({
            overlap_seconds: z
              .number()
              .int()
              .min(0)
              .max(30 * 86_400)
              .optional(),
          })
          .nullish(),
        response: { 201: ApiKeyWithSecret.extend({ previous: ApiKey }), ...errors },
      },
    },
    async (request, reply) => {
      const overlap = request.body?.overlap_seconds ?? 86_400;
      const { row, key, previous } = await identity.keys.rotate(principalOf(request).orgId, request.params.id, overlap, actorOf(request));
      return reply.code(201).send({ ...apiKeyDto(row), key, previous: apiKeyDto(previous) });
    },
  );
}
