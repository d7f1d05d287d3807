import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgPolicy, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, orgId, tenantPolicy, updatedAt } from '../../kernel/db/columns.ts';

// Plans are the operator's catalogue, read by every organisation and written only by the owner
// connection (operator routes run as the system): RLS allows reads and nothing else.
const readableByAll = () => pgPolicy('plans_read', { as: 'permissive', for: 'select', to: 'public', using: sql`true` });

/** A plan in the catalogue. Its prices and limits live in versions; `current_version` is what new subscribers get. */
export const plans = pgTable(
  'plans',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    currentVersion: integer('current_version').notNull().default(1),
    /** Offered on the pricing page; a hidden plan can still be assigned by an operator. */
    public: boolean('public').notNull().default(true),
    archived: boolean('archived').notNull().default(false),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [uniqueIndex('plans_slug_idx').on(table.slug), readableByAll()],
).enableRLS();

/**
 * One immutable version of a plan's terms. Editing a plan adds a version; subscribers keep the
 * version they signed up on until they change plan.
 */
export const planVersions = pgTable(
  'plan_versions',
  {
    planId: text('plan_id').notNull(),
    version: integer('version').notNull(),
    currency: text('currency').notNull().default('USD'),
    /** Minor units per month / per year; null: priced by contract (Enterprise). */
    monthlyAmount: bigint('monthly_amount', { mode: 'number' }),
    yearlyAmount: bigint('yearly_amount', { mode: 'number' }),
    /** Per seat beyond the included ones, per month (a year's is 12×). */
    seatAmount: bigint('seat_amount', { mode: 'number' }).notNull().default(0),
    includedSeats: integer('included_seats').notNull().default(1),
    minSeats: integer('min_seats').notNull().default(1),
    maxSeats: integer('max_seats'),
    trialDays: integer('trial_days').notNull().default(0),
    /** `{ requests_per_minute, requests_per_day, tokens_per_minute }` fed to the gateway. */
    limits: jsonb('limits').notNull().default({}),
    /** `{ <metric>: { included: n | null, overage: { unit_amount, unit_size } | null } }`; no overage = a hard limit. */
    quotas: jsonb('quotas').notNull().default({}),
    features: jsonb('features').notNull().default({}),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.planId, table.version] }), readableByAll()],
).enableRLS();

/** The organisation's one subscription (its history is in the audit log and its invoices). */
export const subscriptions = pgTable(
  'subscriptions',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    planId: text('plan_id').notNull(),
    planVersion: integer('plan_version').notNull(),
    /** trialing → active → past_due → canceled | expired */
    status: text('status').notNull(),
    interval: text('interval').notNull().default('month'),
    seats: integer('seats').notNull().default(1),
    currentPeriodStart: at('current_period_start').notNull(),
    currentPeriodEnd: at('current_period_end').notNull(),
    trialEnd: at('trial_end'),
    cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
    canceledAt: at('canceled_at'),
    endedAt: at('ended_at'),
    pastDueSince: at('past_due_since'),
    /** Read-only access: a trial that ended unpaid, or a payment failed past its grace period. */
    restrictedAt: at('restricted_at'),
    provider: text('provider').notNull().default('manual'),
    providerCustomerId: text('provider_customer_id'),
    providerSubscriptionId: text('provider_subscription_id'),
    /** The saved payment method Atrium's invoices are charged to (Stripe `pm_…`), from Checkout. */
    providerPaymentMethod: text('provider_payment_method'),
    /** Notices already sent this period (`trial_7d`, `quota:tokens:80`…), so each goes once. */
    notices: jsonb('notices').notNull().default([]),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    uniqueIndex('subscriptions_org_idx').on(table.orgId),
    index('subscriptions_period_end_idx').on(table.currentPeriodEnd),
    tenantPolicy(),
  ],
).enableRLS();

/** Who is billed: the organisation's billing details and tax rate. */
export const billingProfiles = pgTable(
  'billing_profiles',
  {
    orgId: text('org_id').primaryKey(),
    legalName: text('legal_name'),
    email: text('email'),
    address: text('address'),
    taxId: text('tax_id'),
    /** Basis points: 2000 = 20%. */
    taxRateBp: integer('tax_rate_bp').notNull().default(0),
    updatedAt: updatedAt(),
  },
  () => [tenantPolicy()],
).enableRLS();

/** An invoice: lines, credits, tax and total in minor units. Numbers are gapless per issuer. */
export const invoices = pgTable(
  'invoices',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    /** Assigned when the invoice is finalised (draft → open); never reused. */
    number: text('number'),
    issuer: text('issuer').notNull(),
    /** draft → open → paid | void | uncollectible */
    status: text('status').notNull(),
    /** What produced it, unique per organisation so a retried job cannot bill twice (`period:…`, `change:…`). */
    billingKey: text('billing_key').notNull(),
    currency: text('currency').notNull(),
    periodStart: at('period_start').notNull(),
    periodEnd: at('period_end').notNull(),
    lines: jsonb('lines').notNull(),
    subtotal: bigint('subtotal', { mode: 'number' }).notNull(),
    credits: bigint('credits', { mode: 'number' }).notNull().default(0),
    creditApplications: jsonb('credit_applications').notNull().default([]),
    taxRateBp: integer('tax_rate_bp').notNull().default(0),
    tax: bigint('tax', { mode: 'number' }).notNull().default(0),
    total: bigint('total', { mode: 'number' }).notNull(),
    amountPaid: bigint('amount_paid', { mode: 'number' }).notNull().default(0),
    dueAt: at('due_at'),
    finalizedAt: at('finalized_at'),
    paidAt: at('paid_at'),
    voidedAt: at('voided_at'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at'),
    lastError: text('last_error'),
    providerInvoiceId: text('provider_invoice_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    uniqueIndex('invoices_billing_key_idx').on(table.orgId, table.billingKey),
    uniqueIndex('invoices_number_idx').on(table.issuer, table.number),
    index('invoices_org_created_idx').on(table.orgId, table.createdAt),
    tenantPolicy(),
  ],
).enableRLS();

/** Credit grants (promotional, prepaid, refund), consumed oldest first by invoices. */
export const credits = pgTable(
  'credits',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    kind: text('kind').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    remaining: bigint('remaining', { mode: 'number' }).notNull(),
    currency: text('currency').notNull().default('USD'),
    description: text('description').notNull().default(''),
    expiresAt: at('expires_at'),
    createdAt: createdAt(),
  },
  (table) => [index('credits_org_idx').on(table.orgId, table.createdAt), tenantPolicy()],
).enableRLS();

/**
 * The last invoice number per issuer. Incremented in the transaction that finalises an invoice,
 * so a rolled-back finalisation gives its number back: no gaps. System only (no tenant policy).
 */
export const invoiceSequences = pgTable('invoice_sequences', {
  issuer: text('issuer').primaryKey(),
  lastNumber: integer('last_number').notNull().default(0),
}).enableRLS();

/** Payment-provider webhooks already handled, so a replay changes nothing. System only. */
export const billingProviderEvents = pgTable(
  'billing_provider_events',
  {
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    processedAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.provider, table.eventId] })],
).enableRLS();
