import { dateTime, ErrorEnvelope, IdParams } from '@atrium/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../kernel/http/auth-hook.ts';
import { typed } from '../../kernel/http/server.ts';
import { CreditDto, InvoiceDto, invoiceDto, PlanDto, ProfileDto, planDto, SubscriptionDto, subscriptionDto } from './dto.ts';
import { actorOf, creditDto } from './routes.ts';
import type { BillingService } from './service.ts';

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope };
const conflicts = { ...errors, 409: ErrorEnvelope };
const Reason = z.object({
  reason: z.string().trim().min(1).max(500).describe("Why: recorded in the organization's audit log, which the organization sees"),
});
// Strict: a field this route does not apply (a price override) must not be dropped without a word.
const PlanAssignment = z.strictObject({
  plan: z.string().min(1).max(64).describe('A plan id or slug; hidden plans included, archived ones and the trial refused'),
  interval: z.enum(['month', 'year']).optional(),
  seats: z.number().int().min(1).max(100_000).optional(),
});
const money = z.number().int().min(0).max(1e11);
const QuotaTerms = z.object({
  included: z.number().int().min(0).nullable(),
  overage: z.object({ unit_amount: money, unit_size: z.number().int().min(1) }).nullable(),
});
const PlanEdit = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  description: z.string().max(500).optional(),
  prices: z.object({ month: money.nullable().optional(), year: money.nullable().optional() }).optional(),
  seat_amount: money.optional(),
  included_seats: z.number().int().min(1).max(100_000).optional(),
  min_seats: z.number().int().min(1).max(100_000).optional(),
  max_seats: z.number().int().min(1).max(100_000).nullable().optional(),
  trial_days: z.number().int().min(0).max(365).optional(),
  limits: z
    .object({
      requests_per_minute: z.number().int().min(1).optional(),
      requests_per_day: z.number().int().min(1).optional(),
      tokens_per_minute: z.number().int().min(1).optional(),
    })
    .optional(),
  quotas: z.record(z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/), QuotaTerms).optional(),
  features: z.record(z.string().max(64), z.union([z.boolean(), z.number(), z.string().max(200), z.null()])).optional(),
  public: z.boolean().optional(),
  archived: z.boolean().optional(),
});

/**
 * Operator routes (`platform:operate`, held by users listed in ATRIUM_OPERATOR_EMAILS): the plan
 * catalogue, revenue, credits, tax rates, plan assignment, and marking paid, voiding or writing off
 * invoices, for any organisation.
 */
