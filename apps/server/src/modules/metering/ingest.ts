import { createGroupCommit } from '../../kernel/db/group-commit.ts';
import type { Kernel } from '../../kernel/kernel.ts';

/** One measured quantity, as producers hand it to metering. */
export interface UsageEvent {
  orgId: string;
  metric: string;
  quantity: number;
  /** Unique per organisation: the same key twice is one event. */
  idempotencyKey: string;
  at: Date;
  workspaceId?: string | null;
  apiKeyId?: string | null;
  dimensions?: Record<string, string | number | boolean | null>;
  source: 'gateway' | 'api' | 'operator' | 'system';
}

/** An event after its write: `inserted` is false when its key was already recorded. */
export interface Ingested extends UsageEvent {
  inserted: boolean;
}

const INSERT = `insert into usage_events (org_id, idempotency_key, metric, quantity, workspace_id, api_key_id, dimensions, source, at)
  select * from unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::timestamptz[])
  order by 1, 2
  on conflict (org_id, idempotency_key) do nothing
  returning org_id, idempotency_key`;

/**
 * The durable ingest path: events from every producer and organisation share group-committed
 * `unnest` INSERTs (one statement per batch of up to `maxBatch`), and the idempotency key's unique
 * constraint makes a retried event, or the same event from two servers, count once. A caller's
 * promise resolves when its event is committed; `onInserted` then sees only the events that were
 * new, which is what the fast counters add. Rows go in key order, so two servers inserting
 * overlapping batches wait for each other instead of deadlocking.
 */
export function createIngest(kernel: Kernel, options: { maxBatch?: number; onInserted(events: Ingested[]): void }) {
  const { database } = kernel;
  const commit = createGroupCommit<Ingested>({
    maxBatch: options.maxBatch ?? 2000,
    concurrency: 2,
    async write(events) {
      // A key repeated inside one batch is inserted once; only its first occurrence counts.
      const unique: Ingested[] = [];
      const seen = new Set<string>();
      for (const event of events) {
        const key = `${event.orgId}\u0000${event.idempotencyKey}`;
        event.inserted = false;
        if (seen.has(key)) continue;
        seen.add(key);
        unique.push(event);
      }
      const result = await database.sql.query<{ org_id: string; idempotency_key: string }>(
        INSERT,
        [
          unique.map((event) => event.orgId),
          unique.map((event) => event.idempotencyKey),
          unique.map((event) => event.metric),
          unique.map((event) => event.quantity),
          unique.map((event) => event.workspaceId ?? null),
          unique.map((event) => event.apiKeyId ?? null),
          unique.map((event) => JSON.stringify(event.dimensions ?? {})),
          unique.map((event) => event.source),
          unique.map((event) => event.at.toISOString()),
        ],
        'metering_usage_insert',
      );
      const inserted = new Set(result.rows.map((row) => `${row.org_id}\u0000${row.idempotency_key}`));
      for (const event of unique) event.inserted = inserted.has(`${event.orgId}\u0000${event.idempotencyKey}`);
      const fresh = unique.filter((event) => event.inserted);
      if (fresh.length) options.onInserted(fresh);
    },
  });
  return {
    /** Resolves once the events are durable; each comes back with `inserted`. */
    async record(events: UsageEvent[]): Promise<Ingested[]> {
      const rows = events.map((event) => ({ ...event, inserted: false }));
      await Promise.all(rows.map((row) => commit.add(row)));
      return rows;
    },
    flush: () => commit.flush(),
    get pending() {
      return commit.pending;
    },
  };
}
