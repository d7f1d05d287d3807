import scalar from '@scalar/fastify-api-reference';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { NotFoundError } from './kernel/errors.ts';
import { registerHealthRoutes } from './kernel/http/health.ts';
import { pruneIdempotencyKeys } from './kernel/http/idempotency.ts';
import { createInternalPrincipals, type InternalPrincipals } from './kernel/http/internal-principals.ts';
import { createHttpServer } from './kernel/http/server.ts';
import { createKernel, type Kernel, type KernelOverrides } from './kernel/kernel.ts';
import { createAuditModule } from './modules/audit/index.ts';
import { createBillingModule } from './modules/billing/index.ts';
import type { PaymentProvider } from './modules/billing/payments/provider.ts';
import { createGatewayModule } from './modules/gateway/index.ts';
import { createIdentityModule } from './modules/identity/index.ts';
import { createMeteringModule } from './modules/metering/index.ts';
import { createNotifications } from './modules/notifications/service.ts';
import { createPluginsModule } from './modules/plugins/index.ts';
import { createTenancyModule } from './modules/tenancy/index.ts';
import { createWebhooksModule } from './modules/webhooks/index.ts';
import { registerConsole } from './web.ts';

export interface Atrium {
  kernel: Kernel;
  http: FastifyInstance;
  modules: ReturnType<typeof createModules>;
  /** Starts the job queue (and workers unless api-only) and, unless worker-only, listens. */
  start(options?: { listen?: boolean }): Promise<string | undefined>;
  /** Graceful: stop accepting, finish in-flight requests, finish jobs, close the database. */
  close(): Promise<void>;
}

/** A chat completion through the gateway's own HTTP route, in-process, so limits and metering apply. */
function gatewayChat(internal: InternalPrincipals, http: () => FastifyInstance) {
  return async (
    scope: { orgId: string; workspaceId: string; installationId: string; userId: string },
    body: Record<string, unknown>,
  ): Promise<unknown> => {
    const token = internal.mint({
      type: 'user',
      id: `plugin:${scope.installationId}`,
      userId: scope.userId,
      orgId: scope.orgId,
      role: 'member',
      permissions: new Set(['gateway:use']),
    });
    try {
      const response = await http().inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: { authorization: `Bearer ${token}`, 'x-atrium-workspace': scope.workspaceId, 'content-type': 'application/json' },
        payload: JSON.stringify({ ...body, stream: false }),
      });
      const answer = JSON.parse(response.body);
      if (response.statusCode >= 400) throw new Error(answer?.error?.message ?? `the gateway answered ${response.statusCode}`);
      return answer;
    } finally {
      internal.revoke(token);
    }
  };
}

function createModules(
  kernel: Kernel,
  options: { paymentProvider?: PaymentProvider; internal: InternalPrincipals; http: () => FastifyInstance },
) {
  const notifications = createNotifications(kernel);
  let identity: ReturnType<typeof createIdentityModule> | undefined;
  const tenancy = createTenancyModule(kernel, {
    notifications,
    users: () => {
      if (!identity) throw new Error('identity module not ready');
      return identity.service;
    },
  });
  identity = createIdentityModule(kernel, { organizations: tenancy.organizations, notifications });
  const audit = createAuditModule(kernel);
  const webhooks = createWebhooksModule(kernel, {
    notifications,
    administrators: async (orgId) =>
      (await tenancy.members.list(orgId))
        .filter((member) => member.role === 'owner' || member.role === 'admin')
        .map((member) => member.user.email),
  });
  const workspaceExists = async (orgId: string, workspaceId: string) => {
    await tenancy.organizations.getWorkspace(orgId, workspaceId);
  };
  const metering = createMeteringModule(kernel, { workspaceExists });
  const billing = createBillingModule(kernel, {
    metering: metering.service,
    notifications,
    provider: options.paymentProvider,
    billingContacts: async (orgId) =>
      (await tenancy.members.list(orgId))
        .filter((member) => member.role === 'owner' || member.role === 'admin' || member.role === 'billing')
        .map((member) => member.user.email),
    organization: (orgId) => tenancy.organizations.getOrganization(orgId),
  });
  const gateway = createGatewayModule(kernel, {
    planAccess: (orgId) => billing.service.access.gatewayAccess(orgId),
    meter: (events) => metering.service.record(events),
    workspaceExists: async (orgId, workspaceId) => {
      await tenancy.organizations.getWorkspace(orgId, workspaceId);
    },
    apiKeyExists: async (orgId, apiKeyId) => {
      const keys = await identity.service.keys.list(orgId);
      if (!keys.some((key) => key.id === apiKeyId)) throw new NotFoundError('API key');
    },
  });
  const administrators = async (orgId: string) =>
    (await tenancy.members.list(orgId))
      .filter((member) => member.role === 'owner' || member.role === 'admin')
      .map((member) => member.user.email);
  const plugins = createPluginsModule(kernel, {
    workspaceExists,
    planOf: async (orgId) => (await billing.service.access.snapshotOf(orgId)).plan.slug,
    notifications,
    administrators,
    onlyWorkspace: async (orgId) => {
      const page = await tenancy.organizations.listWorkspaces(orgId, { limit: 2 });
      return page.data.length === 1 ? page.data[0].id : null;
    },
    llmChat: gatewayChat(options.internal, options.http),
  });
  return { notifications, tenancy, identity, audit, webhooks, metering, billing, gateway, plugins };
}

