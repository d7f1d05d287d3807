import { z } from 'zod';
import type { Invoice, Subscription } from './invoicing.ts';
import type { InvoiceLine } from './math.ts';
import type { PlanTerms } from './plans.ts';
import { restrictedReason } from './subscriptions.ts';

const DAY = 86_400_000;
const iso = (date: Date | null) => (date ? date.toISOString() : null);
/** Statuses with money still to collect: a written-off invoice can still be paid. */
const PAYABLE = new Set(['open', 'uncollectible']);

const QuotaTermsDto = z.object({
  included: z.number().nullable().describe('Included per period; null: unlimited'),
  overage: z
    .object({ unit_amount: z.number().describe('Minor units per unit_size'), unit_size: z.number() })
    .nullable()
    .describe('Null: a hard limit (402 beyond it)'),
});

export const PlanDto = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  version: z.number(),
  currency: z.string(),
  prices: z.object({ month: z.number().nullable(), year: z.number().nullable() }).describe('Minor units; null: not offered'),
  seat_amount: z.number().describe('Per extra seat per month, minor units'),
  included_seats: z.number(),
  min_seats: z.number(),
  max_seats: z.number().nullable(),
  trial_days: z.number(),
  limits: z.record(z.string(), z.number()),
  quotas: z.record(z.string(), QuotaTermsDto),
  features: z.record(z.string(), z.unknown()),
  custom_pricing: z.boolean(),
  public: z.boolean(),
  archived: z.boolean(),
});

export function planDto(plan: PlanTerms): z.infer<typeof PlanDto> {
  return {
    id: plan.id,
    slug: plan.slug,
    name: plan.name,
    description: plan.description,
    version: plan.version,
    currency: plan.currency,
    prices: { month: plan.monthlyAmount, year: plan.yearlyAmount },
    seat_amount: plan.seatAmount,
    included_seats: plan.includedSeats,
    min_seats: plan.minSeats,
    max_seats: plan.maxSeats,
    trial_days: plan.trialDays,
    limits: plan.limits as Record<string, number>,
    quotas: plan.quotas,
    features: plan.features,
    custom_pricing: plan.features.custom_pricing === true,
    public: plan.public,
    archived: plan.archived,
  };
}

export const SubscriptionDto = z.object({
  id: z.string(),
  plan: z.object({ id: z.string(), slug: z.string(), name: z.string(), version: z.number() }),
  status: z.enum(['trialing', 'active', 'past_due', 'canceled', 'expired']),
  interval: z.enum(['month', 'year']),
  seats: z.number(),
  current_period_start: z.string(),
  current_period_end: z.string(),
  trial_end: z.string().nullable(),
  days_left_in_trial: z.number().nullable(),
  cancel_at_period_end: z.boolean(),
  canceled_at: z.string().nullable(),
  past_due_since: z.string().nullable(),
  restricted: z.boolean().describe('Read-only: writes answer 402 organization_restricted'),
  restricted_reason: z.enum(['trial_ended', 'payment_overdue', 'canceled']).nullable(),
  provider: z.enum(['manual', 'stripe']),
  upgrade_url: z.string(),
});

export function subscriptionDto(
  subscription: Subscription,
  plan: PlanTerms,
  now: Date,
  upgradeUrl: string,
): z.infer<typeof SubscriptionDto> {
  const reason = restrictedReason(subscription);
  return {
    id: subscription.id,
    plan: { id: plan.id, slug: plan.slug, name: plan.name, version: subscription.planVersion },
    status: subscription.status as z.infer<typeof SubscriptionDto>['status'],
    interval: subscription.interval as 'month' | 'year',
    seats: subscription.seats,
    current_period_start: subscription.currentPeriodStart.toISOString(),
    current_period_end: subscription.currentPeriodEnd.toISOString(),
    trial_end: iso(subscription.trialEnd),
    days_left_in_trial:
      subscription.status === 'trialing' && subscription.trialEnd
        ? Math.max(0, Math.round((subscription.trialEnd.getTime() - now.getTime()) / DAY))
        : null,
    cancel_at_period_end: subscription.cancelAtPeriodEnd,
    canceled_at: iso(subscription.canceledAt),
    past_due_since: iso(subscription.pastDueSince),
    restricted: reason !== null,
    restricted_reason: reason,
    provider: subscription.provider as 'manual' | 'stripe',
    upgrade_url: upgradeUrl,
  };
}

