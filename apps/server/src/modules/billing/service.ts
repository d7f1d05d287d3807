import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import { newId } from '../../kernel/crypto/ids.ts';
import { withSystem, withTenant } from '../../kernel/db/tenant.ts';
import { NotFoundError, ValidationError } from '../../kernel/errors.ts';
import type { EventActor } from '../../kernel/events/events.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { MeteringService } from '../metering/index.ts';
import type { Notifications } from '../notifications/service.ts';
import { createAccess } from './access.ts';
import { createInvoicing, recurringLines } from './invoicing.ts';
import { periodEnd } from './math.ts';
import type { PaymentProvider } from './payments/provider.ts';
import { renderInvoicePdf } from './pdf.ts';
import { createPlans, recurringAmount } from './plans.ts';
import { billingProfiles, credits, invoices, subscriptions } from './schema.ts';
import { createSubscriptions } from './subscriptions.ts';

const DAY = 86_400_000;

export interface BillingServiceDependencies {
  metering: MeteringService;
  provider: PaymentProvider;
  notifications: Notifications;
  billingContacts(orgId: string): Promise<string[]>;
  organization(orgId: string): Promise<{ name: string; createdAt: Date }>;
}

/** Plans, subscriptions, invoices, credits and the billing profile of organisations. */
export function createBillingService(kernel: Kernel, deps: BillingServiceDependencies) {
  const { database, events, config } = kernel;
  const plans = createPlans(kernel);
  const invoicing = createInvoicing(kernel, { metering: deps.metering, provider: deps.provider });
  let forget: (orgId: string) => void = () => {};
  const subscriptions$ = createSubscriptions(kernel, {
    plans,
    invoicing,
    provider: deps.provider,
    notifications: deps.notifications,
    billingContacts: deps.billingContacts,
    organization: deps.organization,
    changed: (orgId) => forget(orgId),
  });
  const access = createAccess(kernel, { plans, subscription: subscriptions$.get, metering: deps.metering });
  forget = access.forget;

  async function invoiceOf(orgId: string, id: string) {
    const [row] = await withTenant(database, orgId, (tx) =>
      tx
        .select()
        .from(invoices)
        .where(and(eq(invoices.orgId, orgId), eq(invoices.id, id))),
    );
    if (!row) throw new NotFoundError('Invoice');
    return row;
  }

  return {
    plans,
    invoicing,
    subscriptions: subscriptions$,
    access,

    /** The invoice the next period boundary would issue, with credits and tax as they stand now. */
    async upcoming(orgId: string) {
      const subscription = await subscriptions$.get(orgId);
      const plan = await plans.load(subscription.planId, subscription.planVersion);
      const period = { start: subscription.currentPeriodStart, end: subscription.currentPeriodEnd };
      const billing = subscription.status === 'active' || subscription.status === 'past_due';
      const interval = subscription.interval as 'month' | 'year';
      const next = { start: period.end, end: periodEnd(period.end, interval) };
      const lines = billing
        ? [
            ...(subscription.cancelAtPeriodEnd ? [] : recurringLines(plan, interval, subscription.seats, next)),
            ...(await invoicing.overageLines(orgId, plan, { start: period.start, end: kernel.clock() })),
          ]
        : [];
      const totals = await invoicing.preview(orgId, lines);
      return {
        lines: totals.lines,
        subtotal: totals.subtotal,
        credits: totals.credits,
        tax: totals.tax,
        total: totals.total,
        currency: plan.currency,
        period_start: (billing ? next.start : period.start).toISOString(),
        period_end: (billing ? next.end : period.end).toISOString(),
        issued_at: billing ? period.end.toISOString() : null,
      };
    },

    /** The organisation an invoice belongs to (operator routes name invoices by id alone). */
    async organizationOfInvoice(id: string): Promise<string> {
      // System: the operator acts across organisations.
      const [row] = await withSystem(database, (tx) => tx.select({ orgId: invoices.orgId }).from(invoices).where(eq(invoices.id, id)));
      if (!row) throw new NotFoundError('Invoice');
      return row.orgId;
    },

    async listInvoices(orgId: string) {
      return withTenant(database, orgId, (tx) =>
        tx.select().from(invoices).where(eq(invoices.orgId, orgId)).orderBy(desc(invoices.createdAt), desc(invoices.id)).limit(200),
      );
    },
    invoice: invoiceOf,

    async invoicePdf(orgId: string, id: string): Promise<{ invoice: typeof invoices.$inferSelect; pdf: Buffer }> {
      const invoice = await invoiceOf(orgId, id);
      const profile = await this.profile(orgId);
      const pdf = await renderInvoicePdf({
        number: invoice.number,
        status: invoice.status as 'open',
        currency: invoice.currency,
        issuedAt: invoice.finalizedAt ?? invoice.createdAt,
        dueAt: invoice.dueAt,
        paidAt: invoice.paidAt,
        voidedAt: invoice.voidedAt,
        periodStart: invoice.periodStart,
        periodEnd: invoice.periodEnd,
        issuer: { name: config.billing.issuer, address: config.billing.issuerAddress ?? null },
        customer: {
          name: profile.legal_name ?? (await deps.organization(orgId)).name,
          email: profile.email,
          address: profile.address,
          taxId: profile.tax_id,
        },
        branding: { productName: config.billing.issuer },
        lines: invoice.lines as Array<{ description: string; quantity: number; unit_amount: number; unit_size: number; amount: number }>,
        subtotal: invoice.subtotal,
        credits: invoice.credits,
        tax: invoice.tax,
        taxRateBp: invoice.taxRateBp,
        total: invoice.total,
        amountPaid: invoice.amountPaid,
      });
      return { invoice, pdf };
    },

    async listCredits(orgId: string) {
      const rows = await withTenant(database, orgId, (tx) =>
        tx.select().from(credits).where(eq(credits.orgId, orgId)).orderBy(desc(credits.createdAt)),
      );
      const now = kernel.clock();
      const balance = rows.filter((row) => !row.expiresAt || row.expiresAt > now).reduce((total, row) => total + row.remaining, 0);
      return { rows, balance };
    },

    async grantCredit(
      orgId: string,
      input: { kind: 'promotional' | 'prepaid' | 'refund'; amount: number; description?: string; expires_at?: string },
      actor: EventActor,
    ) {
      const expiresAt = input.expires_at ? new Date(input.expires_at) : null;
      if (expiresAt && expiresAt <= kernel.clock()) throw new ValidationError('expires_at is in the past.', 'expires_at');
      return withTenant(database, orgId, async (tx) => {
        const [credit] = await tx
          .insert(credits)
          .values({
            id: newId('cred'),
            orgId,
            kind: input.kind,
            amount: input.amount,
            remaining: input.amount,
            description: input.description ?? '',
            expiresAt,
          })
          .returning();
        await events.emit(tx, {
          type: 'credit.granted',
          orgId,
          actor,
          payload: { credit_id: credit.id, kind: credit.kind, amount: credit.amount, currency: credit.currency },
        });
        return credit;
      });
    },

    async profile(orgId: string) {
      const [row] = await withTenant(database, orgId, (tx) => tx.select().from(billingProfiles).where(eq(billingProfiles.orgId, orgId)));
      return {
        legal_name: row?.legalName ?? null,
        email: row?.email ?? null,
        address: row?.address ?? null,
        tax_id: row?.taxId ?? null,
        tax_rate_bp: row?.taxRateBp ?? 0,
      };
    },

    async updateProfile(
      orgId: string,
      input: { legal_name?: string | null; email?: string | null; address?: string | null; tax_id?: string | null; tax_rate_bp?: number },
      actor: EventActor,
    ) {
      const values = {
        ...(input.legal_name !== undefined ? { legalName: input.legal_name } : {}),
        ...(input.email !== undefined ? { email: input.email } : {}),
        ...(input.address !== undefined ? { address: input.address } : {}),
        ...(input.tax_id !== undefined ? { taxId: input.tax_id } : {}),
        ...(input.tax_rate_bp !== undefined ? { taxRateBp: input.tax_rate_bp } : {}),
        updatedAt: kernel.clock(),
      };
      await withTenant(database, orgId, async (tx) => {
        await tx
          .insert(billingProfiles)
          .values({ orgId, ...values })
          .onConflictDoUpdate({ target: billingProfiles.orgId, set: values });
        await events.emit(tx, { type: 'billing_profile.updated', orgId, actor, payload: { fields: Object.keys(input) } });
      });
      return this.profile(orgId);
    },

    /** Platform revenue figures for the operator (all organisations). */
    async revenue() {
      const now = kernel.clock();
      const monthAgo = new Date(now.getTime() - 30 * DAY);
      // System: the operator's view spans every organisation.
      const rows = await withSystem(database, (tx) => tx.select().from(subscriptions));
      let mrr = 0;
      const byPlan = new Map<string, { plan: string; subscriptions: number; mrr: number }>();
      let active = 0;
      let trialing = 0;
      let pastDue = 0;
      let canceledRecently = 0;
      for (const row of rows) {
        const plan = await plans.load(row.planId, row.planVersion);
        const entry = byPlan.get(plan.slug) ?? { plan: plan.slug, subscriptions: 0, mrr: 0 };
        entry.subscriptions++;
        if (row.status === 'trialing') trialing++;
        if (row.status === 'past_due') pastDue++;
        if (row.status === 'canceled' && row.endedAt && row.endedAt >= monthAgo) canceledRecently++;
        if (row.status === 'active' || row.status === 'past_due') {
          active++;
          const amount = recurringAmount(plan, row.interval as 'month' | 'year', row.seats);
          const monthly = row.interval === 'year' ? Math.round(amount / 12) : amount;
          mrr += monthly;
          entry.mrr += monthly;
        }
        byPlan.set(plan.slug, entry);
      }
      const endedTrials = rows.filter((row) => row.status !== 'trialing').length;
      const paying = rows.filter((row) => ['active', 'past_due'].includes(row.status)).length;
      const paidInvoices = await withSystem(database, (tx) =>
        tx
          .select({ total: sql<string>`coalesce(sum(${invoices.total}), 0)` })
          .from(invoices)
          .where(and(inArray(invoices.status, ['paid']), gte(invoices.paidAt, monthAgo))),
      );
      return {
        currency: 'USD',
        mrr,
        arr: mrr * 12,
        arpu: active ? Math.round(mrr / active) : 0,
        active_subscriptions: active,
        trialing,
        past_due: pastDue,
        canceled_last_30d: canceledRecently,
        churn_rate: active + canceledRecently ? canceledRecently / (active + canceledRecently) : 0,
        trial_conversion: endedTrials ? paying / endedTrials : 0,
        collected_last_30d: Number(paidInvoices[0]?.total ?? 0),
        organizations: rows.length,
        by_plan: [...byPlan.values()],
      };
    },
  };
}

export type BillingService = ReturnType<typeof createBillingService>;
