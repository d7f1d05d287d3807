import { createHash } from 'node:crypto';
import { and, asc, desc, eq, gt, gte, lt, lte, type SQL, sql } from 'drizzle-orm';
import { newId } from '../../kernel/crypto/ids.ts';
import { withSystem, withTenant } from '../../kernel/db/tenant.ts';
import type { DomainEvent, EventActor } from '../../kernel/events/events.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { auditAnchors, auditLogs } from './schema.ts';

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

/** Which entries: an action (or `prefix.*`), an actor id, a time range. */
export interface AuditCriteria {
  action?: string;
  actor?: string;
  from?: Date;
  to?: Date;
}

export interface AuditFilter extends AuditCriteria {
  cursor?: number;
  limit: number;
}

/** Entries read per transaction when exporting or verifying. */
export const AUDIT_PAGE_SIZE = 1000;

function matching(orgId: string, criteria: AuditCriteria): SQL[] {
  const conditions: SQL[] = [eq(auditLogs.orgId, orgId)];
  if (criteria.action) {
    conditions.push(
      criteria.action.endsWith('.*')
        ? sql`${auditLogs.action} like ${`${criteria.action.slice(0, -1)}%`}`
        : eq(auditLogs.action, criteria.action),
    );
  }
  if (criteria.actor) conditions.push(sql`${auditLogs.actor}->>'id' = ${criteria.actor}`);
  if (criteria.from) conditions.push(gte(auditLogs.createdAt, criteria.from));
  if (criteria.to) conditions.push(lte(auditLogs.createdAt, criteria.to));
  return conditions;
}

/**
 * Records every domain event as an audit entry, chained per organisation, and reads and verifies
 * the chain. Recording is idempotent by event id, so at-least-once delivery writes each once.
 */
export function createAuditService(kernel: Kernel) {
  const { database, events } = kernel;

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
      const conditions = matching(orgId, filter);
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

    /**
     * Every matching entry, oldest first, read a page per transaction so memory stays flat however
     * long the log. It ends at the entry that was newest when reading began: entries appended
     * while an export runs belong to the next one.
     */
    async *entries(orgId: string, criteria: AuditCriteria, pageSize = AUDIT_PAGE_SIZE): AsyncGenerator<AuditEntry> {
      const [{ head }] = await withTenant(database, orgId, (tx) =>
        tx
          .select({ head: sql<number | null>`max(${auditLogs.seq})`.mapWith(Number) })
          .from(auditLogs)
          .where(eq(auditLogs.orgId, orgId)),
      );
      if (!head) return;
      const conditions = matching(orgId, criteria);
      let after = 0;
      for (;;) {
        const page = await withTenant(database, orgId, (tx) =>
          tx
            .select()
            .from(auditLogs)
            .where(and(...conditions, gt(auditLogs.seq, after), lte(auditLogs.seq, head)))
            .orderBy(asc(auditLogs.seq))
            .limit(pageSize),
        );
        yield* page;
        if (page.length < pageSize) return;
        after = page[page.length - 1].seq;
      }
    },

    /** Records that someone exported the log (it becomes an `audit_log.exported` entry in turn). */
    async recordExport(orgId: string, actor: EventActor, payload: { format: string; filters: Record<string, string> }) {
      await withTenant(database, orgId, (tx) => events.emit(tx, { type: 'audit_log.exported', orgId, actor, payload }));
    },

    /**
     * Retention: removes each organisation's entries older than `cutoff`, keeping the last removed
     * entry's seq and hash as the chain's new anchor. System context: it serves every organisation.
     */
    async prune(cutoff: Date) {
      return withSystem(database, async (tx) => {
        await tx.execute(sql`select set_config('atrium.audit_retention', 'on', true)`);
        const candidates = await tx
          .select({ orgId: auditLogs.orgId, seq: sql<number>`max(${auditLogs.seq})`.mapWith(Number) })
          .from(auditLogs)
          .where(lt(auditLogs.createdAt, cutoff))
          .groupBy(auditLogs.orgId);
        let removed = 0;
        for (const { orgId, seq } of candidates) {
          const [last] = await tx
            .select({ hash: auditLogs.hash })
            .from(auditLogs)
            .where(and(eq(auditLogs.orgId, orgId), eq(auditLogs.seq, seq)));
          await tx
            .insert(auditAnchors)
            .values({ orgId, seq, hash: last.hash, prunedAt: kernel.clock() })
            .onConflictDoUpdate({ target: auditAnchors.orgId, set: { seq, hash: last.hash, prunedAt: kernel.clock() } });
          const deleted = await tx
            .delete(auditLogs)
            .where(and(eq(auditLogs.orgId, orgId), lte(auditLogs.seq, seq)))
            .returning({ id: auditLogs.id });
          removed += deleted.length;
        }
        return removed;
      });
    },

    /** Recomputes the chain from the first entry; reports the first entry that does not match. */
    async verify(orgId: string) {
      // After retention, the chain continues from the last removed entry (the anchor).
      const [anchor] = await withTenant(database, orgId, (tx) => tx.select().from(auditAnchors).where(eq(auditAnchors.orgId, orgId)));
      let previous = anchor?.hash ?? GENESIS_HASH;
      let expectedSeq = (anchor?.seq ?? 0) + 1;
      let checked = 0;
      let after = anchor?.seq ?? 0;
      for (;;) {
        const page = await withTenant(database, orgId, (tx) =>
          tx
            .select()
            .from(auditLogs)
            .where(and(eq(auditLogs.orgId, orgId), gt(auditLogs.seq, after)))
            .orderBy(asc(auditLogs.seq))
            .limit(AUDIT_PAGE_SIZE),
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
        if (page.length < AUDIT_PAGE_SIZE) return { intact: true, checked, head: checked ? previous : null };
        after = page[page.length - 1].seq;
      }
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