export function registerBillingAdminRoutes(root: FastifyInstance, billing: BillingService, options: { now(): Date }) {
  const app = typed(root);
  const tags = ['Operator'];
  const config = { permission: 'platform:operate', principals: ['user' as const] };

  app.get(
    '/api/v1/admin/plans',
    {
      config,
      schema: {
        tags,
        summary: 'Every plan, hidden and archived included',
        response: { 200: z.object({ data: z.array(PlanDto) }), ...errors },
      },
    },
    async () => ({ data: (await billing.plans.list(true)).map(planDto) }),
  );

  app.put(
    '/api/v1/admin/plans/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Publish a new version of a plan (existing subscribers keep theirs until they change plan)',
        params: IdParams,
        body: PlanEdit,
        response: { 200: PlanDto, ...errors },
      },
    },
    async (request) => planDto(await billing.plans.edit(request.params.id, request.body)),
  );

  app.get(
    '/api/v1/admin/revenue',
    {
      config,
      schema: {
        tags,
        summary: 'MRR, ARR, ARPU, churn and trial conversion across organizations (minor units)',
        response: {
          200: z.object({
            currency: z.string(),
            mrr: z.number(),
            arr: z.number(),
            arpu: z.number(),
            active_subscriptions: z.number(),
            trialing: z.number(),
            past_due: z.number(),
            canceled_last_30d: z.number(),
            churn_rate: z.number(),
            trial_conversion: z.number(),
            collected_last_30d: z.number(),
            organizations: z.number(),
            by_plan: z.array(z.object({ plan: z.string(), subscriptions: z.number(), mrr: z.number() })),
          }),
          ...errors,
        },
      },
    },
    async () => billing.revenue(),
  );

  app.post(
    '/api/v1/admin/organizations/:id/credits',
    {
      config,
      schema: {
        tags,
        summary: 'Grant an organization a credit',
        params: IdParams,
        body: z.object({
          kind: z.enum(['promotional', 'prepaid', 'refund']),
          amount: z.number().int().min(1).max(1e11),
          description: z.string().max(200).optional(),
          expires_at: dateTime.optional(),
        }),
        response: { 201: CreditDto, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(creditDto(await billing.grantCredit(request.params.id, request.body, actorOf(request)))),
  );

  app.put(
    '/api/v1/admin/organizations/:id/tax-rate',
    {
      config,
      schema: {
        tags,
        summary: "Set an organization's tax rate in basis points (2000 = 20%)",
        params: IdParams,
        body: z.object({ tax_rate_bp: z.number().int().min(0).max(10_000) }),
        response: { 200: ProfileDto, ...errors },
      },
    },
    async (request) => billing.updateProfile(request.params.id, { tax_rate_bp: request.body.tax_rate_bp }, actorOf(request)),
  );

  app.put(
    '/api/v1/admin/organizations/:id/plan',
    {
      config,
      schema: {
        tags,
        summary: 'Put an organization on a plan, hidden ones included (invoiced and prorated as a change of plan)',
        params: IdParams,
        body: PlanAssignment,
        response: {
          200: z.object({ subscription: SubscriptionDto, invoice: InvoiceDto.nullable(), checkout_url: z.string().nullable() }),
          ...conflicts,
        },
      },
    },
    async (request) => {
      const orgId = request.params.id;
      const result = await billing.subscriptions.change(orgId, request.body, actorOf(request), { allowHidden: true });
      const plan = await billing.plans.load(result.subscription.planId, result.subscription.planVersion);
      return {
        subscription: subscriptionDto(result.subscription, plan, options.now(), billing.access.entitlements.upgradeUrl(orgId)),
        invoice: result.invoice ? invoiceDto(result.invoice) : null,
        checkout_url: result.checkoutUrl,
      };
    },
  );

  app.post(
    '/api/v1/admin/invoices/:id/mark-paid',
    {
      config,
      schema: {
        tags,
        summary: 'Mark an open invoice paid (payments received outside a provider)',
        params: IdParams,
        body: z
          .object({
            org_id: z.string().min(1).max(64).optional().describe("The invoice's organization (found from the invoice when omitted)"),
          })
          .default({}),
        response: { 200: InvoiceDto, ...errors },
      },
    },
    async (request) => {
      principalOf(request);
      const orgId = request.body.org_id ?? (await billing.organizationOfInvoice(request.params.id));
      return invoiceDto(await billing.subscriptions.markPaid(orgId, request.params.id, actorOf(request)));
    },
  );

  app.post(
    '/api/v1/admin/invoices/:id/void',
    {
      config,
      schema: {
        tags,
        summary: 'Void an open or written-off invoice: its credits go back and a past-due organization with nothing else owed recovers',
        params: IdParams,
        body: Reason,
        response: { 200: InvoiceDto, ...conflicts },
      },
    },
    async (request) => {
      const orgId = await billing.organizationOfInvoice(request.params.id);
      return invoiceDto(await billing.subscriptions.voidInvoice(orgId, request.params.id, request.body.reason, actorOf(request)));
    },
  );

  app.post(
    '/api/v1/admin/invoices/:id/mark-uncollectible',
    {
      config,
      schema: {
        tags,
        summary: 'Write off an open invoice: no longer collected, still owed (access is not restored)',
        params: IdParams,
        body: Reason,
        response: { 200: InvoiceDto, ...conflicts },
      },
    },
    async (request) => {
      const orgId = await billing.organizationOfInvoice(request.params.id);
      return invoiceDto(await billing.subscriptions.markUncollectible(orgId, request.params.id, request.body.reason, actorOf(request)));
    },
  );
}
