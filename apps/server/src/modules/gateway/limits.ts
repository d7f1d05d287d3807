import { and, eq, gte, sql } from 'drizzle-orm';
import type { CounterCheck } from '../../kernel/cache/cache.ts';
import { withTenant } from '../../kernel/db/tenant.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { GatewayError } from './adapters/types.ts';
import { gatewayRequests } from './schema.ts';
import type { Policy, PolicyScope } from './store.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
// Settling adds to counters unconditionally; a limit no counter reaches.
const NO_LIMIT = Number.MAX_SAFE_INTEGER;
const SETTLE_EVERY_MS = 20;

interface Counter {
  kind: 'rpm' | 'rpd' | 'tpm' | 'budget';
  policy: Policy;
  check: CounterCheck;
  /** When the budget period ends (the counter itself lives a little longer). */
  resetAt?: number;
}

/** What an admitted request holds: the counters to settle once its real size is known. */
export interface Admission {
  counters: Counter[];
  estimatedTokens: number;
  estimatedCostMicros: number;
  headers: Record<string, string>;
}

function periodOf(period: 'day' | 'month', now: Date): { key: string; start: Date; end: Date } {
  if (period === 'day') {
    const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    return { key: start.toISOString().slice(0, 10), start, end: new Date(start.getTime() + DAY) };
  }
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  return { key: start.toISOString().slice(0, 7), start, end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)) };
}

const scopeColumn = {
  organization: gatewayRequests.orgId,
  workspace: gatewayRequests.workspaceId,
  api_key: gatewayRequests.apiKeyId,
} as const;
const scopeLabel: Record<Policy['scope'], string> = {
  organization: 'organization',
  workspace: 'workspace',
  api_key: 'API key',
  plan: 'plan',
};

/**
 * Requests/min, tokens/min, requests/day and spend budgets per API key, workspace and
 * organisation. All counters of a request are checked and taken in one atomic step on the shared
 * cache (Redis across replicas), so concurrent requests on any number of nodes cannot pass a
 * limit together. Token limits and budgets take an estimate up front and settle to the real
 * figure afterwards.
 */
