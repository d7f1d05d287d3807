import { and, eq, isNull } from 'drizzle-orm';
import { hashSecret } from '../../kernel/crypto/hash.ts';
import { newId, randomToken } from '../../kernel/crypto/ids.ts';
import type { Tx } from '../../kernel/db/database.ts';
import { asSystem, withSystem } from '../../kernel/db/tenant.ts';
import { AuthenticationError } from '../../kernel/errors.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { refreshTokens } from './schema.ts';

export interface SessionTokens {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  familyId: string;
}

export interface ClientContext {
  ip?: string;
  userAgent?: string;
}

const revokedKey = (familyId: string) => `session:revoked:${familyId}`;

/**
 * Short-lived EdDSA access tokens plus opaque rotating refresh tokens. A family is one sign-in: each
 * refresh rotates the token; presenting an already rotated token means it leaked, so the whole
 * family is revoked. Revoked families are also remembered in the cache until their access tokens
 * expire, so sign-out takes effect at once.
 */
export function createSessions(kernel: Kernel) {
  const { config, signer, cache, database } = kernel;

  async function issue(tx: Tx, user: { id: string }, orgId: string, familyId: string, context: ClientContext): Promise<SessionTokens> {
    const refresh = `rt_${randomToken(48)}`;
    const now = kernel.clock();
    await tx.insert(refreshTokens).values({
      id: newId('rt'),
      userId: user.id,
      familyId,
      tokenHash: hashSecret(refresh),
      sessionOrgId: orgId,
      ip: context.ip ?? null,
      userAgent: context.userAgent?.slice(0, 512) ?? null,
      expiresAt: new Date(now.getTime() + config.refreshTokenTtl * 1000),
    });
    const access = await signer.sign({ org: orgId, sid: familyId, typ: 'access' }, user.id, config.accessTokenTtl);
    return { access_token: access, refresh_token: refresh, token_type: 'Bearer', expires_in: config.accessTokenTtl, familyId };
  }

  async function revokeFamilies(tx: Tx, familyIds: string[]) {
    const now = kernel.clock();
    for (const familyId of familyIds) {
      await tx
        .update(refreshTokens)
        .set({ revokedAt: now })
        .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
      await cache.set(revokedKey(familyId), '1', config.accessTokenTtl * 1000);
    }
  }

  return {
    /** Starts a new sign-in (family) inside `tx`. */
    start(tx: Tx, user: { id: string }, orgId: string, context: ClientContext) {
      return issue(tx, user, orgId, newId('ses'), context);
    },

    /** The user a live refresh token belongs to (to check a switch before rotating). */
    async ownerOf(token: string): Promise<string | null> {
      const [row] = await asSystem(database, (db) =>
        db
          .select({ userId: refreshTokens.userId })
          .from(refreshTokens)
          .where(eq(refreshTokens.tokenHash, hashSecret(token))),
      );
      return row?.userId ?? null;
    },

    /** Rotates a refresh token; `switchTo` names the organisation to land in (membership already checked). */
    async rotate(token: string, context: ClientContext, switchTo?: string) {
      // System context: a refresh token is presented before any organisation is known.
      const outcome = await withSystem(database, async (tx) => {
        const [row] = await tx
          .select()
          .from(refreshTokens)
          .where(eq(refreshTokens.tokenHash, hashSecret(token)))
          .for('update');
        if (!row) return { error: 'invalid_refresh_token' as const };
        if (row.revokedAt || row.expiresAt <= kernel.clock()) return { error: 'invalid_refresh_token' as const };
        if (row.rotatedAt) {
          await revokeFamilies(tx, [row.familyId]);
          return { error: 'refresh_token_reused' as const };
        }
        await tx.update(refreshTokens).set({ rotatedAt: kernel.clock() }).where(eq(refreshTokens.id, row.id));
        const orgId = switchTo ?? row.sessionOrgId;
        return { tokens: await issue(tx, { id: row.userId }, orgId, row.familyId, context), userId: row.userId };
      });
      if ('error' in outcome && outcome.error) {
        throw new AuthenticationError(
          outcome.error === 'refresh_token_reused'
            ? 'This refresh token was already used; the session has been signed out everywhere it was shared.'
            : 'The refresh token is invalid or expired.',
          outcome.error,
        );
      }
      return outcome as { tokens: SessionTokens; userId: string };
    },

    /** Re-issues tokens for a live family in another organisation (org switching). */
    async reissue(tx: Tx, userId: string, familyId: string, orgId: string, context: ClientContext) {
      await tx
        .update(refreshTokens)
        .set({ rotatedAt: kernel.clock() })
        .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.rotatedAt), isNull(refreshTokens.revokedAt)));
      return issue(tx, { id: userId }, orgId, familyId, context);
    },

    revokeFamilies,

    /** Revokes every session of a user, except `keepFamilyId` (the one changing the password). */
    async revokeAllFor(tx: Tx, userId: string, keepFamilyId?: string) {
      const rows = await tx
        .selectDistinct({ familyId: refreshTokens.familyId })
        .from(refreshTokens)
        .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
      await revokeFamilies(
        tx,
        rows.map((row) => row.familyId).filter((id) => id !== keepFamilyId),
      );
    },

    /** Verifies an access token; throws AuthenticationError when invalid, expired or signed out. */
    async verifyAccess(token: string): Promise<{ userId: string; orgId: string; sessionId: string }> {
      let claims: Awaited<ReturnType<typeof signer.verify>>;
      try {
        claims = await signer.verify(token);
      } catch {
        throw new AuthenticationError('The access token is invalid or expired.', 'invalid_token');
      }
      if (claims.typ !== 'access' || typeof claims.org !== 'string' || typeof claims.sid !== 'string') {
        throw new AuthenticationError('The access token is invalid or expired.', 'invalid_token');
      }
      if (await cache.get(revokedKey(claims.sid))) throw new AuthenticationError('This session has been signed out.', 'session_revoked');
      return { userId: claims.sub, orgId: claims.org, sessionId: claims.sid };
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
