import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/database.ts';
import { withSystem } from '../../kernel/db/tenant.ts';
import { AppError, NotFoundError } from '../../kernel/errors.ts';
import type { EventActor } from '../../kernel/events/events.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Invoice } from './invoicing.ts';
import type { CreditApplication } from './math.ts';
import type { InvoiceClosing, PaymentProvider } from './payments/provider.ts';
import type { PlanTerms } from './plans.ts';
import { credits, invoices } from './schema.ts';

/** The statuses each closing starts from, as in Stripe: a written-off invoice can still be voided. */
const CLOSABLE_FROM: Record<InvoiceClosing, readonly string[]> = { void: ['open', 'uncollectible'], uncollectible: ['open'] };
const DONE: Record<InvoiceClosing, string> = { void: 'voided', uncollectible: 'written off' };

/** The payment provider could not close its invoice: nothing was changed, and the operator may try again. */
export class ProviderCloseError extends AppError {
  constructor(cause: unknown) {
    super(502, 'api_error', 'payment_provider_error', 'The payment provider could not close the invoice; nothing was changed. Try again.', {
      retryable: true,
      expose: true,
      cause,
    });
  }
}

/** The invoice's status does not allow the change (a paid invoice cannot be voided): 409 naming the status. */
export class InvoiceStatusError extends AppError {
  constructor(invoice: Pick<Invoice, 'id' | 'number' | 'status'>, closing: InvoiceClosing) {
    super(
      409,
      'conflict_error',
      'invoice_status_conflict',
      `Invoice ${invoice.number ?? invoice.id} is ${invoice.status} and cannot be ${DONE[closing]}.`,
      { details: { invoice_status: invoice.status } },
    );
  }
}

export interface InvoiceClosingDependencies {
  provider: PaymentProvider;
  /** The organisation's current plan terms (for the restoration event), read before a transaction opens. */
  planOf(orgId: string): Promise<PlanTerms>;
  markPaid(orgId: string, invoiceId: string, actor: EventActor, providerInvoiceId?: string | null): Promise<Invoice>;
  restoreWhenSettled(tx: Tx, orgId: string, plan: PlanTerms, actor: EventActor): Promise<void>;
  /** Called after an invoice changed (cache invalidation). */
  changed(orgId: string): void;
}

/**
 * An operator's corrections to an issued invoice. Voiding cancels it as if it had never been owed:
 * the credits it used go back, and an organisation past due only because of it recovers. Writing it
 * off (`uncollectible`) stops collection but the debt stands: credits stay spent, access is not
 * restored, and a payment still settles it. Both keep the invoice and its number, so numbering
 * stays gapless.
 */
export function createInvoiceClosing(kernel: Kernel, deps: InvoiceClosingDependencies) {
  const { database, events } = kernel;

  async function invoiceOf(tx: Tx, orgId: string, invoiceId: string, lock: boolean): Promise<Invoice> {
    const query = tx
      .select()
      .from(invoices)
      .where(and(eq(invoices.id, invoiceId), eq(invoices.orgId, orgId)));
    const [row] = lock ? await query.for('update') : await query;
    if (!row) throw new NotFoundError('Invoice');
    return row;
  }

  /** Whether `invoice` is already closed that way (a retry: nothing to do); throws when it cannot be. */
  function alreadyClosed(invoice: Invoice, closing: InvoiceClosing): boolean {
    if (invoice.status === closing) return true;
    if (!CLOSABLE_FROM[closing].includes(invoice.status)) throw new InvoiceStatusError(invoice, closing);
    return false;
  }

  /** Gives back exactly what the invoice took from each credit. A credit that expired since stays expired. */
  async function restoreCredits(tx: Tx, invoice: Invoice): Promise<number> {
    let restored = 0;
    for (const application of invoice.creditApplications as CreditApplication[]) {
      if (application.amount <= 0) continue;
      const [credit] = await tx
        .update(credits)
        .set({ remaining: sql`${credits.remaining} + ${application.amount}` })
        .where(and(eq(credits.id, application.creditId), eq(credits.orgId, invoice.orgId)))
        .returning({ id: credits.id });
      if (credit) restored += application.amount;
    }
    return restored;
  }

  async function close(orgId: string, invoiceId: string, closing: InvoiceClosing, reason: string, actor: EventActor) {
    const invoice = await withSystem(database, (tx) => invoiceOf(tx, orgId, invoiceId, false));
    if (alreadyClosed(invoice, closing)) return invoice;
    // The provider first, then Atrium. The remote call cannot join the database transaction, so one
    // write may succeed without the other. Closed at the provider but still open in Atrium is safe:
    // the provider refuses to charge it, and a retry completes (closing is idempotent there). The
    // other order could leave an invoice void in Atrium while the provider still collects it.
    if (invoice.providerInvoiceId) {
      const result = await deps.provider.closeInvoice(invoice.providerInvoiceId, closing).catch((error: unknown) => {
        kernel.log.warn({ err: error, invoiceId, closing }, 'the payment provider could not close an invoice');
        throw new ProviderCloseError(error);
      });
      if (result.status === 'paid') {
        // The customer paid meanwhile (its webhook may still be on the way): record it, then refuse.
        const paid = await deps.markPaid(orgId, invoiceId, { type: 'system', id: deps.provider.name }, invoice.providerInvoiceId);
        throw new InvoiceStatusError(paid, closing);
      }
    }
    const plan = await deps.planOf(orgId);
    const closed = await withSystem(database, async (tx) => {
      const current = await invoiceOf(tx, orgId, invoiceId, true);
      if (alreadyClosed(current, closing)) return current;
      const now = kernel.clock();
      const [updated] = await tx
        .update(invoices)
        .set({ status: closing, nextAttemptAt: null, updatedAt: now, ...(closing === 'void' ? { voidedAt: now } : {}) })
        .where(eq(invoices.id, current.id))
        .returning();
      const payload = { invoice_id: current.id, total: current.total, currency: current.currency, reason };
      if (closing === 'void') {
        const restored = await restoreCredits(tx, current);
        await events.emit(tx, {
          type: 'invoice.voided',
          orgId,
          actor,
          payload: { ...payload, number: current.number, credits_restored: restored },
        });
        await deps.restoreWhenSettled(tx, orgId, plan, actor);
      } else {
        await events.emit(tx, { type: 'invoice.uncollectible', orgId, actor, payload: { ...payload, number: current.number ?? '' } });
      }
      return updated;
    });
    deps.changed(orgId);
    return closed;
  }

  return {
    /**
     * Voids an open or written-off invoice: never owed after all. Its credits go back to the
     * organisation, and a past-due organisation with nothing else outstanding is restored.
     */
    void: (orgId: string, invoiceId: string, reason: string, actor: EventActor) => close(orgId, invoiceId, 'void', reason, actor),
    /** Writes off an open invoice: no longer collected, still owed (access is not restored). */
    markUncollectible: (orgId: string, invoiceId: string, reason: string, actor: EventActor) =>
      close(orgId, invoiceId, 'uncollectible', reason, actor),
  };
}
