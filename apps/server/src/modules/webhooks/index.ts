import { WebhookEvents } from '@atrium/contracts';
import type { FastifyInstance } from 'fastify';
import { eventTypes } from '../../kernel/events/catalog.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { registerWebhookRoutes } from './routes.ts';
import { createWebhooksService, DELIVER_QUEUE } from './service.ts';

/** The webhooks module: endpoints subscribe to domain events and receive signed deliveries. */
export function createWebhooksModule(kernel: Kernel) {
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
  return {
    name: 'webhooks',
    service,
    routes(app: FastifyInstance) {
      registerWebhookRoutes(app, kernel, service);
    },
  };
}
