import type { FastifyInstance } from 'fastify';
import { eventType } from '../../kernel/events/catalog.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { registerWebhookRoutes } from './routes.ts';
import { createWebhooksService, DELIVER_QUEUE } from './service.ts';

/** The webhooks module: endpoints subscribe to domain events and receive signed deliveries. */
export function createWebhooksModule(kernel: Kernel) {
  kernel.permissions.define(
    { id: 'webhooks:read', description: 'See webhook endpoints and deliveries', roles: ['admin', 'developer'] },
    { id: 'webhooks:write', description: 'Create, change, test and delete webhook endpoints', roles: ['admin', 'developer'] },
  );
  kernel.events.declare(
    eventType('webhook.test', 'A test message sent from the console or API', ['endpoint_id', 'message']),
    eventType('webhook.endpoint_disabled', 'An endpoint was disabled after five days of failed deliveries', [
      'endpoint_id',
      'url',
      'reason',
    ]),
  );
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
