import { and, eq, inArray, lte, or, sql } from 'drizzle-orm';
import { newId } from '../../kernel/crypto/ids.ts';
import type { Tx } from '../../kernel/db/database.ts';
import { withSystem, withTenant } from '../../kernel/db/tenant.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../kernel/errors.ts';
import type { EventActor } from '../../kernel/events/events.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Notifications } from '../notifications/service.ts';
import { createInvoiceClosing } from './invoice-closing.ts';
import { type Invoice, type Invoicing, RETRY_AFTER_DAYS, recurringLines, type Subscription } from './invoicing.ts';
import { type InvoiceLineInput, periodEnd, prorationLines } from './math.ts';
import type { PaymentProvider, ProviderEvent } from './payments/provider.ts';
import { type Plans, type PlanTerms, recurringAmount, TRIAL_PLAN } from './plans.ts';
import { billingProviderEvents, invoices, subscriptions } from './schema.ts';

const DAY = 86_400_000;
const SYSTEM: EventActor = { type: 'system', id: 'billing' };
const TRIAL_NOTICES = [7, 3];

export type RestrictedReason = 'trial_ended' | 'payment_overdue' | 'canceled';

export function restrictedReason(subscription: Subscription): RestrictedReason | null {
  if (!subscription.restrictedAt) return null;
  if (subscription.status === 'expired') return 'trial_ended';
  if (subscription.status === 'canceled') return 'canceled';
  return 'payment_overdue';
}

export interface BillingDependencies {
  plans: Plans;
  invoicing: Invoicing;
  provider: PaymentProvider;
  notifications: Notifications;
  /** Emails of the owners, admins and billing members, who get billing notices. */
  billingContacts(orgId: string): Promise<string[]>;
  /** The organisation's name and creation time (its trial starts then). */
  organization(orgId: string): Promise<{ name: string; createdAt: Date }>;
  /** Called after any change to an organisation's subscription (cache invalidation). */
  changed(orgId: string): void;
}

/**
 * The subscription lifecycle: trial → active → past_due → canceled/expired, plan changes with
 * proration, cancellation, and the clock-driven `advance` that renews periods, sends trial notices,
 * retries failed charges and restricts (never deletes) organisations that stop paying.
 */