export const LineDto = z.object({
  description: z.string(),
  metric: z.string().nullable(),
  quantity: z.number(),
  unit_amount: z.number().describe('Minor units per unit_size'),
  unit_size: z.number(),
  amount: z.number().describe('Minor units'),
  kind: z.string(),
});

export const InvoiceDto = z.object({
  id: z.string(),
  number: z.string().nullable(),
  status: z.enum(['draft', 'open', 'paid', 'void', 'uncollectible']),
  currency: z.string(),
  period_start: z.string(),
  period_end: z.string(),
  lines: z.array(LineDto),
  subtotal: z.number(),
  credits: z.number(),
  tax: z.number(),
  tax_rate_bp: z.number(),
  total: z.number(),
  amount_paid: z.number(),
  amount_due: z.number().describe('What is left to pay: 0 once paid or void; a written-off (uncollectible) invoice stays payable'),
  due_at: z.string().nullable(),
  paid_at: z.string().nullable(),
  voided_at: z.string().nullable(),
  attempts: z.number(),
  last_error: z.string().nullable(),
  created_at: z.string(),
  pdf_url: z.string(),
});

export function invoiceDto(invoice: Invoice): z.infer<typeof InvoiceDto> {
  return {
    id: invoice.id,
    number: invoice.number,
    status: invoice.status as z.infer<typeof InvoiceDto>['status'],
    currency: invoice.currency,
    period_start: invoice.periodStart.toISOString(),
    period_end: invoice.periodEnd.toISOString(),
    lines: invoice.lines as InvoiceLine[],
    subtotal: invoice.subtotal,
    credits: invoice.credits,
    tax: invoice.tax,
    tax_rate_bp: invoice.taxRateBp,
    total: invoice.total,
    amount_paid: invoice.amountPaid,
    amount_due: PAYABLE.has(invoice.status) ? Math.max(0, invoice.total - invoice.amountPaid) : 0,
    due_at: iso(invoice.dueAt),
    paid_at: iso(invoice.paidAt),
    voided_at: iso(invoice.voidedAt),
    attempts: invoice.attempts,
    last_error: invoice.lastError,
    created_at: invoice.createdAt.toISOString(),
    pdf_url: `/api/v1/invoices/${invoice.id}/pdf`,
  };
}

export const UpcomingDto = z.object({
  lines: z.array(LineDto),
  subtotal: z.number(),
  credits: z.number(),
  tax: z.number(),
  total: z.number(),
  currency: z.string(),
  period_start: z.string(),
  period_end: z.string(),
  issued_at: z.string().nullable().describe('When it will be issued; null when nothing will be billed'),
});

export const CreditDto = z.object({
  id: z.string(),
  kind: z.enum(['promotional', 'prepaid', 'refund']),
  amount: z.number(),
  remaining: z.number(),
  currency: z.string(),
  description: z.string(),
  expires_at: z.string().nullable(),
  created_at: z.string(),
});

export const ProfileBody = z.object({
  legal_name: z.string().trim().max(200).nullable().optional(),
  email: z.email().max(320).nullable().optional(),
  address: z.string().trim().max(1000).nullable().optional(),
  tax_id: z.string().trim().max(64).nullable().optional(),
});
export const ProfileDto = z.object({
  legal_name: z.string().nullable(),
  email: z.string().nullable(),
  address: z.string().nullable(),
  tax_id: z.string().nullable(),
  tax_rate_bp: z.number().describe('Set by the operator; 2000 = 20%'),
});
