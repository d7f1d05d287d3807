import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { at, createdAt, orgId, tenantPolicy } from './db/columns.ts';

/** Domain events written in the same transaction as the change they describe (the outbox). */
export const outboxEvents = pgTable(
  'outbox_events',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    actor: jsonb('actor'),
    /** The request that caused it: `{ request_id, ip, user_agent }`, or null from a job. */
    context: jsonb('context'),
    createdAt: createdAt(),
    dispatchedAt: at('dispatched_at'),
    attempts: integer('attempts').notNull().default(0),
  },
  (table) => [index('outbox_events_pending_idx').on(table.createdAt).where(sql`dispatched_at is null`), tenantPolicy()],
).enableRLS();

/** Per-organisation data keys, wrapped by the master key (envelope encryption). */
export const dataKeys = pgTable(
  'data_keys',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    wrappedKey: text('wrapped_key').notNull(),
    masterKeyId: text('master_key_id').notNull(),
    createdAt: createdAt(),
    retiredAt: at('retired_at'),
  },
  (table) => [index('data_keys_org_idx').on(table.orgId), tenantPolicy()],
).enableRLS();

/**
 * Stored responses for `Idempotency-Key`. Not a tenant table: the scope column already embeds
 * the organisation and principal, and only the kernel's HTTP layer reads it.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code'),
    responseBody: text('response_body'),
    responseHeaders: jsonb('response_headers'),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.scope, table.key] }), index('idempotency_keys_created_idx').on(table.createdAt)],
);