export function createLimits(kernel: Kernel) {
  const { cache, database, log } = kernel;
  const seeded = new Set<string>();
  // Settlements are batched: one cache command every SETTLE_EVERY_MS for every request that
  // finished meanwhile, instead of one per request. A reservation is almost always more than the
  // call really used (it counts max_tokens), so waiting refunds only make limits stricter for a
  // moment; a call that used more than it reserved is counted at most SETTLE_EVERY_MS late.
  const unsettled = new Map<string, { add: number; ttlMs: number }>();
  let settleTimer: NodeJS.Timeout | undefined;
  async function flushSettlements() {
    settleTimer = undefined;
    if (!unsettled.size) return;
    const checks: CounterCheck[] = [];
    for (const [key, { add, ttlMs }] of unsettled) if (add !== 0) checks.push({ key, limit: NO_LIMIT, need: 0, add, ttlMs });
    unsettled.clear();
    if (!checks.length) return;
    await cache.consume(checks).catch((error) => log.warn({ err: error }, 'could not settle gateway limits'));
  }
  const exhaustedNotified = new Set<string>();

  /** A budget counter starts from what the database says was spent this period (once per node). */
  async function seedBudget(orgId: string, policy: Policy, key: string, start: Date, ttlMs: number) {
    if (seeded.has(key)) return;
    const [row] = await withTenant(database, orgId, (tx) =>
      tx
        .select({ spent: sql<string>`coalesce(sum(${gatewayRequests.costMicros}), 0)` })
        .from(gatewayRequests)
        .where(and(eq(scopeColumn[policy.scope as PolicyScope], policy.scopeId), gte(gatewayRequests.createdAt, start))),
    );
    await cache.setIfAbsent(key, String(Number(row?.spent ?? 0)), ttlMs);
    seeded.add(key);
  }

  return {
    /** Counters to take for a request under these policies; nothing when none sets a limit. */
    async admit(
      orgId: string,
      policies: Policy[],
      estimate: { tokens: number; costMicros: number },
      onExhausted: (policy: Policy) => void,
    ): Promise<Admission | undefined> {
      const now = kernel.clock();
      const time = now.getTime();
      const counters: Counter[] = [];
      for (const policy of policies) {
        const base = `gw:${policy.scope}:${policy.scopeId}`;
        const minute = Math.floor(time / MINUTE);
        if (policy.requestsPerMinute !== null)
          counters.push({
            kind: 'rpm',
            policy,
            check: { key: `${base}:rpm:${minute}`, limit: policy.requestsPerMinute, need: 1, add: 1, ttlMs: MINUTE },
          });
        if (policy.requestsPerDay !== null) {
          const day = Math.floor(time / DAY);
          counters.push({
            kind: 'rpd',
            policy,
            check: { key: `${base}:rpd:${day}`, limit: policy.requestsPerDay, need: 1, add: 1, ttlMs: DAY },
          });
        }
        if (policy.tokensPerMinute !== null) {
          const tokens = Math.min(estimate.tokens, policy.tokensPerMinute);
          counters.push({
            kind: 'tpm',
            policy,
            check: { key: `${base}:tpm:${minute}`, limit: policy.tokensPerMinute, need: Math.max(1, tokens), add: tokens, ttlMs: MINUTE },
          });
        }
        if (policy.budgetMicros !== null) {
          const period = periodOf(policy.budgetPeriod ?? 'month', now);
          const key = `${base}:budget:${period.key}`;
          const ttlMs = period.end.getTime() - time + 3_600_000;
          if (!seeded.has(key)) await seedBudget(orgId, policy, key, period.start, ttlMs);
          counters.push({
            kind: 'budget',
            policy,
            resetAt: period.end.getTime(),
            check: { key, limit: policy.budgetMicros, need: Math.max(1, estimate.costMicros), add: estimate.costMicros, ttlMs },
          });
        }
      }
      if (!counters.length) return undefined;
      const result = await cache.consume(counters.map((counter) => counter.check));
      if (!result.ok) {
        const counter = counters[result.index];
        const resetMs = counter.resetAt !== undefined ? counter.resetAt - time : result.resetMs;
        const resetSeconds = resetMs > 0 ? Math.ceil(resetMs / 1000) : 60;
        const who = scopeLabel[counter.policy.scope];
        if (counter.kind === 'budget') {
          const notice = counter.check.key;
          if (!exhaustedNotified.has(notice)) {
            exhaustedNotified.add(notice);
            onExhausted(counter.policy);
          }
          throw new GatewayError(
            429,
            'insufficient_quota',
            'insufficient_quota',
            `This ${who}'s spend budget for the ${counter.policy.budgetPeriod ?? 'month'} is used up. Raise the budget or wait for the next period.`,
            { headers: { 'retry-after': String(resetSeconds) } },
          );
        }
        const what = counter.kind === 'rpm' ? 'requests per minute' : counter.kind === 'rpd' ? 'requests per day' : 'tokens per minute';
        throw new GatewayError(
          429,
          'rate_limit_error',
          'rate_limit_exceeded',
          `Rate limit reached for this ${who}: ${counter.check.limit} ${what}.`,
          {
            headers: { 'retry-after': String(resetSeconds), ...rateHeaders([counter], [counter.check.limit], time) },
          },
        );
      }
      return {
        counters,
        estimatedTokens: estimate.tokens,
        estimatedCostMicros: estimate.costMicros,
        headers: rateHeaders(counters, result.values, time),
      };
    },

    /** Replaces the estimates with what the call really used (and refunds a call that never ran). */
    settle(admission: Admission | undefined, actual: { tokens: number; costMicros: number; counted: boolean }) {
      if (!admission) return;
      for (const counter of admission.counters) {
        let delta = 0;
        if (counter.kind === 'tpm') delta = actual.tokens - counter.check.add;
        else if (counter.kind === 'budget') delta = actual.costMicros - counter.check.add;
        else if (!actual.counted) delta = -1;
        if (delta === 0) continue;
        const waiting = unsettled.get(counter.check.key);
        if (waiting) waiting.add += delta;
        else unsettled.set(counter.check.key, { add: delta, ttlMs: counter.check.ttlMs });
      }
      if (unsettled.size && !settleTimer) settleTimer = setTimeout(flushSettlements, SETTLE_EVERY_MS);
    },

    /** Writes the settlements still waiting (at shutdown). */
    flush: flushSettlements,
  };
}

export type Limits = ReturnType<typeof createLimits>;

/** OpenAI's `x-ratelimit-*` headers for the narrowest request and token limits. */
function rateHeaders(counters: Counter[], values: number[], time: number): Record<string, string> {
  const headers: Record<string, string> = {};
  const resetIn = `${Math.ceil((MINUTE - (time % MINUTE)) / 1000)}s`;
  for (const kind of ['rpm', 'tpm'] as const) {
    const index = counters.findIndex((counter) => counter.kind === kind);
    if (index === -1) continue;
    const suffix = kind === 'rpm' ? 'requests' : 'tokens';
    headers[`x-ratelimit-limit-${suffix}`] = String(counters[index].check.limit);
    headers[`x-ratelimit-remaining-${suffix}`] = String(Math.max(0, counters[index].check.limit - values[index]));
    headers[`x-ratelimit-reset-${suffix}`] = resetIn;
  }
  return headers;
}
