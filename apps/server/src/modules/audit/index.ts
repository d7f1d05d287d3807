import { AuditEvents } from '@atrium/contracts';
import type { FastifyInstance } from 'fastify';
import { eventTypes } from '../../kernel/events/catalog.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { registerAuditRoutes } from './routes.ts';
import { createAuditService } from './service.ts';

/** The audit module: every domain event becomes a hash-chained, append-only audit entry. */
export function createAuditModule(kernel: Kernel) {
  kernel.permissions.define({ id: 'audit:read', description: 'Read, export and verify the audit log', roles: ['admin'] });
  kernel.events.declare(...eventTypes(AuditEvents));
  const service = createAuditService(kernel);
  kernel.events.subscribe('*', 'audit.record', (event) => service.record(event));
  kernel.jobs.define('audit.retention', {
    retryLimit: 2,
    handler: async () => {
      const days = kernel.config.auditRetentionDays;
      if (days > 0) await service.prune(new Date(kernel.clock().getTime() - days * 86_400_000));
    },
  });
  kernel.jobs.schedule('audit.retention', '23 3 * * *');
  return {
    name: 'audit',
    service,
    routes(app: FastifyInstance) {
      registerAuditRoutes(app, kernel, service);
    },
  };
}
