import { and, asc, eq, or } from 'drizzle-orm';
import { withSystem } from '../../kernel/db/tenant.ts';
import { NotFoundError, ValidationError } from '../../kernel/errors.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { plans, planVersions } from './schema.ts';

export interface QuotaTerms {
  /** Null: unlimited. */
  included: number | null;
  /** Null: a hard limit; otherwise usage beyond `included` costs `unit_amount` per `unit_size`. */
  overage: { unit_amount: number; unit_size: number } | null;
}

/** One version of a plan's terms, as subscriptions and invoices read them. */
export interface PlanTerms {
  id: string;
  slug: string;
  name: string;
  description: string;
  version: number;
  currency: string;
  monthlyAmount: number | null;
  yearlyAmount: number | null;
  seatAmount: number;
  includedSeats: number;
  minSeats: number;
  maxSeats: number | null;
  trialDays: number;
  limits: { requests_per_minute?: number; requests_per_day?: number; tokens_per_minute?: number };
  quotas: Record<string, QuotaTerms>;
  features: Record<string, unknown>;
  public: boolean;
  archived: boolean;
  sortOrder: number;
}

export const TRIAL_PLAN = 'spark';

/** The recurring amount of a plan for an interval and seat count (minor units). */
export function recurringAmount(plan: PlanTerms, interval: 'month' | 'year', seats: number): number {
  const base = (interval === 'year' ? plan.yearlyAmount : plan.monthlyAmount) ?? 0;
  const extraSeats = Math.max(0, seats - plan.includedSeats);
  return base + extraSeats * plan.seatAmount * (interval === 'year' ? 12 : 1);
}

export type PlanEdit = Partial<{
  name: string;
  description: string;
  prices: { month?: number | null; year?: number | null };
  seat_amount: number;
  included_seats: number;
  min_seats: number;
  max_seats: number | null;
  trial_days: number;
  limits: PlanTerms['limits'];
  quotas: Record<string, QuotaTerms>;
  features: Record<string, unknown>;
  public: boolean;
  archived: boolean;
}>;

/**
 * The plan catalogue. Plans are the operator's: versions are immutable, an edit publishes a new
 * version for new subscribers while existing ones keep theirs. Read through a small cache, since
 * every quota check needs its organisation's terms.
 */
export function createPlans(kernel: Kernel) {
  const { database } = kernel;
  const versions = new Map<string, PlanTerms>();

  function toTerms(plan: typeof plans.$inferSelect, version: typeof planVersions.$inferSelect): PlanTerms {
    return {
      id: plan.id,
      slug: plan.slug,
      name: plan.name,
      description: plan.description,
      version: version.version,
      currency: version.currency,
      monthlyAmount: version.monthlyAmount,
      yearlyAmount: version.yearlyAmount,
      seatAmount: version.seatAmount,
      includedSeats: version.includedSeats,
      minSeats: version.minSeats,
      maxSeats: version.maxSeats,
      trialDays: version.trialDays,
      limits: version.limits as PlanTerms['limits'],
      quotas: version.quotas as PlanTerms['quotas'],
      features: version.features as PlanTerms['features'],
      public: plan.public,
      archived: plan.archived,
      sortOrder: plan.sortOrder,
    };
  }

  async function load(planId: string, version: number): Promise<PlanTerms> {
    const key = `${planId}@${version}`;
    const cached = versions.get(key);
    if (cached) return cached;
    // The catalogue is not tenant data: system reads.
    const [row] = await withSystem(database, (tx) =>
      tx
        .select({ plan: plans, version: planVersions })
        .from(planVersions)
        .innerJoin(plans, eq(plans.id, planVersions.planId))
        .where(and(eq(planVersions.planId, planId), eq(planVersions.version, version))),
    );
    if (!row) throw new NotFoundError('Plan');
    const terms = toTerms(row.plan, row.version);
    versions.set(key, terms);
    return terms;
  }

  async function listCurrent(includeHidden: boolean): Promise<PlanTerms[]> {
    const rows = await withSystem(database, (tx) =>
      tx
        .select({ plan: plans, version: planVersions })
        .from(plans)
        .innerJoin(planVersions, and(eq(planVersions.planId, plans.id), eq(planVersions.version, plans.currentVersion)))
        .orderBy(asc(plans.sortOrder), asc(plans.slug)),
    );
    return rows.map((row) => toTerms(row.plan, row.version)).filter((plan) => includeHidden || (plan.public && !plan.archived));
  }

  return {
    load,
    list: listCurrent,
    /** The current version of a plan named by id or slug. */
    async current(idOrSlug: string): Promise<PlanTerms> {
      const [plan] = await withSystem(database, (tx) =>
        tx
          .select()
          .from(plans)
          .where(or(eq(plans.id, idOrSlug), eq(plans.slug, idOrSlug))),
      );
      if (!plan) throw new NotFoundError('Plan');
      return load(plan.id, plan.currentVersion);
    },
    /** Publishes a new version with the edits applied to the current one (operator). */
    async edit(planId: string, edit: PlanEdit): Promise<PlanTerms> {
      const current = await this.current(planId);
      const next = {
        monthlyAmount: edit.prices && 'month' in edit.prices ? (edit.prices.month ?? null) : current.monthlyAmount,
        yearlyAmount: edit.prices && 'year' in edit.prices ? (edit.prices.year ?? null) : current.yearlyAmount,
        seatAmount: edit.seat_amount ?? current.seatAmount,
        includedSeats: edit.included_seats ?? current.includedSeats,
        minSeats: edit.min_seats ?? current.minSeats,
        maxSeats: edit.max_seats === undefined ? current.maxSeats : edit.max_seats,
        trialDays: edit.trial_days ?? current.trialDays,
        limits: edit.limits ?? current.limits,
        quotas: edit.quotas ?? current.quotas,
        features: edit.features ?? current.features,
      };
      if (next.maxSeats !== null && next.maxSeats < next.minSeats) throw new ValidationError('max_seats is below min_seats.', 'max_seats');
      const version = current.version + 1;
      await withSystem(database, async (tx) => {
        await tx.insert(planVersions).values({ planId: current.id, version, currency: current.currency, ...next });
        await tx
          .update(plans)
          .set({
            currentVersion: version,
            name: edit.name ?? current.name,
            description: edit.description ?? current.description,
            public: edit.public ?? current.public,
            archived: edit.archived ?? current.archived,
            updatedAt: kernel.clock(),
          })
          .where(eq(plans.id, current.id));
      });
      versions.clear();
      return load(current.id, version);
    },
  };
}

export type Plans = ReturnType<typeof createPlans>;
