import { and, desc, eq, isNull } from 'drizzle-orm';
import { hashSecret } from '../../kernel/crypto/hash.ts';
import { newId, randomToken } from '../../kernel/crypto/ids.ts';
import { asSystem, withTenant } from '../../kernel/db/tenant.ts';
import { AuthenticationError, NotFoundError, ValidationError } from '../../kernel/errors.ts';
import type { EventActor } from '../../kernel/events/events.ts';
import type { Role } from '../../kernel/http/permissions.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { apiKeys } from './schema.ts';

export const API_KEY_PREFIX = 'atr_live_';
export type ApiKeyRow = typeof apiKeys.$inferSelect;

interface CachedKey {
  id: string;
  orgId: string;
  workspaceId: string;
  createdBy: string;
  scopes: string[];
  expiresAt: number | null;
  revoked: boolean;
  role: Role | null;
}

const cacheKey = (hash: string) => `apikey:${hash}`;
const CACHE_TTL_MS = 30_000;
// After a change, lookups read the database (and do not cache) for this long: a lookup that read
// the row just before the change must not put the old state back into the cache.
const STALE = 'stale';
const STALE_TTL_MS = 2 * CACHE_TTL_MS;
const LAST_USED_GRANULARITY_MS = 60_000;
// A per-process copy of recent lookups spares the hot path a cache round trip. It is dropped on
// every node when a key changes (published on FORGET_CHANNEL), and a lookup that began before a
// change never fills it (the generation check).
const LOCAL_TTL_MS = 5_000;
const LOCAL_MAX_ENTRIES = 10_000;
const FORGET_CHANNEL = 'apikeys:forget';

/**
 * API keys: `atr_live_` + 40 base62 characters. Only the SHA-256 is stored; the last four are kept
 * for recognition. A key acts with its scopes intersected with its creator's current role, so a
 * demoted or removed creator's keys lose their power too. Lookups are cached for 30 s and the cache
 * entry is dropped on revoke, rotation and membership changes.
 */
