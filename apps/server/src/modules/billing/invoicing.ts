import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { newId } from '../../kernel/crypto/ids.ts';
import type { Tx } from '../../kernel/db/database.ts';
import { withSystem, withTenant } from '../../kernel/db/tenant.ts';
import type { EventActor } from '../../kernel/events/events.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { MeteringService } from '../metering/index.ts';
import { buildInvoice, type CreditBalance, type InvoiceLineInput, monthSlices, overage } from './math.ts';
import type { PaymentProvider } from './payments/provider.ts';
import { type PlanTerms, recurringAmount } from './plans.ts';
import { billingProfiles, credits, invoiceSequences, invoices, type subscriptions } from './schema.ts';

export type Invoice = typeof invoices.$inferSelect;
export type Subscription = typeof subscriptions.$inferSelect;

const DAY = 86_400_000;
/** Days after a failed charge each retry runs; after the last the invoice stays open for an operator. */
export const RETRY_AFTER_DAYS = [1, 3, 5];
/** Invoice statuses that still count as owed (only `open` ones are collected). */
const OUTSTANDING = ['open', 'uncollectible'];

const dateLabel = (date: Date) => date.toISOString().slice(0, 10);

/** The recurring lines of a plan for one period: base fee and extra seats. */
export function recurringLines(
  plan: PlanTerms,
  interval: 'month' | 'year',
  seats: number,
  period: { start: Date; end: Date },
): InvoiceLineInput[] {
  const lines: InvoiceLineInput[] = [];
  const base = (interval === 'year' ? plan.yearlyAmount : plan.monthlyAmount) ?? 0;
  const span = `${dateLabel(period.start)} – ${dateLabel(period.end)}`;
  if (base > 0) lines.push({ kind: 'base', description: `${plan.name} (${interval}ly), ${span}`, quantity: 1, unitAmount: base });
  const extraSeats = Math.max(0, seats - plan.includedSeats);
  if (extraSeats > 0 && plan.seatAmount > 0) {
    lines.push({
      kind: 'seats',
      description: `Extra seats beyond ${plan.includedSeats}, ${span}`,
      quantity: extraSeats,
      unitAmount: plan.seatAmount * (interval === 'year' ? 12 : 1),
    });
  }
  return lines;
}

/**
 * Issuing and collecting invoices. An invoice is written finalised: numbered from its issuer's
 * sequence in the same transaction that inserts it and consumes credits, so a failure leaves no
 * gap, no half-spent credit and no unnumbered invoice; the billing key makes a retried step a no-op.
 */
