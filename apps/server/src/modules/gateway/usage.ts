import { createGroupCommit } from '../../kernel/db/group-commit.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { gatewayRequests } from './schema.ts';

/** A usage event as metering takes it (the gateway does not own metering's table). */
export interface UsageEvent {
  orgId: string;
  metric: string;
  quantity: number;
  idempotencyKey: string;
  at: Date;
  workspaceId?: string | null;
  apiKeyId?: string | null;
  dimensions?: Record<string, string | number | boolean | null>;
  source: 'gateway';
}

/** The billable usage of committed calls: one request per successful call, and its tokens unless served from the cache. */
function usageEventsOf(rows: UsageRow[]): UsageEvent[] {
  const events: UsageEvent[] = [];
  for (const row of rows) {
    if (row.status >= 400) continue;
    const common = {
      orgId: row.orgId,
      at: row.createdAt ?? new Date(),
      workspaceId: row.workspaceId ?? null,
      apiKeyId: row.apiKeyId ?? null,
      dimensions: { model: row.model ?? row.requestedModel, provider: row.provider ?? null, endpoint: row.endpoint },
      source: 'gateway' as const,
    };
    events.push({ ...common, metric: 'requests', quantity: 1, idempotencyKey: `gateway:${row.id}:requests` });
    const tokens = (row.inputTokens ?? 0) + (row.outputTokens ?? 0);
    if (tokens > 0 && row.cache !== 'hit')
      events.push({ ...common, metric: 'tokens', quantity: tokens, idempotencyKey: `gateway:${row.id}:tokens` });
  }
  return events;
}

export type UsageRow = typeof gatewayRequests.$inferInsert;
export interface UsageRecord {
  row: UsageRow;
  bodies?: { request: string | null; response: string | null };
}

// One statement for any batch size: a column of arrays per field, unnested into rows. Prepared
// once per connection; no query builder on the hot path.
const COLUMNS: Array<[column: string, type: string, value: (row: UsageRow) => unknown]> = [
  ['id', 'text', (row) => row.id],
  ['org_id', 'text', (row) => row.orgId],
  ['request_id', 'text', (row) => row.requestId ?? null],
  ['workspace_id', 'text', (row) => row.workspaceId ?? null],
  ['api_key_id', 'text', (row) => row.apiKeyId ?? null],
  ['user_id', 'text', (row) => row.userId ?? null],
  ['endpoint', 'text', (row) => row.endpoint],
  ['requested_model', 'text', (row) => row.requestedModel],
  ['connection_id', 'text', (row) => row.connectionId ?? null],
  ['provider', 'text', (row) => row.provider ?? null],
  ['model', 'text', (row) => row.model ?? null],
  ['status', 'int4', (row) => row.status],
  ['error_code', 'text', (row) => row.errorCode ?? null],
  ['stream', 'bool', (row) => row.stream ?? false],
  ['input_tokens', 'int4', (row) => row.inputTokens ?? 0],
  ['output_tokens', 'int4', (row) => row.outputTokens ?? 0],
  ['cached_tokens', 'int4', (row) => row.cachedTokens ?? 0],
  ['cost_micros', 'int8', (row) => row.costMicros ?? 0],
  ['estimated', 'bool', (row) => row.estimated ?? false],
  ['cache', 'text', (row) => row.cache ?? null],
  ['attempts', 'int4', (row) => row.attempts ?? 1],
  ['latency_ms', 'int4', (row) => row.latencyMs],
  ['overhead_ms', 'int4', (row) => row.overheadMs ?? null],
  ['first_token_ms', 'int4', (row) => row.firstTokenMs ?? null],
  ['created_at', 'timestamptz', (row) => (row.createdAt ?? new Date()).toISOString()],
];
const INSERT_REQUESTS = `insert into gateway_requests (${COLUMNS.map(([column]) => column).join(', ')})
  select * from unnest(${COLUMNS.map(([, type], index) => `$${index + 1}::${type}[]`).join(', ')})
  on conflict (id) do nothing`;
const INSERT_BODIES = `insert into gateway_request_bodies (request_id, org_id, request, response)
  select * from unnest($1::text[], $2::text[], $3::text[], $4::text[])
  on conflict (request_id) do nothing`;

/**
 * The durable usage writer. Every gateway request's row is group-committed: a response completes
 * only after its row is in the database, and concurrent requests share one INSERT (one round trip,
 * committed on its own). The writer is a system writer: one batch spans organisations, so it runs
 * as the owner (each row carries its `org_id`; reads go through withTenant as everywhere else).
 * Bodies, kept only for organisations that opted in, are written after their rows; losing them in
 * a crash never loses usage.
 */
export function createUsageWriter(kernel: Kernel, options: { meter?: (events: UsageEvent[]) => Promise<unknown> } = {}) {
  const { database, log, vault } = kernel;
  // Prompts and answers are the tenant's data: sealed with the organisation's data key at rest.
  const seal = (orgId: string, text: string | null) => (text === null ? null : vault.encrypt(orgId, text));
  const commit = createGroupCommit<UsageRecord>({
    maxBatch: 500,
    async write(records) {
      const rows = records.map((record) => record.row);
      // The log rows and the usage events are written side by side; both are idempotent by the
      // row id, so a retried batch counts nothing twice.
      const events = options.meter ? usageEventsOf(rows) : [];
      await Promise.all([
        database.sql.query(
          INSERT_REQUESTS,
          COLUMNS.map(([, , value]) => rows.map(value)),
          'gateway_usage_insert',
        ),
        events.length ? options.meter?.(events) : undefined,
      ]);
      const withBodies = records.filter((record) => record.bodies);
      if (!withBodies.length) return;
      try {
        const sealed = await Promise.all(
          withBodies.map(async (record) => [
            await seal(record.row.orgId, record.bodies?.request ?? null),
            await seal(record.row.orgId, record.bodies?.response ?? null),
          ]),
        );
        await database.sql.query(
          INSERT_BODIES,
          [
            withBodies.map((record) => record.row.id),
            withBodies.map((record) => record.row.orgId),
            sealed.map(([request]) => request),
            sealed.map(([, response]) => response),
          ],
          'gateway_bodies_insert',
        );
      } catch (error) {
        log.error({ err: error }, 'could not keep gateway request bodies');
      }
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