export function createApiKeys(kernel: Kernel, deps: { roleOf: (orgId: string, userId: string) => Promise<Role | null> }) {
  const { database, cache, events, permissions } = kernel;
  const lastUsedWritten = new Map<string, number>();

  const local = new Map<string, { record: CachedKey; permissions: ReadonlySet<string>; until: number }>();
  let generation = 0;
  const dropLocal = (hashes: string[]) => {
    generation++;
    for (const hash of hashes) local.delete(hash);
  };
  cache
    .subscribe(FORGET_CHANNEL, (message) => dropLocal(message.split(',')))
    .catch((error) => kernel.log.error({ err: error }, 'could not subscribe to API key changes'));

  async function forget(hashes: string[]) {
    if (!hashes.length) return;
    dropLocal(hashes);
    await Promise.all(hashes.map((hash) => cache.set(cacheKey(hash), STALE, STALE_TTL_MS)));
    await cache.publish(FORGET_CHANNEL, hashes.join(','));
  }

  /** A key acts with its scopes, within what its creator's role holds now. */
  function effectivePermissions(record: CachedKey): ReadonlySet<string> {
    const rolePermissions = permissions.of(record.role ?? '');
    return new Set(record.scopes.filter((scope) => rolePermissions.has(scope)));
  }

  function touch(id: string, orgId: string) {
    const now = kernel.clock().getTime();
    if (now - (lastUsedWritten.get(id) ?? 0) < LAST_USED_GRANULARITY_MS) return;
    lastUsedWritten.set(id, now);
    // Off the request path, at most once a minute per key per node.
    withTenant(database, orgId, (tx) =>
      tx
        .update(apiKeys)
        .set({ lastUsedAt: new Date(now) })
        .where(eq(apiKeys.id, id)),
    ).catch((error) => kernel.log.warn({ err: error }, 'could not record API key use'));
  }

  return {
    async create(
      orgId: string,
      input: { name: string; workspaceId: string; scopes?: string[]; expiresAt?: string },
      creator: { userId: string; permissions: ReadonlySet<string>; actor: EventActor },
    ) {
      const scopes = input.scopes ?? [...creator.permissions];
      for (const [index, scope] of scopes.entries()) {
        if (!permissions.has(scope)) throw new ValidationError(`Unknown scope '${scope}'.`, `scopes[${index}]`, 'unknown_scope');
        if (!creator.permissions.has(scope)) {
          throw new ValidationError(`You cannot grant '${scope}': you do not hold it.`, `scopes[${index}]`, 'scope_not_held');
        }
      }
      const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
      if (expiresAt && expiresAt <= kernel.clock()) throw new ValidationError('expires_at must be in the future.', 'expires_at');
      const key = `${API_KEY_PREFIX}${randomToken(40)}`;
      const row = await withTenant(database, orgId, async (tx) => {
        const [created] = await tx
          .insert(apiKeys)
          .values({
            id: newId('key'),
            orgId,
            workspaceId: input.workspaceId,
            createdBy: creator.userId,
            name: input.name,
            keyHash: hashSecret(key),
            last4: key.slice(-4),
            scopes: [...new Set(scopes)].sort(),
            expiresAt,
          })
          .returning();
        await events.emit(tx, {
          type: 'api_key.created',
          orgId,
          actor: creator.actor,
          payload: { api_key_id: created.id, name: created.name, workspace_id: created.workspaceId, scopes: created.scopes },
        });
        return created;
      });
      return { row, key };
    },

    list(orgId: string) {
      return withTenant(database, orgId, (tx) => tx.select().from(apiKeys).where(eq(apiKeys.orgId, orgId)).orderBy(desc(apiKeys.id)));
    },

    async revoke(orgId: string, id: string, actor: EventActor) {
      const row = await withTenant(database, orgId, async (tx) => {
        const [revoked] = await tx
          .update(apiKeys)
          .set({ revokedAt: kernel.clock() })
          .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
          .returning();
        if (!revoked) throw new NotFoundError('API key');
        await events.emit(tx, { type: 'api_key.revoked', orgId, actor, payload: { api_key_id: id, name: revoked.name } });
        return revoked;
      });
      await forget([row.keyHash]);
    },

    /** A new key with the same settings; the old one keeps working for `overlapSeconds`. */
    async rotate(orgId: string, id: string, overlapSeconds: number, actor: EventActor) {
      const key = `${API_KEY_PREFIX}${randomToken(40)}`;
      const result = await withTenant(database, orgId, async (tx) => {
        const [old] = await tx
          .select()
          .from(apiKeys)
          .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
          .for('update');
        if (!old || (old.expiresAt && old.expiresAt <= kernel.clock())) throw new NotFoundError('API key');
        const [created] = await tx
          .insert(apiKeys)
          .values({
            id: newId('key'),
            orgId,
            workspaceId: old.workspaceId,
            createdBy: old.createdBy,
            name: old.name,
            keyHash: hashSecret(key),
            last4: key.slice(-4),
            scopes: old.scopes,
            expiresAt: old.expiresAt,
          })
          .returning();
        const overlapEnds = new Date(kernel.clock().getTime() + overlapSeconds * 1000);
        const [previous] = await tx
          .update(apiKeys)
          .set(
            overlapSeconds === 0
              ? { revokedAt: kernel.clock(), replacedBy: created.id }
              : { expiresAt: old.expiresAt && old.expiresAt < overlapEnds ? old.expiresAt : overlapEnds, replacedBy: created.id },
          )
          .where(eq(apiKeys.id, old.id))
          .returning();
        await events.emit(tx, {
          type: 'api_key.rotated',
          orgId,
          actor,
          payload: { api_key_id: created.id, previous_api_key_id: old.id, previous_expires_at: previous.expiresAt?.toISOString() ?? null },
        });
        return { created, previous };
      });
      await forget([result.previous.keyHash]);
      return { row: result.created, key, previous: result.previous };
    },

    /** Revokes every live key of a deleted workspace (its keys must not outlive it). */
    async revokeWorkspaceKeys(orgId: string, workspaceId: string) {
      const revoked = await withTenant(database, orgId, (tx) =>
        tx
          .update(apiKeys)
          .set({ revokedAt: kernel.clock() })
          .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.workspaceId, workspaceId), isNull(apiKeys.revokedAt)))
          .returning({ keyHash: apiKeys.keyHash }),
      );
      await forget(revoked.map((row) => row.keyHash));
    },

    /** Drops cached lookups of a user's keys in an organisation (after a role change or removal). */
    async forgetKeysOf(orgId: string, userId: string) {
      const rows = await withTenant(database, orgId, (tx) =>
        tx
          .select({ keyHash: apiKeys.keyHash })
          .from(apiKeys)
          .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.createdBy, userId))),
      );
      await forget(rows.map((row) => row.keyHash));
    },

    /** The principal an API key acts as; throws AuthenticationError when unknown, revoked or expired. */
    async authenticate(secret: string): Promise<Principal> {
      const hash = hashSecret(secret);
      const now = kernel.clock().getTime();
      const known = local.get(hash);
      let record: CachedKey | null = null;
      let keyPermissions: ReadonlySet<string> | undefined;
      if (known && known.until > now) {
        record = known.record;
        keyPermissions = known.permissions;
      } else {
        const startedAt = generation;
        const cached = await cache.get(cacheKey(hash));
        if (cached && cached !== STALE) {
          record = JSON.parse(cached) as CachedKey;
          if (generation === startedAt && record.role) {
            keyPermissions = effectivePermissions(record);
            if (local.size >= LOCAL_MAX_ENTRIES) local.clear();
            local.set(hash, { record, permissions: keyPermissions, until: now + LOCAL_TTL_MS });
          }
        } else {
          // System context: the key's organisation is what we are looking up.
          const [row] = await asSystem(database, (db) => db.select().from(apiKeys).where(eq(apiKeys.keyHash, hash)));
          if (row) {
            record = {
              id: row.id,
              orgId: row.orgId,
              workspaceId: row.workspaceId,
              createdBy: row.createdBy,
              scopes: row.scopes,
              expiresAt: row.expiresAt?.getTime() ?? null,
              revoked: row.revokedAt !== null,
              role: await deps.roleOf(row.orgId, row.createdBy),
            };
            // Never over an invalidation marker (see STALE).
            if (!cached) await cache.setIfAbsent(cacheKey(hash), JSON.stringify(record), CACHE_TTL_MS);
          }
        }
      }
      if (!record || record.revoked || (record.expiresAt !== null && record.expiresAt <= now)) {
        throw new AuthenticationError('The API key is invalid, revoked or expired.', 'invalid_api_key');
      }
      if (!record.role)
        throw new AuthenticationError('The API key’s creator is no longer a member of this organization.', 'invalid_api_key');
      touch(record.id, record.orgId);
      return {
        type: 'api_key',
        id: record.id,
        userId: record.createdBy,
        orgId: record.orgId,
        role: record.role,
        workspaceId: record.workspaceId,
        permissions: keyPermissions ?? effectivePermissions(record),
      };
    },
  };
}

export type ApiKeys = ReturnType<typeof createApiKeys>;
