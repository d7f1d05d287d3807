import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { hashSecret } from '../../kernel/crypto/hash.ts';
import { newId, randomToken } from '../../kernel/crypto/ids.ts';
import { asSystem, withSystem, withTenant } from '../../kernel/db/tenant.ts';
import {
  AuthenticationError,
  ConflictError,
  NotFoundError,
  PermissionError,
  pgErrorCode,
  RateLimitError,
  ValidationError,
} from '../../kernel/errors.ts';
import type { EventActor } from '../../kernel/events/events.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Notifications } from '../notifications/service.ts';
import type { OrganizationsService } from '../tenancy/service.ts';
import { API_KEY_PREFIX, createApiKeys } from './api-keys.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { passwordResets, users } from './schema.ts';
import { type ClientContext, createSessions } from './sessions.ts';

const OPERATOR_PERMISSION = 'platform:operate';

export type UserRow = typeof users.$inferSelect;
export const ACCESS_COOKIE = 'atrium_access';
export const REFRESH_COOKIE = 'atrium_refresh';
const RESET_TTL_MS = 60 * 60 * 1000;

/**
 * Cookie-authenticated writes must come from our own origin (CSRF): browsers always send Origin on
 * cross-site POST/PATCH/DELETE, and SameSite=Lax already withholds the cookie on most of them.
 */
function assertSameOrigin(request: FastifyRequest) {
  if (request.method === 'GET' || request.method === 'HEAD') return;
  const origin = request.headers.origin;
  if (origin && new URL(origin).host !== request.headers.host) {
    throw new PermissionError('Cross-site requests with session cookies are refused.', 'cross_site_request');
  }
}

