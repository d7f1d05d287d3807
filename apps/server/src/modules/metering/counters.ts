import { sql } from 'drizzle-orm';
import { withTenant } from '../../kernel/db/tenant.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Ingested } from './ingest.ts';
import { metricDefinition } from './metrics.ts';

/** What the organisation's plan allows of a metric in its current billing period. */
export interface Quota {
  /** Null: unlimited. */
  limit: number | null;
  /** True: usage beyond the limit is refused (402); false: it is billed as overage. */
  hard: boolean;
  periodStart: Date;
  periodEnd: Date;
}

export interface ThresholdCrossing {
  orgId: string;
  metric: string;
  threshold: 80 | 100;
  used: number;
  quota: Quota;
}

const THRESHOLDS = [80, 100] as const;

/**
 * Fast usage counters per organisation, metric and billing period, in the shared cache (Redis
 * across nodes, memory on one). They answer quota checks without touching the database. A
 * counter is seeded from the events the first time it is needed and bumped by every committed new
 * event after that; `reconcile` resets it from the events, so drift (a crash between commit and
 * bump, a seeding race at the start of a period) heals. Only metrics with a limit are counted.
 */
export function createCounters(
  kernel: Kernel,
  options: { quota(orgId: string, metric: string): Promise<Quota>; onThreshold(crossing: ThresholdCrossing): void },
) {
  const { cache, database, log } = kernel;
  const seeded = new Set<string>();
  const keyOf = (orgId: string, metric: string, quota: Quota) => `meter:${orgId}:${metric}:${quota.periodStart.getTime()}`;
  const ttlOf = (quota: Quota) => Math.max(60_000, quota.periodEnd.getTime() - kernel.clock().getTime() + 86_400_000);

  /** The metric's figure this period from the events themselves (sum, or a gauge's latest level). */
  async function fromEvents(orgId: string, metric: string, quota: Quota): Promise<number> {
    const gauge = metricDefinition(metric).aggregation === 'gauge';
    const result = await withTenant(database, orgId, (tx) =>
      tx.execute(
        gauge ? sqlLatest(orgId, metric, quota.periodStart, quota.periodEnd) : sqlSum(orgId, metric, quota.periodStart, quota.periodEnd),
      ),
    );
    return Number((result as unknown as { rows: Array<{ value: string | null }> }).rows[0]?.value ?? 0);
  }

  async function current(orgId: string, metric: string, quota: Quota): Promise<number> {
    const key = keyOf(orgId, metric, quota);
    const cached = await cache.get(key);
    if (cached !== null) return Number(cached);
    const value = await fromEvents(orgId, metric, quota);
    await cache.setIfAbsent(key, String(value), ttlOf(quota));
    seeded.add(key);
    return Number((await cache.get(key)) ?? value);
  }

  async function bumpOne(orgId: string, metric: string, events: Ingested[]) {
    const quota = await options.quota(orgId, metric);
    if (quota.limit === null) return;
    const inPeriod = events.filter((event) => event.at >= quota.periodStart && event.at < quota.periodEnd);
    if (!inPeriod.length) return;
    const key = keyOf(orgId, metric, quota);
    let before: number;
    let after: number;
    if (metricDefinition(metric).aggregation === 'gauge') {
      const latest = inPeriod.reduce((a, b) => (b.at >= a.at ? b : a));
      before = Number((await cache.get(key)) ?? 0);
      after = latest.quantity;
      await cache.set(key, String(after), ttlOf(quota));
    } else {
      const added = inPeriod.reduce((total, event) => total + event.quantity, 0);
      if (!seeded.has(key) && (await cache.get(key)) === null) {
        // These events are committed, so the seed already holds them: nothing to add.
        after = await current(orgId, metric, quota);
        before = after - added;
      } else {
        seeded.add(key);
        after = await cache.incr(key, added, ttlOf(quota));
        before = after - added;
      }
    }
    for (const threshold of THRESHOLDS) {
      const mark = (quota.limit * threshold) / 100;
      if (before < mark && after >= mark) {
        const first = await cache.setIfAbsent(`${key}:notice:${threshold}`, '1', ttlOf(quota));
        if (first) options.onThreshold({ orgId, metric, threshold, used: after, quota });
      }
    }
  }

  return {
    current,
    /** Adds newly committed events to their counters; never throws (reconcile repairs). */
    bump(events: Ingested[]) {
      const groups = new Map<string, Ingested[]>();
      for (const event of events) {
        const key = `${event.orgId}\u0000${event.metric}`;
        const group = groups.get(key);
        if (group) group.push(event);
        else groups.set(key, [event]);
      }
      return Promise.all(
        [...groups.values()].map((group) =>
          bumpOne(group[0].orgId, group[0].metric, group).catch((error) => log.warn({ err: error }, 'could not bump a usage counter')),
        ),
      );
    },
    /** Resets a counter from the events (the source of truth). */
    async reconcile(orgId: string, metric: string) {
      const quota = await options.quota(orgId, metric);
      if (quota.limit === null) return;
      await cache.set(keyOf(orgId, metric, quota), String(await fromEvents(orgId, metric, quota)), ttlOf(quota));
    },
  };
}

function sqlSum(orgId: string, metric: string, from: Date, to: Date) {
  return sql`select coalesce(sum(quantity), 0)::text as value from usage_events
    where org_id = ${orgId} and metric = ${metric} and at >= ${from.toISOString()} and at < ${to.toISOString()}`;
}

function sqlLatest(orgId: string, metric: string, from: Date, to: Date) {
  return sql`select quantity::text as value from usage_events
    where org_id = ${orgId} and metric = ${metric} and at >= ${from.toISOString()} and at < ${to.toISOString()}
    order by at desc limit 1`;
}
