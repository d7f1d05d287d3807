import { BillingEvents } from '@atrium/contracts';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../kernel/errors.ts';
import { eventTypes } from '../../kernel/events/catalog.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { MeteringService } from '../metering/index.ts';
import type { Notifications } from '../notifications/service.ts';
import { registerBillingAdminRoutes } from './admin-routes.ts';
import { createManualProvider } from './payments/manual.ts';
import type { PaymentProvider } from './payments/provider.ts';
import { WebhookSignatureError } from './payments/provider.ts';
import { createStripeProvider } from './payments/stripe.ts';
import { registerBillingRoutes } from './routes.ts';
import { createBillingService } from './service.ts';

export type { BillingService } from './service.ts';

// While read-only, an organisation can still sign in, manage billing and itself, and leave.
const WRITABLE_WHEN_RESTRICTED = [
  '/api/v1/subscription',
  '/api/v1/billing',
  '/api/v1/invoices',
  '/api/v1/auth',
  '/api/v1/me',
  '/api/v1/admin',
  '/api/v1/organization',
];
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// Taking access away stays possible while read-only: revoking keys, removing members.
const REVOCABLE_WHEN_RESTRICTED = ['/api/v1/api-keys', '/api/v1/members', '/api/v1/invitations'];

export interface BillingModuleDependencies {
  metering: MeteringService;
  notifications: Notifications;
  billingContacts(orgId: string): Promise<string[]>;
  organization(orgId: string): Promise<{ name: string; createdAt: Date }>;
  /** Tests inject a provider (a Stripe client pointed at a local fake). */
  provider?: PaymentProvider;
}

/** Plans, trials, subscriptions, invoices, credits and payments (Stripe or manual). */
export function createBillingModule(kernel: Kernel, deps: BillingModuleDependencies) {
  kernel.permissions.define(
    { id: 'billing:read', description: 'See invoices, credits and billing details', roles: ['admin', 'billing'] },
    { id: 'billing:write', description: 'Change plan, seats and billing details; cancel', roles: ['admin', 'billing'] },
    { id: 'platform:operate', description: 'Operate the platform: plans, revenue, credits (operators only)', roles: [], platform: true },
  );
  kernel.events.declare(...eventTypes(BillingEvents));
  const stripe = kernel.config.billing.stripe;
  const provider =
    deps.provider ??
    (stripe
      ? createStripeProvider({ secretKey: stripe.secretKey, webhookSecret: stripe.webhookSecret, apiBase: stripe.apiBase })
      : createManualProvider());
  const service = createBillingService(kernel, { ...deps, provider });
  deps.metering.useEntitlements(service.access.entitlements);

  kernel.jobs.define('billing.advance', {
    retryLimit: 2,
    handler: async () => {
      await service.subscriptions.advance(kernel.clock());
    },
  });
  kernel.jobs.schedule('billing.advance', '*/5 * * * *');
  // Every organisation starts on the trial; the subscription is also created on first sight.
  kernel.events.subscribe('organization.created', 'billing.start-trial', async (event) => {
    await service.subscriptions.get(event.orgId);
  });

  return {
    name: 'billing',
    service,
    provider,
    start: () => service.access.start(),
    stop: () => service.access.stop(),
    routes(app: FastifyInstance) {
      app.addHook('preHandler', async function readOnlyWhenRestricted(request) {
        const principal = request.principal;
        if (!principal || !WRITES.has(request.method)) return;
        const url = request.routeOptions.url ?? '';
        if (!url.startsWith('/api/v1/') || WRITABLE_WHEN_RESTRICTED.some((prefix) => url.startsWith(prefix))) return;
        if (request.method === 'DELETE' && REVOCABLE_WHEN_RESTRICTED.some((prefix) => url.startsWith(prefix))) return;
        await service.access.assertWritable(principal.orgId);
      });
      registerBillingRoutes(app, service, { now: () => kernel.clock() });
      registerBillingAdminRoutes(app, service, { now: () => kernel.clock() });
      app.register(async function stripeHooks(hooks) {
        hooks.removeAllContentTypeParsers();
        hooks.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, body));
        hooks.post('/hooks/stripe', { config: { permission: 'public', idempotency: false } }, async (request, reply) => {
          let event: ReturnType<PaymentProvider['parseWebhook']>;
          try {
            event = provider.parseWebhook(String(request.body ?? ''), request.headers['stripe-signature'] as string | undefined);
          } catch (error) {
            if (error instanceof WebhookSignatureError)
              throw new AppError(400, 'invalid_request_error', 'invalid_signature', 'The webhook signature does not verify.');
            throw error;
          }
          const outcome = await service.subscriptions.handleProviderEvent(event);
          return reply.send({ received: true, outcome });
        });
      });
    },
  };
}
