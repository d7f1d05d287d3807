import { GatewayEvents } from '@atrium/contracts';
import type { FastifyInstance } from 'fastify';
import { withTenant } from '../../kernel/db/tenant.ts';
import { NotFoundError } from '../../kernel/errors.ts';
import { eventTypes } from '../../kernel/events/catalog.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { anthropicAdapter } from './adapters/anthropic.ts';
import { geminiAdapter } from './adapters/gemini.ts';
import { openAIAdapter } from './adapters/openai.ts';
import type { ProviderAdapter, ProviderType } from './adapters/types.ts';
import { createLimits } from './limits.ts';
import { type ProxyDependencies, registerGatewayProxy } from './proxy.ts';
import { Breakers } from './router.ts';
import { registerGatewayRoutes } from './routes.ts';
import { createGatewayService } from './service.ts';
import { createGatewayStore, type PolicyScope } from './store.ts';
import { createUsageWriter, type UsageEvent } from './usage.ts';

export interface GatewayDependencies {
  /** Throws NotFoundError unless the workspace belongs to the organisation. */
  workspaceExists(orgId: string, workspaceId: string): Promise<void>;
  /** Throws NotFoundError unless the API key belongs to the organisation. */
  apiKeyExists(orgId: string, apiKeyId: string): Promise<void>;
  /** The plan's rate limits and quota gate (billing). */
  planAccess: ProxyDependencies['planAccess'];
  /** Records committed calls' tokens and requests as usage events (metering); durable when it resolves. */
  meter(events: UsageEvent[]): Promise<unknown>;
}

export const adapters: Record<ProviderType, ProviderAdapter> = {
  openai: openAIAdapter,
  'azure-openai': openAIAdapter,
  'openai-compatible': openAIAdapter,
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
};

/**
 * The AI gateway: OpenAI-compatible `/v1` endpoints over the organisation's provider
 * connections, with routes, limits, budgets, a response cache and exact usage and cost.
 */
export function createGatewayModule(kernel: Kernel, deps: GatewayDependencies) {
  kernel.permissions.define(
    { id: 'gateway:use', description: 'Call models through the gateway (/v1)', roles: ['admin', 'developer', 'member'] },
    {
      id: 'gateway:read',
      description: 'See provider connections, routes, prices and gateway policies',
      roles: ['admin', 'developer', 'member', 'viewer'],
    },
    { id: 'gateway:write', description: 'Connect providers; change routes, prices, limits and budgets', roles: ['admin'] },
    { id: 'request_logs:read', description: 'Browse gateway request logs', roles: ['admin', 'developer'] },
  );
  kernel.events.declare(...eventTypes(GatewayEvents));
  const store = createGatewayStore(kernel);
  const limits = createLimits(kernel);
  const usage = createUsageWriter(kernel, { meter: deps.meter });
  const breakers = new Breakers();
  const service = createGatewayService(kernel, { store, adapters });

  kernel.jobs.define('gateway.prune-request-bodies', {
    retryLimit: 1,
    handler: async () => {
      const removed = await service.pruneBodies(kernel.clock(), kernel.config.requestBodyRetentionDays);
      if (removed) kernel.log.info({ removed }, 'removed request bodies past their retention');
    },
  });
  kernel.jobs.schedule('gateway.prune-request-bodies', '41 3 * * *');

  async function checkScope(orgId: string, scope: PolicyScope, scopeId: string) {
    if (scope === 'organization') return;
    if (scope === 'workspace') await deps.workspaceExists(orgId, scopeId);
    else await deps.apiKeyExists(orgId, scopeId);
  }

  return {
    name: 'gateway',
    service,
    store,
    usage,
    breakers,
    async start() {
      await store.start();
    },
    async stop() {
      await usage.flush();
      await limits.flush();
      await store.stop();
    },
    routes(app: FastifyInstance) {
      registerGatewayRoutes(app, service, {
        keyHint: async (orgId, id) => (await store.get(orgId)).connectionsById.get(id)?.apiKey?.slice(-4) ?? null,
        sharedConnections: async (orgId) => [...(await store.get(orgId)).connectionsById.values()].filter((entry) => entry.shared),
        checkScope,
      });
      registerGatewayProxy(app, {
        kernel,
        store,
        limits,
        usage,
        breakers,
        adapters,
        planAccess: deps.planAccess,
        async workspaceOfUser(orgId, requested) {
          if (!requested) return undefined;
          await deps.workspaceExists(orgId, requested).catch(() => {
            throw new NotFoundError('Workspace');
          });
          return requested;
        },
        onBudgetExhausted(orgId, policy) {
          withTenant(kernel.database, orgId, (tx) =>
            kernel.events.emit(tx, {
              type: 'gateway.budget_exhausted',
              orgId,
              actor: { type: 'system', id: 'gateway' },
              payload: {
                scope: policy.scope,
                scope_id: policy.scopeId,
                budget_micros: policy.budgetMicros ?? 0,
                period: policy.budgetPeriod ?? 'month',
              },
            }),
          ).catch((error) => kernel.log.warn({ err: error }, 'could not record budget exhaustion'));
        },
      });
    },
  };
}
