import { createHash } from 'node:crypto';
import { and, asc, desc, eq, gt, gte, lt, lte, type SQL, sql } from 'drizzle-orm';
import { newId } from '../../kernel/crypto/ids.ts';
import { withTenant } from '../../kernel/db/tenant.ts';
import type { DomainEvent } from '../../kernel/events/events.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { auditLogs } from './schema.ts';

export type AuditEntry = typeof auditLogs.$inferSelect;
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth: jsonb does not keep key order, the hash must. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/** The hash of one entry: its content, in a fixed field order, chained to the previous hash. */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const content = canonicalJson([
    entry.id,
    entry.orgId,
    entry.seq,
    entry.eventId,
    entry.action,
    entry.actor,
    entry.target,
    entry.context,
    entry.changes,
    entry.createdAt.toISOString(),
  ]);
  return createHash('sha256').update(entry.prevHash).update(content).digest('hex');
}

/** The resource an event is about: the first `<noun>_id` field of its payload. */
function targetOf(event: DomainEvent): { type: string; id: string } | null {
  for (const [field, value] of Object.entries(event.payload)) {
    if (field.endsWith('_id') && typeof value === 'string') return { type: field.slice(0, -3), id: value };
  }
  return null;
}

export interface AuditFilter {
  action?: string;
  actor?: string;
  from?: Date;
  to?: Date;
  cursor?: number;
  limit: number;
}

/**
 * Records every domain event as an audit entry, chained per organisation, and reads and verifies
 * the chain. Recording is idempotent by event id, so at-least-once delivery writes each once.
 */
export function createAuditService(kernel: Kernel) {
  const { database } = kernel;

  return {
    async record(event: DomainEvent) {
      await withTenant(database, event.orgId, async (tx) => {
        // One writer per organisation at a time keeps the chain linear.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`audit:${event.orgId}`}))`);
        const [seen] = await tx.select({ id: auditLogs.id }).from(auditLogs).where(eq(auditLogs.eventId, event.id));
        if (seen) return;
        const [last] = await tx
          .select({ seq: auditLogs.seq, hash: auditLogs.hash })
          .from(auditLogs)
          .where(eq(auditLogs.orgId, event.orgId))
          .orderBy(desc(auditLogs.seq))
          .limit(1);
        const entry = {
          id: newId('aud'),
          orgId: event.orgId,
          seq: (last?.seq ?? 0) + 1,
          eventId: event.id,
          action: event.type,
          actor: event.actor,
          target: targetOf(event),
          context: event.context,
          changes: event.payload,
          prevHash: last?.hash ?? GENESIS_HASH,
          // Millisecond precision, so the hash recomputes from what the database returns.
          createdAt: new Date(Math.floor(event.createdAt.getTime())),
        };
        await tx.insert(auditLogs).values({ ...entry, hash: entryHash(entry) });
      });
    },

    async list(orgId: string, filter: AuditFilter) {
      const conditions: SQL[] = [eq(auditLogs.orgId, orgId)];
      if (filter.action) {
        conditions.push(
          filter.action.endsWith('.*')
            ? sql`${auditLogs.action} like ${`${filter.action.slice(0, -1)}%`}`
            : eq(auditLogs.action, filter.action),
        );
      }
      if (filter.actor) conditions.push(sql`${auditLogs.actor}->>'id' = ${filter.actor}`);
      if (filter.from) conditions.push(gte(auditLogs.createdAt, filter.from));
      if (filter.to) conditions.push(lte(auditLogs.createdAt, filter.to));
      if (filter.cursor !== undefined) conditions.push(lt(auditLogs.seq, filter.cursor));
      const rows = await withTenant(database, orgId, (tx) =>
        tx
          .select()
          .from(auditLogs)
          .where(and(...conditions))
          .orderBy(desc(auditLogs.seq))
          .limit(filter.limit + 1),
      );
      const more = rows.length > filter.limit;
      const data = more ? rows.slice(0, filter.limit) : rows;
      return { data, nextCursor: more ? String(data[data.length - 1].seq) : null };
    },

    /** Recomputes the chain from the first entry; reports the first entry that does not match. */
    async verify(orgId: string) {
      let previous = GENESIS_HASH;
      let expectedSeq = 1;
      let checked = 0;
      let after = 0;
      for (;;) {
        const page = await withTenant(database, orgId, (tx) =>
          tx
            .select()
            .from(auditLogs)
            .where(and(eq(auditLogs.orgId, orgId), gt(auditLogs.seq, after)))
            .orderBy(asc(auditLogs.seq))
            .limit(1000),
        );
        for (const entry of page) {
          const { hash, ...rest } = entry;
          if (entry.seq !== expectedSeq || entry.prevHash !== previous || entryHash(rest) !== hash) {
            return { intact: false, checked, broken_at: { seq: entry.seq, id: entry.id, expected_seq: expectedSeq } };
          }
          previous = hash;
          expectedSeq++;
          checked++;
        }
        if (page.length < 1000) return { intact: true, checked, head: checked ? previous : null };
        after = page[page.length - 1].seq;
      }
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
