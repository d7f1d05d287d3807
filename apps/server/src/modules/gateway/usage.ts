import { createGroupCommit } from '../../kernel/db/group-commit.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { gatewayRequestBodies, gatewayRequests } from './schema.ts';

export type UsageRow = typeof gatewayRequests.$inferInsert;
export interface UsageRecord {
  row: UsageRow;
  bodies?: { request: string | null; response: string | null };
}

/**
 * The durable usage writer. Every gateway request's row is group-committed: a response completes
 * only after its row is in the database, and concurrent requests share one INSERT. The writer is
 * a system writer: one batch spans organisations, so it runs as the owner (each row carries its
 * `org_id`, and reads go through withTenant as everywhere else).
 */
export function createUsageWriter(kernel: Kernel) {
  const { database } = kernel;
  const commit = createGroupCommit<UsageRecord>({
    maxBatch: 500,
    async write(records) {
      await database.db.transaction(async (tx) => {
        await tx
          .insert(gatewayRequests)
          .values(records.map((record) => record.row))
          .onConflictDoNothing();
        const bodies = records.filter((record) => record.bodies);
        if (bodies.length) {
          await tx
            .insert(gatewayRequestBodies)
            .values(bodies.map((record) => ({ requestId: record.row.id, orgId: record.row.orgId, ...record.bodies })))
            .onConflictDoNothing();
        }
      });
    },
  });
  return {
    record: (record: UsageRecord) => commit.add(record),
    flush: () => commit.flush(),
    get pending() {
      return commit.pending;
    },
  };
}

export type UsageWriter = ReturnType<typeof createUsageWriter>;
