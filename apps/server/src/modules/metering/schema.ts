import { index, jsonb, numeric, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { at, orgId, tenantPolicy } from '../../kernel/db/columns.ts';

/**
 * Usage events: append-only, one row per measured quantity, unique per organisation by the
 * producer's idempotency key, so a retried or replayed event never counts twice. Aggregates per
 * period and the fast quota counters are derived from these rows.
 */
export const usageEvents = pgTable(
  'usage_events',
  {
    orgId: orgId(),
    idempotencyKey: text('idempotency_key').notNull(),
    metric: text('metric').notNull(),
    quantity: numeric('quantity', { mode: 'number' }).notNull(),
    workspaceId: text('workspace_id'),
    apiKeyId: text('api_key_id'),
    /** Free-form labels (`model`, `provider`, a custom metric's own keys). */
    dimensions: jsonb('dimensions').notNull().default({}),
    /** `gateway`, `api` (posted by the organisation), `operator` or `system`. */
    source: text('source').notNull(),
    /** When the usage happened (the producer's timestamp; a retry must carry the same one). */
    at: at('at').notNull(),
    recordedAt: at('recorded_at').notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.orgId, table.idempotencyKey] }),
    index('usage_events_metric_idx').on(table.orgId, table.metric, table.at),
    tenantPolicy(),
  ],
).enableRLS();
