import { APP_ROLE } from './columns.ts';
import type { Database, Db, Tx } from './database.ts';

/**
 * Runs `fn` in a transaction as the organisation `orgId`: the role drops to the non-owner app
 * role and `app.org_id` is set, so row-level security confines every statement to that
 * organisation even when a query forgets its filter. Use only the `tx` it hands you: touching the
 * outer database inside deadlocks PGlite and escapes the transaction on PostgreSQL.
 *
 * @example
 * const rows = await withTenant(database, orgId, (tx) => tx.select().from(workspaces));
 */
export function withTenant<T>(database: Database, orgId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  // Both settings are transaction-local and vanish at commit or rollback.
  return database.transactionWith({ 'app.org_id': orgId, role: APP_ROLE }, fn);
}

/**
 * A transaction as the owner, outside any tenant: for the few lookups that precede knowing the
 * organisation (a sign-in by email, an API key by hash, an invitation by token) and for system
 * jobs. Every call site says why it needs it.
 */
export function withSystem<T>(database: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return database.db.transaction(async (tx) => fn(tx as Tx));
}

/**
 * One statement as the owner, outside any tenant and without a transaction (one round trip
 * instead of three). The same rules as withSystem apply to where it may be used.
 */
export function asSystem<T>(database: Database, fn: (db: Db) => Promise<T>): Promise<T> {
  return fn(database.db);
}