/** Wires the kernel, the modules and the HTTP server. Nothing listens until `start`. */
export async function createAtrium(
  config: Config,
  overrides: KernelOverrides & { serveConsole?: boolean; paymentProvider?: PaymentProvider } = {},
): Promise<Atrium> {
  const kernel = await createKernel(config, overrides);
  const internal = createInternalPrincipals();
  let server: FastifyInstance | undefined;
  const modules = createModules(kernel, {
    paymentProvider: overrides.paymentProvider,
    internal,
    http: () => {
      if (!server) throw new Error('the HTTP server is not ready');
      return server;
    },
  });
  const http = await createHttpServer({
    log: kernel.log,
    metrics: kernel.metrics,
    database: kernel.database,
    permissions: kernel.permissions,
    resolvePrincipal: async (request) => internal.resolve(request) ?? modules.identity.service.resolvePrincipal(request),
    sealer: kernel.sealer('idempotency'),
  });
  server = http;
  registerHealthRoutes(http, { database: kernel.database, metrics: kernel.metrics });
  modules.identity.routes(http);
  modules.tenancy.routes(http);
  modules.audit.routes(http);
  modules.webhooks.routes(http);
  modules.metering.routes(http);
  modules.billing.routes(http);
  modules.gateway.routes(http);
  modules.plugins.routes(http);
  await http.register(scalar, { routePrefix: '/docs', configuration: { url: '/api/v1/openapi.json', title: 'Atrium API' } });
  if (overrides.serveConsole !== false) await registerConsole(http, config.webDist);

  kernel.jobs.define('kernel.prune-idempotency-keys', {
    retryLimit: 0,
    handler: () => pruneIdempotencyKeys(kernel.database, kernel.clock()),
  });
  kernel.jobs.schedule('kernel.prune-idempotency-keys', '17 * * * *');
  await http.ready();

  let started = false;
  return {
    kernel,
    http,
    modules,
    async start({ listen = true } = {}) {
      await modules.billing.start();
      await modules.gateway.start();
      await modules.plugins.start();
      await kernel.jobs.start({ work: config.mode !== 'api' });
      started = true;
      if (config.mode === 'worker' || !listen) return undefined;
      return http.listen({ host: config.host, port: config.port });
    },
    async close() {
      await http.close();
      // Execution log rows of calls already answered.
      await kernel.capabilities.flush();
      await modules.gateway.stop();
      await modules.metering.stop();
      await modules.billing.stop();
      if (started) await kernel.jobs.stop();
      // After the jobs: a plugin hook still running needs its sandbox.
      await modules.plugins.stop();
      // After the jobs: a delivery still running needs its connection.
      await modules.webhooks.service.close();
      await kernel.cache.close();
      await kernel.database.close();
    },
  };
}
