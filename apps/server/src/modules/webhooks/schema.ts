import { boolean, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { at, createdAt, orgId, tenantPolicy, updatedAt } from '../../kernel/db/columns.ts';

/** Where to send events: a URL, the event types (with `prefix.*` wildcards) and a signing secret. */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    workspaceId: text('workspace_id'),
    url: text('url').notNull(),
    description: text('description'),
    eventTypes: text('event_types').array().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    /** Only events whose payload has these exact field values (`{ "workspace_id": "ws_…" }`). */
    filter: jsonb('filter'),
    /** At most this many deliveries per second to this endpoint (null: no limit). */
    rateLimit: integer('rate_limit'),
    /** `whsec_…`, sealed with the organization's data key. */
    secret: text('secret').notNull(),
    /** The secret before the last rotation: deliveries are signed with both until it expires. */
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: at('previous_secret_expires_at'),
    /** When deliveries started failing without a success since; five days of it disables the endpoint. */
    failingSince: at('failing_since'),
    disabledReason: text('disabled_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [index('webhook_endpoints_org_idx').on(table.orgId), tenantPolicy()],
).enableRLS();

/** One event for one endpoint; delivered at least once, retried on a fixed schedule. */
export const webhookMessages = pgTable(
  'webhook_messages',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    endpointId: text('endpoint_id').notNull(),
    eventId: text('event_id'),
    eventType: text('event_type').notNull(),
    body: text('body').notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at'),
    createdAt: createdAt(),
  },
  (table) => [index('webhook_messages_endpoint_idx').on(table.endpointId, table.id), tenantPolicy()],
).enableRLS();

/** Every delivery attempt, for the delivery log. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    endpointId: text('endpoint_id').notNull(),
    messageId: text('message_id').notNull(),
    attempt: integer('attempt').notNull(),
    statusCode: integer('status_code'),
    latencyMs: integer('latency_ms').notNull(),
    responseExcerpt: text('response_excerpt'),
    error: text('error'),
    createdAt: createdAt(),
  },
  (table) => [index('webhook_attempts_endpoint_idx').on(table.endpointId, table.id), tenantPolicy()],
).enableRLS();
