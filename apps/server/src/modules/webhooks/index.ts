import { WebhookEvents } from '@atrium/contracts';
import type { FastifyInstance } from 'fastify';
import { withTenant } from '../../kernel/db/tenant.ts';
import { eventTypes } from '../../kernel/events/catalog.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Notifications } from '../notifications/service.ts';
import { registerWebhookRoutes } from './routes.ts';
import { createWebhooksService, DELIVER_QUEUE } from './service.ts';

/** The webhooks module: endpoints subscribe to domain events and receive signed deliveries. */
export interface WebhooksDependencies {
  notifications: Notifications;
  /** Email addresses of the organization's owners and admins (who are told about disabled endpoints). */
  administrators(orgId: string): Promise<string[]>;
}

export function createWebhooksModule(kernel: Kernel, deps: WebhooksDependencies) {
  kernel.permissions.define(
    { id: 'webhooks:read', description: 'See webhook endpoints and deliveries', roles: ['admin', 'developer'] },
    { id: 'webhooks:write', description: 'Create, change, test and delete webhook endpoints', roles: ['admin', 'developer'] },
  );
  kernel.events.declare(...eventTypes(WebhookEvents));
  const service = createWebhooksService(kernel);
  // Delivery schedules its own retries (the Standard Webhooks schedule), so the job never retries.
  kernel.jobs.define<{ orgId: string; messageId: string }>(DELIVER_QUEUE, {
    handler: (data) => service.deliver(data),
    retryLimit: 0,
    batchSize: 50,
  });
  kernel.events.subscribe('*', 'webhooks.fan-out', (event) => service.fanOut(event));
  // The notice: owners and admins get an email when an endpoint is switched off.
  kernel.events.subscribe('webhook.endpoint_disabled', 'webhooks.notify-disabled', async (event) => {
    const { url, reason } = event.payload as { url: string; reason: string };
    const recipients = await deps.administrators(event.orgId);
    await withTenant(kernel.database, event.orgId, async (tx) => {
      for (const to of recipients) {
        await deps.notifications.sendEmail(tx, {
          to,
          subject: 'A webhook endpoint was disabled',
          text: `Atrium disabled the webhook endpoint ${url}.\n\n${reason}\n\nFix the endpoint, then enable it again on the Webhooks page.`,
        });
      }
    });
  });
  return {
    name: 'webhooks',
    service,
    routes(app: FastifyInstance) {
      registerWebhookRoutes(app, kernel, service);
    },
  };
}
