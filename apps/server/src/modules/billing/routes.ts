import { ErrorEnvelope, IdParams } from '@atrium/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../kernel/http/auth-hook.ts';
import { typed } from '../../kernel/http/server.ts';
import {
  CreditDto,
  InvoiceDto,
  invoiceDto,
  PlanDto,
  ProfileBody,
  ProfileDto,
  planDto,
  SubscriptionDto,
  subscriptionDto,
  UpcomingDto,
} from './dto.ts';
import type { BillingService } from './service.ts';

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 402: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope };
export const actorOf = (request: FastifyRequest) => {
  const principal = principalOf(request);
  return { type: principal.type, id: principal.id };
};

export function creditDto(row: {
  id: string;
  kind: string;
  amount: number;
  remaining: number;
  currency: string;
  description: string;
  expiresAt: Date | null;
  createdAt: Date;
}) {
  return {
    id: row.id,
    kind: row.kind as 'promotional',
    amount: row.amount,
    remaining: row.remaining,
    currency: row.currency,
    description: row.description,
    expires_at: row.expiresAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
  };
}

/** Tenant billing routes: plans, the subscription, invoices, credits and billing details. */
export function registerBillingRoutes(root: FastifyInstance, billing: BillingService, options: { now(): Date }) {
  const app = typed(root);
  const tags = ['Billing'];
  const subscriptionOf = async (orgId: string) => {
    const subscription = await billing.subscriptions.get(orgId);
    const plan = await billing.plans.load(subscription.planId, subscription.planVersion);
    return subscriptionDto(subscription, plan, options.now(), billing.access.entitlements.upgradeUrl(orgId));
  };

  app.get(
    '/api/v1/plans',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary: 'The plans on offer, with prices, quotas, limits and features',
        response: { 200: z.object({ data: z.array(PlanDto) }), ...errors },
      },
    },
    async () => ({ data: (await billing.plans.list(false)).map(planDto) }),
  );

  app.get(
    '/api/v1/subscription',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary: "The organization's subscription: plan, status, period, trial and access",
        response: { 200: SubscriptionDto, ...errors },
      },
    },
    async (request) => subscriptionOf(principalOf(request).orgId),
  );

  app.post(
    '/api/v1/subscription/change',
    {
      config: { permission: 'billing:write' },
      schema: {
        tags,
        summary: 'Move to another plan, interval or seat count now (prorated); with Stripe and no card yet, answers a checkout_url',
        body: z.object({
          plan: z.string().min(1).max(64).describe('A plan id or slug: spark, solo, team, enterprise'),
          interval: z.enum(['month', 'year']).optional(),
          seats: z.number().int().min(1).max(100_000).optional(),
        }),
        response: {
          200: z.object({ subscription: SubscriptionDto, invoice: InvoiceDto.nullable(), checkout_url: z.string().nullable() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { orgId } = principalOf(request);
      const result = await billing.subscriptions.change(orgId, request.body, actorOf(request));
      return {
        subscription: await subscriptionOf(orgId),
        invoice: result.invoice ? invoiceDto(result.invoice) : null,
        checkout_url: result.checkoutUrl,
      };
    },
  );

  app.post(
    '/api/v1/subscription/cancel',
    {
      config: { permission: 'billing:write' },
      schema: {
        tags,
        summary: 'Cancel at the end of the period, or now (the organization becomes read-only; nothing is deleted)',
        body: z.object({ at_period_end: z.boolean().default(true) }),
        response: { 200: SubscriptionDto, ...errors },
      },
    },
    async (request) => {
      const { orgId } = principalOf(request);
      await billing.subscriptions.cancel(orgId, request.body.at_period_end, actorOf(request));
      return subscriptionOf(orgId);
    },
  );

  app.get(
    '/api/v1/invoices',
    {
      config: { permission: 'billing:read' },
      schema: { tags, summary: 'Invoices, newest first', response: { 200: z.object({ data: z.array(InvoiceDto) }), ...errors } },
    },
    async (request) => ({ data: (await billing.listInvoices(principalOf(request).orgId)).map(invoiceDto) }),
  );

  app.get(
    '/api/v1/invoices/upcoming',
    {
      config: { permission: 'billing:read' },
      schema: {
        tags,
        summary: 'A preview of the next invoice as it stands now (nothing is issued)',
        response: { 200: UpcomingDto, ...errors },
      },
    },
    async (request) => billing.upcoming(principalOf(request).orgId),
  );

  app.get(
    '/api/v1/invoices/:id',
    {
      config: { permission: 'billing:read' },
      schema: { tags, summary: 'One invoice', params: IdParams, response: { 200: InvoiceDto, ...errors } },
    },
    async (request) => invoiceDto(await billing.invoice(principalOf(request).orgId, request.params.id)),
  );

  app.get(
    '/api/v1/invoices/:id/pdf',
    {
      config: { permission: 'billing:read' },
      schema: { tags, summary: 'The invoice as a PDF', params: IdParams },
    },
    async (request, reply) => {
      const { invoice, pdf } = await billing.invoicePdf(principalOf(request).orgId, request.params.id);
      return (reply as FastifyReply)
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${invoice.number ?? invoice.id}.pdf"`)
        .send(pdf);
    },
  );

  app.get(
    '/api/v1/credits',
    {
      config: { permission: 'billing:read' },
      schema: {
        tags,
        summary: 'Credits (promotional, prepaid, refund) and the balance invoices draw from, oldest first',
        response: { 200: z.object({ data: z.array(CreditDto), balance: z.number(), currency: z.string() }), ...errors },
      },
    },
    async (request) => {
      const { rows, balance } = await billing.listCredits(principalOf(request).orgId);
      return { data: rows.map(creditDto), balance, currency: 'USD' };
    },
  );

  app.get(
    '/api/v1/billing/profile',
    {
      config: { permission: 'billing:read' },
      schema: { tags, summary: 'Billing details printed on invoices', response: { 200: ProfileDto, ...errors } },
    },
    async (request) => billing.profile(principalOf(request).orgId),
  );

  app.put(
    '/api/v1/billing/profile',
    {
      config: { permission: 'billing:write' },
      schema: {
        tags,
        summary: 'Change billing details (the tax rate is set by the operator)',
        body: ProfileBody,
        response: { 200: ProfileDto, ...errors },
      },
    },
    async (request) => billing.updateProfile(principalOf(request).orgId, request.body, actorOf(request)),
  );
}