export function createSubscriptions(kernel: Kernel, deps: BillingDependencies) {
  const { database, events, config } = kernel;
  const { plans, invoicing, provider } = deps;
  const clock = () => kernel.clock();

  const payloadOf = (subscription: Subscription, plan: PlanTerms) => ({
    subscription_id: subscription.id,
    plan: plan.slug,
    plan_version: subscription.planVersion,
    status: subscription.status,
    interval: subscription.interval,
    seats: subscription.seats,
  });

  // Contacts are looked up before a transaction opens: inside one only its `tx` may be used.
  async function notify(tx: Tx, contacts: string[], subject: string, text: string) {
    for (const to of contacts) await deps.notifications.sendEmail(tx, { to, subject, text });
  }

  /** Inside the organisation's creation: the Spark trial. */
  async function startTrial(tx: Tx, orgId: string, plan: PlanTerms, start: Date, actor: EventActor = SYSTEM): Promise<Subscription> {
    const end = new Date(start.getTime() + plan.trialDays * DAY);
    const [created] = await tx
      .insert(subscriptions)
      .values({
        id: newId('sub'),
        orgId,
        planId: plan.id,
        planVersion: plan.version,
        status: 'trialing',
        interval: 'month',
        seats: plan.includedSeats,
        currentPeriodStart: start,
        currentPeriodEnd: end,
        trialEnd: end,
        provider: provider.name,
      })
      .onConflictDoNothing()
      .returning();
    if (!created) {
      const [existing] = await tx.select().from(subscriptions).where(eq(subscriptions.orgId, orgId));
      return existing;
    }
    await events.emit(tx, { type: 'subscription.created', orgId, actor, payload: payloadOf(created, plan) });
    return created;
  }

  async function get(orgId: string): Promise<Subscription> {
    const [row] = await withTenant(database, orgId, (tx) => tx.select().from(subscriptions).where(eq(subscriptions.orgId, orgId)));
    if (row) return row;
    // Organisations created before billing existed start their trial on first sight.
    // The trial runs from the organisation's creation, whenever its subscription is first written.
    const trial = await plans.current(TRIAL_PLAN);
    // An organisation that predates billing (created more than a day ago) gets its full trial from now.
    const { createdAt } = await deps.organization(orgId);
    const start = clock().getTime() - createdAt.getTime() < DAY ? createdAt : clock();
    return withTenant(database, orgId, (tx) => startTrial(tx, orgId, trial, start));
  }

  async function lockedSubscription(tx: Tx, orgId: string): Promise<Subscription> {
    const [row] = await tx.select().from(subscriptions).where(eq(subscriptions.orgId, orgId)).for('update');
    if (!row) throw new NotFoundError('Subscription');
    return row;
  }

  /** Charges an invoice through the provider and records the outcome. */
  async function collect(invoice: Invoice): Promise<Invoice> {
    if (invoice.status !== 'open') return invoice;
    // The job's list may be minutes old: an operator may have voided or written off the invoice since.
    const [fresh, subscription] = await withSystem(database, async (tx) => [
      (await tx.select().from(invoices).where(eq(invoices.id, invoice.id)))[0],
      (await tx.select().from(subscriptions).where(eq(subscriptions.orgId, invoice.orgId)))[0],
    ]);
    if (!fresh || fresh.status !== 'open') return fresh ?? invoice;
    const result = await provider.collect({
      invoiceId: invoice.id,
      orgId: invoice.orgId,
      customerId: subscription?.providerCustomerId ?? null,
      number: invoice.number ?? invoice.id,
      currency: invoice.currency,
      total: invoice.total,
      description: `Invoice ${invoice.number}`,
    });
    if (result.status === 'paid') return markPaid(invoice.orgId, invoice.id, SYSTEM, result.providerInvoiceId);
    if (result.status === 'pending') {
      return withSystem(database, async (tx) => {
        const [updated] = await tx
          .update(invoices)
          .set({ providerInvoiceId: result.providerInvoiceId, attempts: sql`${invoices.attempts} + 1`, nextAttemptAt: invoice.dueAt })
          .where(eq(invoices.id, invoice.id))
          .returning();
        return updated;
      });
    }
    return recordFailure(invoice, result.reason, result.providerInvoiceId);
  }

  async function recordFailure(invoice: Invoice, reason: string, providerInvoiceId: string | null): Promise<Invoice> {
    const now = clock();
    const contacts = await deps.billingContacts(invoice.orgId);
    return withSystem(database, async (tx) => {
      const attempt = invoice.attempts + 1;
      const retryDays = RETRY_AFTER_DAYS[attempt - 1];
      const [updated] = await tx
        .update(invoices)
        .set({
          attempts: attempt,
          lastError: reason,
          providerInvoiceId: providerInvoiceId ?? invoice.providerInvoiceId,
          nextAttemptAt: retryDays === undefined ? null : new Date(now.getTime() + retryDays * DAY),
          updatedAt: now,
        })
        .where(and(eq(invoices.id, invoice.id), eq(invoices.status, 'open')))
        .returning();
      if (!updated) return invoice;
      const subscription = await lockedSubscription(tx, invoice.orgId);
      if (subscription.status === 'active') {
        await tx
          .update(subscriptions)
          .set({ status: 'past_due', pastDueSince: now, updatedAt: now })
          .where(eq(subscriptions.id, subscription.id));
      }
      await events.emit(tx, {
        type: 'invoice.payment_failed',
        orgId: invoice.orgId,
        actor: SYSTEM,
        payload: {
          invoice_id: invoice.id,
          number: invoice.number ?? '',
          total: invoice.total,
          currency: invoice.currency,
          attempt,
          reason,
        },
      });
      await notify(
        tx,
        contacts,
        `Payment failed for invoice ${invoice.number}`,
        `We could not collect ${invoice.total / 100} ${invoice.currency} for invoice ${invoice.number}: ${reason}\n` +
          `We will retry. Update your payment method within ${config.billing.graceDays} days to keep full access.`,
      );
      deps.changed(invoice.orgId);
      return updated;
    });
  }

  /**
   * Inside the transaction that settles an invoice (paid or voided): a past-due subscription with
   * nothing left outstanding is active again and its restriction lifted. `plan` is loaded before the
   * transaction opens, since inside one only its `tx` may be used.
   */
  async function restoreWhenSettled(tx: Tx, orgId: string, plan: PlanTerms, actor: EventActor): Promise<void> {
    if ((await invoicing.outstandingInvoices(tx, orgId)).length) return;
    const subscription = await lockedSubscription(tx, orgId);
    if (subscription.status !== 'past_due') return;
    const [restored] = await tx
      .update(subscriptions)
      .set({ status: 'active', pastDueSince: null, restrictedAt: null, updatedAt: clock() })
      .where(eq(subscriptions.id, subscription.id))
      .returning();
    await events.emit(tx, { type: 'subscription.restored', orgId, actor, payload: payloadOf(restored, plan) });
  }

  /**
   * Marks an invoice paid (provider confirmation or an operator), also one written off as
   * uncollectible; restores access when nothing else is owed.
   */
  async function markPaid(orgId: string, invoiceId: string, actor: EventActor, providerInvoiceId?: string | null): Promise<Invoice> {
    const now = clock();
    const owner = await get(orgId);
    const ownerPlan = await plans.load(owner.planId, owner.planVersion);
    const invoice = await withSystem(database, async (tx) => {
      const [current] = await tx
        .select()
        .from(invoices)
        .where(and(eq(invoices.id, invoiceId), eq(invoices.orgId, orgId)))
        .for('update');
      if (!current) throw new NotFoundError('Invoice');
      if (current.status === 'paid') return current;
      if (current.status !== 'open' && current.status !== 'uncollectible') {
        throw new ValidationError(`A ${current.status} invoice cannot be paid.`, 'status', 'invoice_not_open');
      }
      const [paid] = await tx
        .update(invoices)
        .set({
          status: 'paid',
          paidAt: now,
          amountPaid: current.total,
          nextAttemptAt: null,
          providerInvoiceId: providerInvoiceId ?? current.providerInvoiceId,
          updatedAt: now,
        })
        .where(eq(invoices.id, invoiceId))
        .returning();
      await events.emit(tx, {
        type: 'invoice.paid',
        orgId,
        actor,
        payload: { invoice_id: paid.id, number: paid.number ?? '', total: paid.total, currency: paid.currency },
      });
      await restoreWhenSettled(tx, orgId, ownerPlan, actor);
      return paid;
    });
    deps.changed(orgId);
    return invoice;
  }

  /** Issues and (outside the transaction) collects an invoice that a change or renewal produced. */
  async function issueAndCollect(run: (tx: Tx) => Promise<Invoice | null>): Promise<Invoice | null> {
    const invoice = await withSystem(database, run);
    if (invoice && invoice.status === 'open') return collect(invoice);
    return invoice;
  }

  /**
   * Moves to a plan now. From the trial (or a free plan) a new period starts today and is billed
   * in full; between paid plans the unused time of the old one is credited and the rest of the
   * period charged at the new price (a new interval starts a new period, crediting the old).
   * `allowHidden` is for an operator's assignment and for a checkout Atrium itself started: an
   * organisation choosing on its own cannot move to a hidden plan.
   */
  async function change(
    orgId: string,
    input: { plan: string; interval?: 'month' | 'year'; seats?: number },
    actor: EventActor,
    options: { allowHidden?: boolean } = {},
  ) {
    const target = await plans.current(input.plan);
    if (target.archived) throw new ValidationError('This plan is no longer offered.', 'plan', 'plan_unavailable');
    if (target.slug === TRIAL_PLAN)
      throw new ValidationError('The trial cannot be restarted; choose a paid plan.', 'plan', 'trial_unavailable');
    const current = await get(orgId);
    // A hidden plan is one an operator assigns; an organisation cannot pick it by its slug.
    if (!target.public && current.planId !== target.id && !options.allowHidden) {
      throw new ValidationError('This plan is not offered.', 'plan', 'plan_unavailable');
    }
    const interval = input.interval ?? (current.status === 'trialing' ? 'month' : (current.interval as 'month' | 'year'));
    const seats = input.seats ?? Math.min(Math.max(current.seats, target.minSeats), target.maxSeats ?? Number.MAX_SAFE_INTEGER);
    if (seats < target.minSeats || (target.maxSeats !== null && seats > target.maxSeats)) {
      throw new ValidationError(
        `${target.name} takes ${target.minSeats}${target.maxSeats === null ? ' or more' : ` to ${target.maxSeats}`} seats.`,
        'seats',
        'seats_out_of_range',
      );
    }
    if (interval === 'year' && target.yearlyAmount === null) throw new ValidationError(`${target.name} has no yearly price.`, 'interval');
    const newAmount = recurringAmount(target, interval, seats);

    if (provider.name === 'stripe' && newAmount > 0 && !current.providerPaymentMethod && !current.providerSubscriptionId) {
      // No payment method on file yet: the change applies when Stripe reports the completed checkout.
      const { name } = await deps.organization(orgId);
      const customerId = await provider.ensureCustomer({
        orgId,
        name,
        email: (await deps.billingContacts(orgId))[0] ?? null,
        customerId: current.providerCustomerId,
      });
      if (customerId && customerId !== current.providerCustomerId) {
        await withTenant(database, orgId, (tx) =>
          tx.update(subscriptions).set({ providerCustomerId: customerId }).where(eq(subscriptions.orgId, orgId)),
        );
      }
      const base = config.publicUrl ?? `http://${config.host}:${config.port}`;
      const checkout = await provider.createCheckout({
        orgId,
        customerId: customerId ?? '',
        planSlug: target.slug,
        planVersion: target.version,
        interval,
        seats,
        unitAmount: Math.round(newAmount / seats),
        currency: target.currency,
        productName: `${config.billing.issuer} ${target.name}`,
        successUrl: `${base}/billing?checkout=success`,
        cancelUrl: `${base}/billing?checkout=canceled`,
      });
      return { subscription: await get(orgId), invoice: null, checkoutUrl: checkout?.url ?? null };
    }

    const now = clock();
    const previous = await plans.load(current.planId, current.planVersion);
    const usedSoFar = await invoicing.overageLines(orgId, previous, { start: current.currentPeriodStart, end: now });
    const invoice = await issueAndCollect(async (tx) => {
      const subscription = await lockedSubscription(tx, orgId);
      if (subscription.planId !== current.planId || subscription.planVersion !== current.planVersion) {
        throw new ConflictError('The subscription changed meanwhile; try again.', 'subscription_changed');
      }
      const oldAmount = recurringAmount(previous, subscription.interval as 'month' | 'year', subscription.seats);
      const paidBefore = subscription.status === 'active' || subscription.status === 'past_due';
      const freshPeriod = !paidBefore || oldAmount === 0 || interval !== subscription.interval;
      let period = { start: subscription.currentPeriodStart, end: subscription.currentPeriodEnd };
      const lines: InvoiceLineInput[] = [];
      if (freshPeriod) {
        if (paidBefore && oldAmount > 0) {
          lines.push(
            ...prorationLines({ period, at: now, oldAmount, newAmount: 0, oldLabel: previous.name, newLabel: target.name }).map(toLine),
          );
          lines.push(...usedSoFar);
        }
        period = { start: now, end: periodEnd(now, interval) };
        lines.push(...recurringLines(target, interval, seats, period));
      } else {
        lines.push(
          ...prorationLines({ period, at: now, oldAmount, newAmount, oldLabel: previous.name, newLabel: target.name }).map(toLine),
        );
      }
      const [updated] = await tx
        .update(subscriptions)
        .set({
          planId: target.id,
          planVersion: target.version,
          status: subscription.status === 'past_due' ? 'past_due' : 'active',
          interval,
          seats,
          currentPeriodStart: period.start,
          currentPeriodEnd: period.end,
          trialEnd: null,
          cancelAtPeriodEnd: false,
          canceledAt: null,
          endedAt: null,
          restrictedAt: subscription.status === 'past_due' ? subscription.restrictedAt : null,
          notices: [],
          updatedAt: now,
        })
        .where(eq(subscriptions.id, subscription.id))
        .returning();
      await events.emit(tx, {
        type: 'subscription.updated',
        orgId,
        actor,
        payload: { ...payloadOf(updated, target), previous_plan: previous.slug, previous_status: subscription.status },
      });
      if (subscription.restrictedAt && !updated.restrictedAt) {
        await events.emit(tx, { type: 'subscription.restored', orgId, actor, payload: payloadOf(updated, target) });
      }
      if (!lines.length) return null;
      return invoicing.issue(tx, {
        orgId,
        billingKey: `change:${subscription.id}:${newId('chg')}`,
        currency: target.currency,
        period,
        lines,
        actor,
      });
    });
    deps.changed(orgId);
    return { subscription: await get(orgId), invoice, checkoutUrl: null };
  }

  async function cancel(orgId: string, atPeriodEnd: boolean, actor: EventActor): Promise<Subscription> {
    const now = clock();
    const current = await get(orgId);
    if (current.status === 'canceled' || current.status === 'expired') return current;
    const plan = await plans.load(current.planId, current.planVersion);
    const usedSoFar = await invoicing.overageLines(orgId, plan, { start: current.currentPeriodStart, end: now });
    await issueAndCollect(async (tx) => {
      const subscription = await lockedSubscription(tx, orgId);
      if (atPeriodEnd && subscription.status !== 'trialing') {
        const [updated] = await tx
          .update(subscriptions)
          .set({ cancelAtPeriodEnd: true, canceledAt: now, updatedAt: now })
          .where(eq(subscriptions.id, subscription.id))
          .returning();
        await events.emit(tx, {
          type: 'subscription.canceled',
          orgId,
          actor,
          payload: { ...payloadOf(updated, plan), at_period_end: true },
        });
        return null;
      }
      const [ended] = await tx
        .update(subscriptions)
        .set({ status: 'canceled', canceledAt: now, endedAt: now, restrictedAt: now, cancelAtPeriodEnd: false, updatedAt: now })
        .where(eq(subscriptions.id, subscription.id))
        .returning();
      await events.emit(tx, { type: 'subscription.canceled', orgId, actor, payload: { ...payloadOf(ended, plan), at_period_end: false } });
      if (subscription.status === 'trialing') return null;
      // Usage so far is billed; the prepaid base fee is not refunded on an immediate cancel.
      const lines = usedSoFar;
      if (!lines.length) return null;
      return invoicing.issue(tx, {
        orgId,
        billingKey: `final:${subscription.id}`,
        currency: plan.currency,
        period: { start: subscription.currentPeriodStart, end: now },
        lines,
        actor,
      });
    });
    deps.changed(orgId);
    return get(orgId);
  }

  /** One subscription's due work at `now`; each step is its own transaction and idempotent. */
  async function advanceOne(orgId: string, now: Date) {
    for (let guard = 0; guard < 36; guard++) {
      const [subscription] = await withSystem(database, (tx) => tx.select().from(subscriptions).where(eq(subscriptions.orgId, orgId)));
      if (!subscription) return;
      const plan = await plans.load(subscription.planId, subscription.planVersion);
      if (subscription.status === 'trialing') {
        await trialNotices(subscription, plan, now);
        if (subscription.trialEnd && subscription.trialEnd <= now) await endTrial(subscription, plan);
        return;
      }
      if (subscription.status === 'past_due' && !subscription.restrictedAt && subscription.pastDueSince) {
        if (subscription.pastDueSince.getTime() + config.billing.graceDays * DAY <= now.getTime())
          await restrict(subscription, plan, 'payment_overdue');
      }
      if (!['active', 'past_due'].includes(subscription.status) || subscription.currentPeriodEnd > now) return;
      await renew(subscription, plan);
      deps.changed(orgId);
    }
  }

  async function trialNotices(subscription: Subscription, plan: PlanTerms, now: Date) {
    if (!subscription.trialEnd) return;
    const daysLeft = Math.ceil((subscription.trialEnd.getTime() - now.getTime()) / DAY);
    const sent = new Set(subscription.notices as string[]);
    const due = TRIAL_NOTICES.filter((days) => daysLeft <= days && daysLeft > 0 && !sent.has(`trial_${days}d`));
    if (!due.length) return;
    const days = Math.min(...due);
    const contacts = await deps.billingContacts(subscription.orgId);
    await withSystem(database, async (tx) => {
      const marks = due.map((value) => `trial_${value}d`);
      await tx
        .update(subscriptions)
        .set({ notices: sql`${subscriptions.notices} || ${JSON.stringify(marks)}::jsonb` })
        .where(eq(subscriptions.id, subscription.id));
      await events.emit(tx, {
        type: 'subscription.trial_will_end',
        orgId: subscription.orgId,
        actor: SYSTEM,
        payload: { ...payloadOf(subscription, plan), days_left: days, trial_end: subscription.trialEnd?.toISOString() ?? '' },
      });
      await notify(
        tx,
        contacts,
        `Your ${plan.name} trial ends in ${days} days`,
        `Your trial ends on ${subscription.trialEnd?.toISOString().slice(0, 10)}. Choose a plan to keep full access; ` +
          'after the trial your organization stays readable but becomes read-only.',
      );
    });
  }

  async function endTrial(subscription: Subscription, plan: PlanTerms) {
    if (recurringAmount(plan, 'month', subscription.seats) > 0) {
      // A trial of a paid plan converts: its first period starts where the trial ended.
      await withSystem(database, (tx) =>
        tx.update(subscriptions).set({ status: 'active', trialEnd: null }).where(eq(subscriptions.id, subscription.id)),
      );
      return;
    }
    await restrict(subscription, plan, 'trial_ended');
  }

  async function restrict(subscription: Subscription, plan: PlanTerms, reason: 'trial_ended' | 'payment_overdue') {
    const now = clock();
    const contacts = await deps.billingContacts(subscription.orgId);
    await withSystem(database, async (tx) => {
      const [updated] = await tx
        .update(subscriptions)
        .set({
          restrictedAt: now,
          updatedAt: now,
          ...(reason === 'trial_ended' ? { status: 'expired', endedAt: subscription.trialEnd ?? now } : {}),
        })
        .where(and(eq(subscriptions.id, subscription.id), sql`${subscriptions.restrictedAt} is null`))
        .returning();
      if (!updated) return;
      await events.emit(tx, {
        type: 'subscription.restricted',
        orgId: subscription.orgId,
        actor: SYSTEM,
        payload: { ...payloadOf(updated, plan), reason },
      });
      await notify(
        tx,
        contacts,
        reason === 'trial_ended' ? 'Your trial has ended' : 'Your organization is now read-only',
        reason === 'trial_ended'
          ? 'Your trial has ended. Everything you created is kept and readable; choose a plan to continue working.'
          : 'An invoice is still unpaid after the grace period. Your data is kept and readable; pay the invoice to restore full access.',
      );
    });
    deps.changed(subscription.orgId);
  }

  /** Closes the period: usage beyond the plan in arrears, the next period in advance. */
  async function renew(subscription: Subscription, plan: PlanTerms) {
    const closed = { start: subscription.currentPeriodStart, end: subscription.currentPeriodEnd };
    const overage = await invoicing.overageLines(subscription.orgId, plan, closed);
    await issueAndCollect(async (tx) => {
      const locked = await lockedSubscription(tx, subscription.orgId);
      if (locked.currentPeriodEnd.getTime() !== closed.end.getTime()) return null;
      const interval = locked.interval as 'month' | 'year';
      if (locked.cancelAtPeriodEnd) {
        const [ended] = await tx
          .update(subscriptions)
          .set({ status: 'canceled', endedAt: closed.end, restrictedAt: closed.end, cancelAtPeriodEnd: false, updatedAt: clock() })
          .where(eq(subscriptions.id, locked.id))
          .returning();
        await events.emit(tx, {
          type: 'subscription.canceled',
          orgId: locked.orgId,
          actor: SYSTEM,
          payload: { ...payloadOf(ended, plan), at_period_end: true },
        });
        if (!overage.length) return null;
        return invoicing.issue(tx, {
          orgId: locked.orgId,
          billingKey: `period:${locked.id}:${closed.end.getTime()}`,
          currency: plan.currency,
          period: closed,
          lines: overage,
          actor: SYSTEM,
        });
      }
      const next = { start: closed.end, end: periodEnd(closed.end, interval) };
      await tx
        .update(subscriptions)
        .set({ currentPeriodStart: next.start, currentPeriodEnd: next.end, notices: [], updatedAt: clock() })
        .where(eq(subscriptions.id, locked.id));
      const lines = [...recurringLines(plan, interval, locked.seats, next), ...overage];
      if (!lines.length) return null;
      return invoicing.issue(tx, {
        orgId: locked.orgId,
        billingKey: `period:${locked.id}:${closed.end.getTime()}`,
        currency: plan.currency,
        period: next,
        lines,
        actor: SYSTEM,
      });
    });
  }

  const closing = createInvoiceClosing(kernel, {
    provider,
    planOf: async (orgId) => {
      const subscription = await get(orgId);
      return plans.load(subscription.planId, subscription.planVersion);
    },
    markPaid,
    restoreWhenSettled,
    changed: deps.changed,
  });

  return {
    startTrial,
    get,
    change,
    cancel,
    collect,
    markPaid,
    voidInvoice: closing.void,
    markUncollectible: closing.markUncollectible,

    /** The periodic job: renewals, trial notices and ends, grace periods, charge retries. */
    async advance(now = clock()) {
      const due = await withSystem(database, (tx) =>
        tx
          .select({ orgId: subscriptions.orgId })
          .from(subscriptions)
          .where(
            or(
              and(inArray(subscriptions.status, ['active', 'past_due']), lte(subscriptions.currentPeriodEnd, now)),
              and(eq(subscriptions.status, 'trialing'), lte(subscriptions.trialEnd, new Date(now.getTime() + 8 * DAY))),
              and(eq(subscriptions.status, 'past_due'), sql`${subscriptions.restrictedAt} is null`),
            ),
          ),
      );
      for (const { orgId } of due) await advanceOne(orgId, now);
      for (const invoice of await invoicing.dueForCollection(now)) {
        if (provider.name === 'manual') await manualOverdue(invoice, now);
        else await collect(invoice);
      }
      return due.length;
    },

    /** Applies a verified provider webhook once: a replay (same event id) changes nothing. */
    async handleProviderEvent(event: ProviderEvent): Promise<'processed' | 'duplicate' | 'ignored'> {
      if (event.type === 'ignored') return 'ignored';
      const first = await withSystem(database, (tx) =>
        tx
          .insert(billingProviderEvents)
          .values({ provider: provider.name, eventId: event.id, type: event.type })
          .onConflictDoNothing()
          .returning(),
      );
      if (!first.length) return 'duplicate';
      try {
        await applyProviderEvent(event);
      } catch (error) {
        // Let the provider redeliver: forget the event so the retry is processed.
        await withSystem(database, (tx) =>
          tx
            .delete(billingProviderEvents)
            .where(and(eq(billingProviderEvents.provider, provider.name), eq(billingProviderEvents.eventId, event.id))),
        );
        throw error;
      }
      return 'processed';
    },
  };

  /** Manual invoices: collected by an operator; unpaid past their due date, the subscription is past due. */
  async function manualOverdue(invoice: Invoice, now: Date) {
    if (invoice.attempts === 0) {
      await collect(invoice);
      return;
    }
    if (!invoice.dueAt || invoice.dueAt > now) return;
    await withSystem(database, async (tx) => {
      const [overdue] = await tx
        .update(invoices)
        .set({ nextAttemptAt: null, attempts: RETRY_AFTER_DAYS.length + 1 })
        .where(and(eq(invoices.id, invoice.id), eq(invoices.status, 'open')))
        .returning();
      // Voided or written off since the job listed it: nothing is overdue.
      if (!overdue) return;
      await tx
        .update(subscriptions)
        .set({ status: 'past_due', pastDueSince: invoice.dueAt, updatedAt: now })
        .where(and(eq(subscriptions.orgId, invoice.orgId), eq(subscriptions.status, 'active')));
    });
    deps.changed(invoice.orgId);
  }

  async function applyProviderEvent(event: Exclude<ProviderEvent, { type: 'ignored' }>) {
    const orgId = event.orgId;
    if (!orgId) return;
    switch (event.type) {
      case 'checkout.completed': {
        // The saved card becomes the one Atrium's invoices are charged to, before the first is issued.
        const paymentMethod = await provider.useSavedPaymentMethod(event);
        await withTenant(database, orgId, (tx) =>
          tx
            .update(subscriptions)
            .set({
              providerCustomerId: event.customerId,
              providerSubscriptionId: event.providerSubscriptionId,
              providerPaymentMethod: paymentMethod,
              provider: 'stripe',
            })
            .where(eq(subscriptions.orgId, orgId)),
        );
        if (event.planSlug) {
          // The plan was accepted when Atrium created the checkout (an operator's assignment may
          // name a hidden plan, or a plan was hidden since): refusing now would fail every redelivery.
          await change(
            orgId,
            { plan: event.planSlug, interval: event.interval ?? undefined, seats: event.seats ?? undefined },
            { type: 'system', id: 'stripe' },
            { allowHidden: true },
          );
        }
        return;
      }
      case 'invoice.paid': {
        if (event.atriumInvoiceId) await markPaid(orgId, event.atriumInvoiceId, { type: 'system', id: 'stripe' }, event.providerInvoiceId);
        return;
      }
      case 'invoice.payment_failed': {
        if (!event.atriumInvoiceId) return;
        const [invoice] = await withSystem(database, (tx) =>
          tx
            .select()
            .from(invoices)
            .where(eq(invoices.id, event.atriumInvoiceId as string)),
        );
        // Our own charge attempt already recorded this failure when Stripe answered it.
        const known = invoice?.attempts && invoice.providerInvoiceId === event.providerInvoiceId && invoice.lastError;
        if (invoice && invoice.orgId === orgId && !known) await recordFailure(invoice, event.reason, event.providerInvoiceId);
        return;
      }
      case 'subscription.updated': {
        await withTenant(database, orgId, (tx) =>
          tx
            .update(subscriptions)
            .set({ cancelAtPeriodEnd: event.cancelAtPeriodEnd, providerSubscriptionId: event.providerSubscriptionId, updatedAt: clock() })
            .where(eq(subscriptions.orgId, orgId)),
        );
        deps.changed(orgId);
        return;
      }
      case 'subscription.deleted': {
        await cancel(orgId, false, { type: 'system', id: 'stripe' });
        return;
      }
      case 'subscription.trial_will_end':
        return;
    }
  }
}

function toLine(line: { description: string; amount: number; kind: string }): InvoiceLineInput {
  return { kind: 'proration', description: line.description, quantity: 1, unitAmount: line.amount, amount: line.amount };
}

export type Subscriptions = ReturnType<typeof createSubscriptions>;
