import { MeteringEvents } from '@atrium/contracts';
import type { FastifyInstance } from 'fastify';
import { withTenant } from '../../kernel/db/tenant.ts';
import { eventTypes } from '../../kernel/events/catalog.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { registerMeteringRoutes } from './routes.ts';
import { createMeteringService } from './service.ts';

export type { Quota } from './counters.ts';
export type { UsageEvent } from './ingest.ts';
export type { Entitlements, MeteringService } from './service.ts';

const RECONCILE_EVERY_MINUTES = 10;

/** Usage events, quota checks and usage reports. Billing plugs in the plan (entitlements). */
export function createMeteringModule(kernel: Kernel, deps: { workspaceExists(orgId: string, workspaceId: string): Promise<void> }) {
  kernel.permissions.define(
    { id: 'usage:read', description: 'See usage, quotas and gateway cost', roles: ['admin', 'developer', 'viewer', 'billing'] },
    { id: 'usage:write', description: 'Record usage events of custom metrics', roles: ['admin', 'developer'] },
  );
  kernel.events.declare(...eventTypes(MeteringEvents));
  const service = createMeteringService(kernel, {
    onThreshold(crossing) {
      withTenant(kernel.database, crossing.orgId, (tx) =>
        kernel.events.emit(tx, {
          type: 'usage.threshold_reached',
          orgId: crossing.orgId,
          actor: { type: 'system', id: 'metering' },
          payload: {
            metric: crossing.metric,
            threshold: crossing.threshold,
            used: crossing.used,
            limit: crossing.quota.limit ?? 0,
            hard: crossing.quota.hard,
            period_end: crossing.quota.periodEnd.toISOString(),
          },
        }),
      ).catch((error) => kernel.log.warn({ err: error }, 'could not record a usage threshold'));
    },
  });

  // Plugin and MCP capability calls are metered (and refused at a hard quota); built-ins are not.
  kernel.capabilities.guard(async (scope, capability) => {
    if (capability.provider !== 'builtin') await service.enforce(scope.orgId, 'plugin_executions', 1);
  });
  kernel.capabilities.observe((execution) => {
    if (execution.provider === 'builtin' || (execution.status !== 'succeeded' && execution.status !== 'failed')) return;
    service
      .record([
        {
          orgId: execution.scope.orgId,
          metric: 'plugin_executions',
          quantity: 1,
          idempotencyKey: `capability:${execution.id}`,
          at: execution.at,
          workspaceId: execution.scope.workspaceId,
          dimensions: { capability: execution.capabilityId, provider: execution.provider, status: execution.status },
          source: 'system',
        },
      ])
      .catch((error) => kernel.log.warn({ err: error }, 'could not meter a capability execution'));
  });

  kernel.jobs.define('metering.reconcile-counters', {
    retryLimit: 1,
    handler: async () => {
      const since = new Date(kernel.clock().getTime() - (RECONCILE_EVERY_MINUTES + 5) * 60_000);
      await service.reconcileRecent(since);
    },
  });
  kernel.jobs.schedule('metering.reconcile-counters', `*/${RECONCILE_EVERY_MINUTES} * * * *`);

  return {
    name: 'metering',
    service,
    stop: () => service.flush(),
    routes(app: FastifyInstance) {
      registerMeteringRoutes(app, service, {
        workspaceExists: deps.workspaceExists,
        period: async (orgId) => {
          const quota = await service.entitlements.quota(orgId, 'tokens');
          return { start: quota.periodStart, end: quota.periodEnd };
        },
      });
    },
  };
}