export function createInvoicing(kernel: Kernel, deps: { metering: MeteringService; provider: PaymentProvider }) {
  const { database, config, events } = kernel;
  const issuer = config.billing.issuer;

  /**
   * Overage lines for a closed (or running) period from metered usage. Included quantities are
   * per month, so a yearly period is settled month slice by month slice: one line per metric for
   * each month whose usage went beyond what the plan includes.
   */
  async function overageLines(orgId: string, plan: PlanTerms, period: { start: Date; end: Date }): Promise<InvoiceLineInput[]> {
    const priced = Object.entries(plan.quotas).filter(([, terms]) => terms.overage);
    if (!priced.length) return [];
    const lines: InvoiceLineInput[] = [];
    for (const slice of monthSlices(period.start, period.end)) {
      const totals = await deps.metering.totals(orgId, slice.start, slice.end);
      for (const [metric, terms] of priced) {
        if (!terms.overage) continue;
        const used = totals.get(metric) ?? 0;
        const billed = overage({
          included: terms.included,
          used,
          unitAmount: terms.overage.unit_amount,
          unitSize: terms.overage.unit_size,
        });
        if (billed.quantity <= 0) continue;
        lines.push({
          kind: 'overage',
          metric,
          description: `${metric.replaceAll('_', ' ')} beyond ${(terms.included ?? 0).toLocaleString('en-US')} included, ${dateLabel(slice.start)} – ${dateLabel(slice.end)}`,
          quantity: billed.quantity,
          unitAmount: terms.overage.unit_amount,
          unitSize: terms.overage.unit_size,
        });
      }
    }
    return lines;
  }

  async function creditBalances(tx: Tx, orgId: string): Promise<CreditBalance[]> {
    const rows = await tx
      .select()
      .from(credits)
      .where(and(eq(credits.orgId, orgId), sql`${credits.remaining} > 0`))
      .orderBy(asc(credits.createdAt), asc(credits.id));
    return rows.map((row) => ({ id: row.id, remaining: row.remaining, createdAt: row.createdAt, expiresAt: row.expiresAt }));
  }

  async function taxRateOf(tx: Tx, orgId: string): Promise<number> {
    const [profile] = await tx
      .select({ taxRateBp: billingProfiles.taxRateBp })
      .from(billingProfiles)
      .where(eq(billingProfiles.orgId, orgId));
    return profile?.taxRateBp ?? 0;
  }

  return {
    overageLines,

    /** What the next invoice would hold if it were issued now: nothing is written. */
    async preview(orgId: string, lines: InvoiceLineInput[]) {
      return withTenant(database, orgId, async (tx) => {
        const totals = buildInvoice({
          lines,
          credits: await creditBalances(tx, orgId),
          taxRateBp: await taxRateOf(tx, orgId),
          at: kernel.clock(),
        });
        return totals;
      });
    },

    /**
     * Issues an invoice inside `tx` (a system transaction that may also change the subscription):
     * numbers it, applies credits oldest first, grants a refund credit for a negative subtotal.
     * Returns the existing invoice when `billingKey` was already issued.
     */
    async issue(
      tx: Tx,
      input: {
        orgId: string;
        billingKey: string;
        currency: string;
        period: { start: Date; end: Date };
        lines: InvoiceLineInput[];
        actor: EventActor;
      },
    ): Promise<Invoice> {
      const [existing] = await tx
        .select()
        .from(invoices)
        .where(and(eq(invoices.orgId, input.orgId), eq(invoices.billingKey, input.billingKey)));
      if (existing) return existing;
      const now = kernel.clock();
      const taxRateBp = await taxRateOf(tx, input.orgId);
      const totals = buildInvoice({ lines: input.lines, credits: await creditBalances(tx, input.orgId), taxRateBp, at: now });
      for (const application of totals.credit_applications) {
        await tx
          .update(credits)
          .set({ remaining: sql`${credits.remaining} - ${application.amount}` })
          .where(and(eq(credits.id, application.creditId), sql`${credits.remaining} >= ${application.amount}`));
      }
      const [sequence] = await tx
        .insert(invoiceSequences)
        .values({ issuer, lastNumber: 1 })
        .onConflictDoUpdate({ target: invoiceSequences.issuer, set: { lastNumber: sql`${invoiceSequences.lastNumber} + 1` } })
        .returning();
      const number = `${config.billing.invoicePrefix}-${String(sequence.lastNumber).padStart(6, '0')}`;
      const paid = totals.total === 0;
      const [invoice] = await tx
        .insert(invoices)
        .values({
          id: newId('inv'),
          orgId: input.orgId,
          number,
          issuer,
          status: paid ? 'paid' : 'open',
          billingKey: input.billingKey,
          currency: input.currency,
          periodStart: input.period.start,
          periodEnd: input.period.end,
          lines: totals.lines,
          subtotal: totals.subtotal,
          credits: totals.credits,
          creditApplications: totals.credit_applications,
          taxRateBp,
          tax: totals.tax,
          total: totals.total,
          amountPaid: 0,
          dueAt: new Date(now.getTime() + config.billing.netDays * DAY),
          finalizedAt: now,
          paidAt: paid ? now : null,
        })
        .returning();
      if (totals.carry_forward > 0) {
        const creditId = newId('cred');
        await tx.insert(credits).values({
          id: creditId,
          orgId: input.orgId,
          kind: 'refund',
          amount: totals.carry_forward,
          remaining: totals.carry_forward,
          currency: input.currency,
          description: `Unused time credited on invoice ${number}`,
        });
        await events.emit(tx, {
          type: 'credit.granted',
          orgId: input.orgId,
          actor: input.actor,
          payload: { credit_id: creditId, kind: 'refund', amount: totals.carry_forward, currency: input.currency },
        });
      }
      const payload = { invoice_id: invoice.id, number, total: invoice.total, currency: invoice.currency };
      await events.emit(tx, { type: 'invoice.finalized', orgId: input.orgId, actor: input.actor, payload });
      if (paid) await events.emit(tx, { type: 'invoice.paid', orgId: input.orgId, actor: input.actor, payload });
      return invoice;
    },

    /**
     * Open invoices whose charge should be (re)tried now, across organisations (system job). Void
     * and written-off (uncollectible) invoices are never collected.
     */
    async dueForCollection(now: Date): Promise<Invoice[]> {
      return withSystem(database, (tx) =>
        tx
          .select()
          .from(invoices)
          .where(
            and(
              eq(invoices.status, 'open'),
              sql`(${invoices.attempts} = 0 or ${invoices.nextAttemptAt} <= ${now.toISOString()})`,
              sql`${invoices.attempts} <= ${RETRY_AFTER_DAYS.length}`,
            ),
          ),
      );
    },

    /**
     * What the organisation still owes: open invoices, and written-off (uncollectible) ones, which
     * stay payable. Access lost over an unpaid invoice comes back only when none is left.
     */
    async outstandingInvoices(tx: Tx, orgId: string): Promise<Invoice[]> {
      return tx
        .select()
        .from(invoices)
        .where(and(eq(invoices.orgId, orgId), inArray(invoices.status, OUTSTANDING)));
    },

    recurringAmount,
  };
}

export type Invoicing = ReturnType<typeof createInvoicing>;
