import { RestrictedError } from '../../kernel/errors.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Entitlements, MeteringService } from '../metering/index.ts';
import type { Subscription } from './invoicing.ts';
import { monthSliceAt } from './math.ts';
import type { Plans, PlanTerms } from './plans.ts';
import { restrictedReason } from './subscriptions.ts';

const FRESH_MS = 5_000;

/** The plan's limits in the shape of a gateway policy (structurally; billing does not import the gateway). */
interface PlanPolicy {
  scope: 'plan';
  scopeId: string;
  requestsPerMinute: number | null;
  requestsPerDay: number | null;
  tokensPerMinute: number | null;
  budgetMicros: null;
  budgetPeriod: null;
  allowedModels: null;
  cacheTtlSeconds: null;
  logBodies: null;
}
const CHANNEL = 'billing:forget';

interface Snapshot {
  subscription: Subscription;
  plan: PlanTerms;
  policy: PlanPolicy | null;
  loadedAt: number;
}

/**
 * What an organisation's subscription allows, held in memory per process for a few seconds and
 * dropped on every change (pub/sub across nodes): quotas for metering, rate limits and the quota
 * gate for the gateway, and the read-only switch. Hot paths read it without a database round trip.
 */
export function createAccess(
  kernel: Kernel,
  deps: { plans: Plans; subscription(orgId: string): Promise<Subscription>; metering: MeteringService },
) {
  const { cache, log, config } = kernel;
  const snapshots = new Map<string, Snapshot>();
  const loading = new Map<string, Promise<Snapshot>>();
  let unsubscribe: (() => Promise<void>) | undefined;

  async function load(orgId: string): Promise<Snapshot> {
    const subscription = await deps.subscription(orgId);
    const plan = await deps.plans.load(subscription.planId, subscription.planVersion);
    const limits = plan.limits;
    const policy: PlanPolicy | null =
      limits.requests_per_minute || limits.requests_per_day || limits.tokens_per_minute
        ? {
            scope: 'plan',
            scopeId: orgId,
            requestsPerMinute: limits.requests_per_minute ?? null,
            requestsPerDay: limits.requests_per_day ?? null,
            tokensPerMinute: limits.tokens_per_minute ?? null,
            budgetMicros: null,
            budgetPeriod: null,
            allowedModels: null,
            cacheTtlSeconds: null,
            logBodies: null,
          }
        : null;
    const snapshot = { subscription, plan, policy, loadedAt: Date.now() };
    snapshots.set(orgId, snapshot);
    return snapshot;
  }

  function snapshotOf(orgId: string): Promise<Snapshot> {
    const held = snapshots.get(orgId);
    if (held && Date.now() - held.loadedAt < FRESH_MS) return Promise.resolve(held);
    let pending = loading.get(orgId);
    if (!pending) {
      pending = load(orgId).finally(() => loading.delete(orgId));
      loading.set(orgId, pending);
    }
    return pending;
  }

  const upgradeUrl = () => `${config.publicUrl ?? ''}/billing`;

  const entitlements: Entitlements = {
    async quota(orgId, metric) {
      const { subscription, plan } = await snapshotOf(orgId);
      const terms = plan.quotas[metric];
      // Included quantities are per month, also on a yearly plan: the quota runs over the month slice.
      const slice = monthSliceAt(subscription.currentPeriodStart, subscription.currentPeriodEnd, kernel.clock());
      const period = { periodStart: slice.start, periodEnd: slice.end };
      if (!terms || terms.included === null) return { limit: null, hard: false, ...period };
      return { limit: terms.included, hard: terms.overage === null, ...period };
    },
    async quotaMetrics(orgId) {
      const { plan } = await snapshotOf(orgId);
      return Object.entries(plan.quotas)
        .filter(([, terms]) => terms.included !== null)
        .map(([metric]) => metric);
    },
    upgradeUrl,
  };

  function assertWritable(snapshot: Snapshot) {
    const reason = restrictedReason(snapshot.subscription);
    if (!reason) return;
    const why = {
      trial_ended: 'Your trial has ended: the organization is read-only until you choose a plan.',
      payment_overdue: 'An invoice is overdue past its grace period: the organization is read-only until it is paid.',
      canceled: 'The subscription was canceled: the organization is read-only until you choose a plan.',
    }[reason];
    throw new RestrictedError(why, upgradeUrl());
  }

  return {
    entitlements,
    snapshotOf,
    /** Throws 402 organization_restricted when the organisation is read-only. */
    async assertWritable(orgId: string) {
      assertWritable(await snapshotOf(orgId));
    },
    /** The gateway's view: the plan's rate limits and, where a quota is hard, a gate. */
    async gatewayAccess(orgId: string) {
      const snapshot = await snapshotOf(orgId);
      const hard = ['requests', 'tokens'].filter((metric) => {
        const terms = snapshot.plan.quotas[metric];
        return terms && terms.included !== null && terms.overage === null;
      });
      const restricted = restrictedReason(snapshot.subscription) !== null;
      const gate =
        restricted || hard.length
          ? async () => {
              assertWritable(snapshot);
              for (const metric of hard) await deps.metering.enforce(orgId, metric, 1);
            }
          : null;
      return { policy: snapshot.policy, gate };
    },
    /** Drops the organisation's snapshot here and on every other node. */
    forget(orgId: string) {
      snapshots.delete(orgId);
      cache.publish(CHANNEL, orgId).catch((error) => log.warn({ err: error }, 'could not publish a billing change'));
    },
    async start() {
      unsubscribe = await cache.subscribe(CHANNEL, (orgId) => snapshots.delete(orgId));
    },
    async stop() {
      await unsubscribe?.();
    },
  };
}

export type Access = ReturnType<typeof createAccess>;