/** Users, sign-in, sessions, password flows, API keys, and turning credentials into a principal. */
export function createIdentityService(kernel: Kernel, deps: { organizations: OrganizationsService; notifications: Notifications }) {
  const { database, config, cache, events, permissions } = kernel;
  // Platform operators are named by email in the configuration; the lookup is cached briefly.
  const operatorEmails = new Set(config.operatorEmails);
  const operatorOf = new Map<string, { operator: boolean; at: number }>();
  async function isOperator(userId: string): Promise<boolean> {
    if (!operatorEmails.size) return false;
    const held = operatorOf.get(userId);
    if (held && Date.now() - held.at < 60_000) return held.operator;
    // System: a user is not tenant data.
    const [row] = await asSystem(database, (db) => db.select({ email: users.email }).from(users).where(eq(users.id, userId)));
    const operator = !!row && operatorEmails.has(row.email.toLowerCase());
    operatorOf.set(userId, { operator, at: Date.now() });
    return operator;
  }
  const sessions = createSessions(kernel);
  const keys = createApiKeys(kernel, { roleOf: (orgId, userId) => deps.organizations.roleOf(orgId, userId) });
  // Unknown emails still pay for one hash, so timing does not reveal who has an account.
  const dummyHash = hashPassword(randomToken(16), config.scryptCost);

  const userActor = (userId: string): EventActor => ({ type: 'user', id: userId });
  // System context (users are global), prepared once per connection: read on every /me.
  const userByIdStatement = database.db
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare('identity_user_by_id');

  async function findUserByEmail(email: string) {
    // System context: users are global, and sign-in precedes knowing any organisation.
    const [row] = await asSystem(database, (db) => db.select().from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`));
    return row;
  }

  async function getUser(id: string) {
    const [row] = await userByIdStatement.execute({ id });
    if (!row) throw new AuthenticationError('The account no longer exists.', 'invalid_token');
    return row;
  }

  /** The organisation a user lands in: the one asked for if a member, else their first. */
  async function landingOrganization(userId: string, preferred?: string): Promise<string> {
    const memberships = await deps.organizations.membershipsOf(userId);
    const chosen = memberships.find((entry) => entry.organization.id === preferred) ?? memberships[0];
    if (!chosen) throw new AuthenticationError('This account belongs to no organization.', 'no_membership');
    return chosen.organization.id;
  }

  return {
    sessions,
    keys,
    getUser,

    async userIdByEmail(email: string) {
      return (await findUserByEmail(email))?.id ?? null;
    },

    async usersByIds(ids: string[]) {
      if (!ids.length) return new Map<string, { id: string; email: string; name: string }>();
      const rows = await asSystem(database, (db) =>
        db.select({ id: users.id, email: users.email, name: users.name }).from(users).where(inArray(users.id, ids)),
      );
      return new Map(rows.map((row) => [row.id, row]));
    },

    async signup(input: { email: string; password: string; name: string; organization: string }, context: ClientContext) {
      const passwordHash = await hashPassword(input.password, config.scryptCost);
      const userId = newId('usr');
      const orgId = newId('org');
      try {
        // The user row is global; it is written in the new organisation's transaction so the
        // account, organisation, workspace and ownership appear together or not at all.
        return await withTenant(database, orgId, async (tx) => {
          const [user] = await tx.insert(users).values({ id: userId, email: input.email, name: input.name, passwordHash }).returning();
          const { organization, workspace } = await deps.organizations.provision(
            tx,
            { orgId, name: input.organization, userId },
            userActor(userId),
          );
          await events.emit(tx, {
            type: 'user.signed_up',
            orgId,
            actor: userActor(userId),
            payload: { user_id: userId, email: input.email },
          });
          const tokens = await sessions.start(tx, user, orgId, context);
          return { user, organization, workspace, tokens };
        });
      } catch (error) {
        if (pgErrorCode(error) === '23505') throw new ConflictError('An account with this email already exists.', 'email_taken', 'email');
        throw error;
      }
    },

    async login(input: { email: string; password: string }, context: ClientContext) {
      const failuresKey = `login:failures:${input.email}`;
      const failures = Number((await cache.get(failuresKey)) ?? 0);
      if (failures >= config.loginMaxFailures) {
        throw new RateLimitError('Too many failed sign-in attempts. Wait 15 minutes or reset your password.', 900, 'login_throttled');
      }
      const ipLimit = await cache.rateLimit(`login:ip:${context.ip ?? 'unknown'}`, config.loginMaxFailures * 10, 15 * 60_000);
      if (!ipLimit.allowed)
        throw new RateLimitError('Too many sign-in attempts from this address.', ipLimit.resetMs / 1000, 'login_throttled');
      const user = await findUserByEmail(input.email);
      const valid = user
        ? await verifyPassword(input.password, user.passwordHash)
        : (await verifyPassword(input.password, await dummyHash), false);
      if (!user || !valid) {
        await cache.incr(failuresKey, 1, 15 * 60_000);
        if (user) {
          const orgId = await landingOrganization(user.id).catch(() => null);
          if (orgId) {
            await withTenant(database, orgId, (tx) =>
              events.emit(tx, {
                type: 'user.login_failed',
                orgId,
                actor: userActor(user.id),
                payload: { user_id: user.id, ip: context.ip ?? null },
              }),
            );
          }
        }
        throw new AuthenticationError('The email or password is incorrect.', 'invalid_credentials');
      }
      await cache.del(failuresKey);
      const orgId = await landingOrganization(user.id);
      const tokens = await withTenant(database, orgId, async (tx) => {
        await events.emit(tx, {
          type: 'user.logged_in',
          orgId,
          actor: userActor(user.id),
          payload: { user_id: user.id, ip: context.ip ?? null },
        });
        return sessions.start(tx, user, orgId, context);
      });
      return { user, tokens };
    },

    /**
     * Rotates the refresh token. With `orgId` the new session lands in that organisation — which
     * also works after leaving the current one, when the access token no longer does.
     */
    async refresh(token: string, context: ClientContext, orgId?: string) {
      if (orgId) {
        const userId = await sessions.ownerOf(token);
        if (!userId) throw new AuthenticationError('The refresh token is invalid or expired.', 'invalid_refresh_token');
        if (!(await deps.organizations.roleOf(orgId, userId))) throw new NotFoundError('Organization');
      }
      const { tokens, userId } = await sessions.rotate(token, context, orgId);
      return { tokens, user: await getUser(userId) };
    },

    /** Re-issues the session's tokens in another organisation the user belongs to. */
    async switchOrganization(principal: Principal, orgId: string, context: ClientContext) {
      const role = await deps.organizations.roleOf(orgId, principal.userId).catch(() => null);
      if (!role || !principal.sessionId) throw new NotFoundError('Organization');
      const sessionId = principal.sessionId;
      const tokens = await withSystem(database, (tx) => sessions.reissue(tx, principal.userId, sessionId, orgId, context));
      return { tokens, user: await getUser(principal.userId) };
    },

    async logout(principal: Principal) {
      if (!principal.sessionId) return;
      const sessionId = principal.sessionId;
      await withSystem(database, (tx) => sessions.revokeFamilies(tx, [sessionId]));
    },

    async updateProfile(userId: string, patch: { name: string }) {
      const [row] = await asSystem(database, (db) =>
        db.update(users).set({ name: patch.name, updatedAt: kernel.clock() }).where(eq(users.id, userId)).returning(),
      );
      return row;
    },

    async changePassword(principal: Principal, input: { current_password: string; new_password: string }) {
      const user = await getUser(principal.userId);
      if (!(await verifyPassword(input.current_password, user.passwordHash))) {
        throw new ValidationError('The current password is incorrect.', 'current_password', 'invalid_password');
      }
      const passwordHash = await hashPassword(input.new_password, config.scryptCost);
      await withTenant(database, principal.orgId, async (tx) => {
        await tx
          .update(users)
          .set({ passwordHash, passwordChangedAt: kernel.clock(), updatedAt: kernel.clock() })
          .where(eq(users.id, user.id));
        await sessions.revokeAllFor(tx, user.id, principal.sessionId);
        await events.emit(tx, {
          type: 'user.password_changed',
          orgId: principal.orgId,
          actor: userActor(user.id),
          payload: { user_id: user.id },
        });
      });
    },

    /** Always succeeds, whether or not the email has an account (no account oracle). */
    async forgotPassword(email: string) {
      const limit = await cache.rateLimit(`password-reset:${email}`, 5, 60 * 60_000);
      if (!limit.allowed) return;
      const user = await findUserByEmail(email);
      if (!user) return;
      const token = `prt_${randomToken(48)}`;
      const url = `${config.publicUrl ?? `http://localhost:${config.port}`}/reset-password?token=${token}`;
      await withSystem(database, async (tx) => {
        await tx.insert(passwordResets).values({
          id: newId('prt'),
          userId: user.id,
          tokenHash: hashSecret(token),
          expiresAt: new Date(kernel.clock().getTime() + RESET_TTL_MS),
        });
        await deps.notifications.sendEmail(tx, {
          to: user.email,
          subject: 'Reset your Atrium password',
          text: `Someone asked to reset the password of your Atrium account.\n\nReset it here (valid for one hour): ${url}\n\nIf it was not you, ignore this email.`,
        });
      });
    },

    async resetPassword(input: { token: string; password: string }) {
      const passwordHash = await hashPassword(input.password, config.scryptCost);
      const userId = await withSystem(database, async (tx) => {
        const [reset] = await tx
          .update(passwordResets)
          .set({ usedAt: kernel.clock() })
          .where(and(eq(passwordResets.tokenHash, hashSecret(input.token)), isNull(passwordResets.usedAt)))
          .returning();
        if (!reset || reset.expiresAt <= kernel.clock()) return null;
        await tx
          .update(users)
          .set({ passwordHash, passwordChangedAt: kernel.clock(), updatedAt: kernel.clock() })
          .where(eq(users.id, reset.userId));
        await sessions.revokeAllFor(tx, reset.userId);
        return reset.userId;
      });
      if (!userId) throw new ValidationError('The reset link is invalid or has expired.', 'token', 'invalid_reset_token');
      const [user] = await asSystem(database, (db) => db.select().from(users).where(eq(users.id, userId)));
      if (user) await cache.del(`login:failures:${user.email.toLowerCase()}`);
    },

    /** Resolves `Authorization: Bearer …` (API key or access token) or the session cookie. */
    async resolvePrincipal(request: FastifyRequest): Promise<Principal | null> {
      const header = request.headers.authorization;
      let token: string | undefined;
      if (header) {
        const match = /^Bearer\s+(\S+)$/i.exec(header);
        if (!match) throw new AuthenticationError('Use `Authorization: Bearer <token>`.', 'invalid_authorization_header');
        token = match[1];
      } else {
        token = request.cookies?.[ACCESS_COOKIE];
        if (token) assertSameOrigin(request);
      }
      if (!token) return null;
      if (token.startsWith(API_KEY_PREFIX)) return keys.authenticate(token);
      const session = await sessions.verifyAccess(token);
      const role = await deps.organizations.roleOf(session.orgId, session.userId);
      if (!role) throw new AuthenticationError('You are no longer a member of this organization.', 'no_membership');
      const granted = permissions.of(role);
      return {
        type: 'user',
        id: session.userId,
        userId: session.userId,
        orgId: session.orgId,
        role,
        permissions: (await isOperator(session.userId)) ? new Set([...granted, OPERATOR_PERMISSION]) : granted,
        sessionId: session.sessionId,
      };
    },
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
