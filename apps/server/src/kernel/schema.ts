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

/**
 * The execution log of the capability executor: every call of a built-in, plugin or MCP
 * capability, with its (truncated) input and output. Calls waiting for approval keep their full
 * input here until someone decides.
 */
export const capabilityExecutions = pgTable(
  'capability_executions',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    workspaceId: text('workspace_id'),
    capabilityId: text('capability_id').notNull(),
    /** builtin, plugin or mcp */
    provider: text('provider').notNull(),
    /** The plugin installation or MCP server the capability belongs to. */
    ownerId: text('owner_id'),
    status: text('status').notNull(),
    /** Sealed with the organisation's data key: JSON text, truncated except while awaiting approval. */
    input: text('input'),
    output: text('output'),
    error: jsonb('error'),
    /** What the capability logged during the call: [{ level, message, at }], at most 50 lines. */
    logs: jsonb('logs'),
    durationMs: integer('duration_ms').notNull().default(0),
    actor: jsonb('actor'),
    /** api, mcp, agent, workflow, hook */
    via: text('via').notNull(),
    decidedBy: text('decided_by'),
    decidedAt: at('decided_at'),
    createdAt: createdAt(),
  },
  (table) => [
    index('capability_executions_org_created_idx').on(table.orgId, table.createdAt),
    index('capability_executions_owner_idx').on(table.orgId, table.ownerId, table.createdAt),
    tenantPolicy(),
  ],
).enableRLS();
