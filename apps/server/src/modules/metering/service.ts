import { type SQL, sql } from 'drizzle-orm';
import { withTenant } from '../../kernel/db/tenant.ts';
import { QuotaExceededError } from '../../kernel/errors.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { createCounters, type Quota, type ThresholdCrossing } from './counters.ts';
import { createIngest, type UsageEvent } from './ingest.ts';
import { metricDefinition } from './metrics.ts';

/** What metering needs to know about an organisation's plan; billing provides it. */
export interface Entitlements {
  quota(orgId: string, metric: string): Promise<Quota>;
  /** Every metric the plan sets a quota for. */
  quotaMetrics(orgId: string): Promise<string[]>;
  upgradeUrl(orgId: string): string;
}

const MONTH_PERIOD = (now: Date) => ({
  periodStart: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
  periodEnd: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
});

export const USAGE_GROUPS = ['metric', 'day', 'model', 'provider', 'key', 'workspace'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

const GROUP_SQL: Record<UsageGroup, SQL> = {
  metric: sql`null`,
  day: sql`to_char(date_trunc('day', at at time zone 'UTC'), 'YYYY-MM-DD')`,
  model: sql`dimensions->>'model'`,
  provider: sql`dimensions->>'provider'`,
  key: sql`api_key_id`,
  workspace: sql`workspace_id`,
};

export interface CheckResult {
  allowed: boolean;
  metric: string;
  used: number;
  /** Null: unlimited. */
  limit: number | null;
  remaining: number | null;
  hard: boolean;
  periodEnd: Date;
}

/**
 * Metering: records usage events durably and exactly once, answers quota checks from fast
 * counters, and aggregates usage per period for the console, the API and invoices.
 *
 * @example
 * await metering.record([{ orgId, metric: 'agent_runs', quantity: 1, idempotencyKey: `run:${runId}`, at: new Date(), source: 'system' }]);
 * await metering.enforce(orgId, 'agent_runs', 1); // throws QuotaExceededError (402) when the plan's hard limit is used up
 */
export function createMeteringService(kernel: Kernel, options: { onThreshold(crossing: ThresholdCrossing): void }) {
  const { database, clock } = kernel;
  let entitlements: Entitlements = {
    quota: async () => ({ limit: null, hard: false, ...MONTH_PERIOD(clock()) }),
    quotaMetrics: async () => [],
    upgradeUrl: () => '/billing',
  };
  const counters = createCounters(kernel, {
    quota: (orgId, metric) => entitlements.quota(orgId, metric),
    onThreshold: options.onThreshold,
  });
  const ingest = createIngest(kernel, { onInserted: (events) => void counters.bump(events) });

  async function check(orgId: string, metric: string, quantity = 1): Promise<CheckResult> {
    const quota = await entitlements.quota(orgId, metric);
    if (quota.limit === null) {
      return { allowed: true, metric, used: 0, limit: null, remaining: null, hard: false, periodEnd: quota.periodEnd };
    }
    const used = await counters.current(orgId, metric, quota);
    return {
      allowed: !quota.hard || used + quantity <= quota.limit,
      metric,
      used,
      limit: quota.limit,
      remaining: Math.max(0, quota.limit - used),
      hard: quota.hard,
      periodEnd: quota.periodEnd,
    };
  }

  return {
    /** Billing plugs the organisation's plan in here. */
    useEntitlements(provider: Entitlements) {
      entitlements = provider;
    },
    get entitlements() {
      return entitlements;
    },
    /** Durable once resolved; each event says whether it was new. */
    record: (events: UsageEvent[]) => ingest.record(events),
    check,
    /** Throws QuotaExceededError (402) when taking `quantity` more would pass a hard limit. */
    async enforce(orgId: string, metric: string, quantity = 1): Promise<CheckResult> {
      const result = await check(orgId, metric, quantity);
      if (!result.allowed) {
        throw new QuotaExceededError({
          metric,
          used: result.used,
          limit: result.limit ?? 0,
          upgradeUrl: entitlements.upgradeUrl(orgId),
          resetsAt: result.periodEnd,
        });
      }
      return result;
    },
    /** Usage of every metric with a quota this period, for quota bars. */
    async quotas(orgId: string) {
      const metrics = await entitlements.quotaMetrics(orgId);
      return Promise.all(metrics.map((metric) => check(orgId, metric, 0)));
    },
    /** Sums (gauges: peaks) per metric and group over [from, to). */
    async usage(
      orgId: string,
      query: { groupBy: UsageGroup; from: Date; to: Date; metric?: string; workspaceId?: string; apiKeyId?: string },
    ) {
      const group = GROUP_SQL[query.groupBy];
      const filters = [
        sql`org_id = ${orgId}`,
        sql`at >= ${query.from.toISOString()}`,
        sql`at < ${query.to.toISOString()}`,
        ...(query.metric ? [sql`metric = ${query.metric}`] : []),
        ...(query.workspaceId ? [sql`workspace_id = ${query.workspaceId}`] : []),
        ...(query.apiKeyId ? [sql`api_key_id = ${query.apiKeyId}`] : []),
      ];
      const result = await withTenant(database, orgId, (tx) =>
        tx.execute(sql`select metric, ${group} as grp, sum(quantity)::text as total, max(quantity)::text as peak, count(*)::int as events
          from usage_events where ${sql.join(filters, sql` and `)}
          group by metric, grp order by grp nulls first, metric`),
      );
      const rows = (
        result as unknown as { rows: Array<{ metric: string; grp: string | null; total: string; peak: string; events: number }> }
      ).rows;
      return rows.map((row) => {
        const definition = metricDefinition(row.metric);
        return {
          metric: row.metric,
          group: row.grp,
          quantity: Number(definition.aggregation === 'gauge' ? row.peak : row.total),
          unit: definition.unit,
          events: row.events,
        };
      });
    },
    /** A period's figure per metric, for an invoice. */
    async totals(orgId: string, from: Date, to: Date): Promise<Map<string, number>> {
      const rows = await this.usage(orgId, { groupBy: 'metric', from, to });
      return new Map(rows.map((row) => [row.metric, row.quantity]));
    },
    /** Resets counters of organisations with recent usage from their events. */
    async reconcileRecent(since: Date) {
      const result = await database.sql.query<{ org_id: string; metric: string }>(
        'select distinct org_id, metric from usage_events where recorded_at >= $1',
        [since.toISOString()],
      );
      for (const row of result.rows) await counters.reconcile(row.org_id, row.metric);
      return result.rows.length;
    },
    flush: () => ingest.flush(),
  };
}

export type MeteringService = ReturnType<typeof createMeteringService>;
