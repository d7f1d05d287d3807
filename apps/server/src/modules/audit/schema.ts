import { bigint, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, orgId, tenantPolicy } from '../../kernel/db/columns.ts';

/**
 * The audit log: append-only (a trigger refuses UPDATE and DELETE) and hash-chained per
 * organisation: each entry's hash covers its content and the previous entry's hash.
 */
export const auditLogs = pgTable(
  'audit_logs',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    eventId: text('event_id').notNull(),
    action: text('action').notNull(),
    actor: jsonb('actor'),
    target: jsonb('target'),
    context: jsonb('context'),
    changes: jsonb('changes').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('audit_logs_org_seq_key').on(table.orgId, table.seq),
    uniqueIndex('audit_logs_event_key').on(table.eventId),
    index('audit_logs_org_action_idx').on(table.orgId, table.action),
    tenantPolicy(),
  ],
).enableRLS();

/**
 * Where an organisation's chain starts after retention removed its oldest entries: the last removed
 * entry's sequence number and hash, so verification still proves everything that remains.
 */
export const auditAnchors = pgTable(
  'audit_anchors',
  {
    orgId: text('org_id').primaryKey(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
    prunedAt: timestamp('pruned_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  () => [tenantPolicy()],
).enableRLS();
