import { ErrorEnvelope, IdParams, PageQuery } from '@atrium/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../kernel/http/auth-hook.ts';
import { typed } from '../../kernel/http/server.ts';
import { PROVIDER_TYPES } from './adapters/types.ts';
import type { Price } from './prices.ts';
import type { ConnectionRow, GatewayService, PolicyRow, RequestRow, RouteRow } from './service.ts';
import { USAGE_GROUPS } from './service.ts';
import type { ConnectionEntry, PolicyScope, RouteTarget } from './store.ts';

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope };
const actorOf = (request: FastifyRequest) => {
  const principal = principalOf(request);
  return { type: principal.type, id: principal.id };
};

const ConnectionName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][\w.-]*$/, 'Use letters, digits, dot, dash and underscore (no slash: it separates the model).')
  .describe('Used in model names: `<name>/<model>`');
const Settings = z
  .object({
    api_version: z.string().max(40).optional().describe('Azure OpenAI api-version'),
    headers: z.record(z.string().max(100), z.string().max(2000)).optional().describe('Extra headers sent upstream'),
    models: z.array(z.string().min(1).max(200)).max(500).optional().describe('Models offered, when the provider cannot list them'),
  })
  .strict();

const Provider = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(PROVIDER_TYPES),
    base_url: z.string().nullable().describe('Null: the provider’s default'),
    workspace_id: z.string().nullable(),
    has_api_key: z.boolean(),
    api_key_hint: z.string().nullable().describe('The last four characters of the stored key'),
    settings: Settings,
    enabled: z.boolean(),
    shared: z.boolean().describe('Offered by the operator: usable in routes and calls, not editable'),
    created_at: z.string().nullable(),
    updated_at: z.string().nullable(),
  })
  .meta({ id: 'ProviderConnection' });

const CreateProvider = z.object({
  name: ConnectionName,
  type: z.enum(PROVIDER_TYPES),
  api_key: z.string().min(1).max(4000).optional(),
  base_url: z.string().min(1).max(2048).optional(),
  workspace_id: z.string().min(1).max(64).optional().describe('Only this workspace may use it'),
  settings: Settings.optional(),
  enabled: z.boolean().optional(),
});
const UpdateProvider = z.object({
  name: ConnectionName.optional(),
  api_key: z.string().min(1).max(4000).nullable().optional(),
  base_url: z.string().min(1).max(2048).nullable().optional(),
  workspace_id: z.string().min(1).max(64).nullable().optional(),
  settings: Settings.optional(),
  enabled: z.boolean().optional(),
});

const Target = z.object({
  provider: z.string().min(1).max(64).describe('A connection name or id'),
  model: z.string().min(1).max(200),
  weight: z.number().min(0).max(1000).optional().describe('Share of traffic with `loadbalance` (default 1)'),
});
const RouteBody = z.object({
  model: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^/\s]+$/, 'An alias has no slash or spaces.')
    .describe('The alias clients send as `model`'),
  strategy: z.enum(['fallback', 'loadbalance']),
  targets: z.array(Target).min(1).max(20),
  retries: z.number().int().min(0).max(5).optional().describe('Extra tries per target on 429/5xx/timeouts'),
  timeout_ms: z.number().int().min(100).max(600_000).nullable().optional().describe('Per-target time to first byte'),
});
const RouteDto = z
  .object({
    id: z.string(),
    model: z.string(),
    strategy: z.enum(['fallback', 'loadbalance']),
    targets: z.array(z.object({ provider: z.string(), provider_id: z.string(), model: z.string(), weight: z.number() })),
    retries: z.number().int(),
    timeout_ms: z.number().int().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'GatewayRoute' });

const PolicyBody = z.object({
  requests_per_minute: z.number().int().min(1).max(10_000_000).nullable().optional(),
  tokens_per_minute: z.number().int().min(1).max(1_000_000_000).nullable().optional(),
  requests_per_day: z.number().int().min(1).max(1_000_000_000).nullable().optional(),
  budget_micros: z
    .number()
    .int()
    .min(0)
    .max(1e15)
    .nullable()
    .optional()
    .describe('Spend allowed per period, in micro-units (1 USD = 1,000,000)'),
  budget_period: z.enum(['day', 'month']).nullable().optional(),
  allowed_models: z
    .array(z.string().min(1).max(200))
    .max(200)
    .nullable()
    .optional()
    .describe('Models (with `*` wildcards) this scope may call'),
  cache_ttl_seconds: z
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .nullable()
    .optional()
    .describe('Cache identical answers this long (opt-in)'),
  log_bodies: z.boolean().nullable().optional().describe('Organization only: keep request and response bodies in the request log'),
});
const PolicyDto = z
  .object({
    scope: z.enum(['organization', 'workspace', 'api_key']),
    scope_id: z.string(),
    requests_per_minute: z.number().nullable(),
    tokens_per_minute: z.number().nullable(),
    requests_per_day: z.number().nullable(),
    budget_micros: z.number().nullable(),
    budget_period: z.string().nullable(),
    allowed_models: z.array(z.string()).nullable(),
    cache_ttl_seconds: z.number().nullable(),
    log_bodies: z.boolean().nullable(),
  })
  .meta({ id: 'GatewayPolicy' });

const PriceDto = z
  .object({
    id: z.string(),
    scope: z.enum(['platform', 'organization']),
    provider: z.string(),
    model: z.string(),
    input_per_m: z.number().describe('Micro-units per 1M input tokens'),
    output_per_m: z.number(),
    cached_input_per_m: z.number().nullable(),
    currency: z.string(),
    effective_from: z.string(),
  })
  .meta({ id: 'ModelPrice' });

const UsageRow = z.object({
  group: z.string(),
  requests: z.number(),
  errors: z.number(),
  cache_hits: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cached_tokens: z.number(),
  cost_micros: z.number(),
  cost: z.number().describe('In currency units'),
  avg_latency_ms: z.number(),
});

const RequestLog = z
  .object({
    id: z.string(),
    request_id: z.string().nullable().describe('The `x-request-id` the client received'),
    created_at: z.string(),
    endpoint: z.string(),
    requested_model: z.string(),
    provider: z.string().nullable(),
    provider_id: z.string().nullable(),
    model: z.string().nullable(),
    workspace_id: z.string().nullable(),
    api_key_id: z.string().nullable(),
    user_id: z.string().nullable(),
    status: z.number(),
    error_code: z.string().nullable(),
    stream: z.boolean(),
    input_tokens: z.number(),
    output_tokens: z.number(),
    cached_tokens: z.number(),
    cost_micros: z.number(),
    estimated: z.boolean(),
    cache: z.string().nullable(),
    attempts: z.number(),
    latency_ms: z.number(),
    overhead_ms: z.number().nullable(),
    first_token_ms: z.number().nullable(),
  })
  .meta({ id: 'GatewayRequestLog' });

const dateTime = z.iso.datetime({ offset: true });

function providerDto(row: ConnectionRow, hint: string | null) {
  return {
    id: row.id,
    name: row.name,
    type: row.type as (typeof PROVIDER_TYPES)[number],
    base_url: row.baseUrl,
    workspace_id: row.workspaceId,
    has_api_key: row.apiKey !== null,
    api_key_hint: hint,
    settings: row.settings as z.infer<typeof Settings>,
    enabled: row.enabled,
    shared: false,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

function sharedProviderDto(entry: ConnectionEntry) {
  return {
    id: entry.id,
    name: entry.name,
    type: entry.type,
    base_url: entry.baseUrl,
    workspace_id: null,
    has_api_key: entry.apiKey !== undefined,
    api_key_hint: null,
    // Headers may carry the operator's credentials: organisations see the models only.
    settings: entry.settings.models ? { models: entry.settings.models } : {},
    enabled: true,
    shared: true,
    created_at: null,
    updated_at: null,
  };
}

function routeDto(row: RouteRow, names: Map<string, string>) {
  return {
    id: row.id,
    model: row.model,
    strategy: row.strategy as 'fallback' | 'loadbalance',
    targets: (row.targets as RouteTarget[]).map((target) => ({
      provider: names.get(target.connection_id) ?? target.connection_id,
      provider_id: target.connection_id,
      model: target.model,
      weight: target.weight,
    })),
    retries: row.retries,
    timeout_ms: row.timeoutMs,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

function policyDto(scope: PolicyScope, scopeId: string, row: PolicyRow | undefined) {
  return {
    scope,
    scope_id: scopeId,
    requests_per_minute: row?.requestsPerMinute ?? null,
    tokens_per_minute: row?.tokensPerMinute ?? null,
    requests_per_day: row?.requestsPerDay ?? null,
    budget_micros: row?.budgetMicros ?? null,
    budget_period: row?.budgetPeriod ?? null,
    allowed_models: row?.allowedModels ?? null,
    cache_ttl_seconds: row?.cacheTtlSeconds ?? null,
    log_bodies: row?.logBodies ?? null,
  };
}

function priceDto(row: Price) {
  return {
    id: row.id,
    scope: row.orgId ? ('organization' as const) : ('platform' as const),
    provider: row.provider,
    model: row.model,
    input_per_m: row.inputPerM,
    output_per_m: row.outputPerM,
    cached_input_per_m: row.cachedInputPerM,
    currency: row.currency,
    effective_from: row.effectiveFrom.toISOString(),
  };
}

function requestLogDto(row: RequestRow) {
  return {
    id: row.id,
    request_id: row.requestId,
    created_at: row.createdAt.toISOString(),
    endpoint: row.endpoint,
    requested_model: row.requestedModel,
    provider: row.provider,
    provider_id: row.connectionId,
    model: row.model,
    workspace_id: row.workspaceId,
    api_key_id: row.apiKeyId,
    user_id: row.userId,
    status: row.status,
    error_code: row.errorCode,
    stream: row.stream,
    input_tokens: row.inputTokens,
    output_tokens: row.outputTokens,
    cached_tokens: row.cachedTokens,
    cost_micros: row.costMicros,
    estimated: row.estimated,
    cache: row.cache,
    attempts: row.attempts,
    latency_ms: row.latencyMs,
    overhead_ms: row.overheadMs,
    first_token_ms: row.firstTokenMs,
  };
}

function csvCell(value: unknown): string {
  const text = String(value ?? '');
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function registerGatewayRoutes(
  root: FastifyInstance,
  gateway: GatewayService,
  options: {
    keyHint(orgId: string, id: string): Promise<string | null>;
    /** The operator's connections this organization may use. */
    sharedConnections(orgId: string): Promise<ConnectionEntry[]>;
    /** Answers 404 unless the workspace or API key belongs to the organization. */
    checkScope(orgId: string, scope: PolicyScope, scopeId: string): Promise<void>;
  },
) {
  const app = typed(root);

  // --- Providers ----------------------------------------------------------------------------
  const providerTags = ['Providers'];
  app.get(
    '/api/v1/providers',
    {
      config: { permission: 'gateway:read' },
      schema: {
        tags: providerTags,
        summary: 'List provider connections',
        response: { 200: z.object({ data: z.array(Provider) }), ...errors },
      },
    },
    async (request) => {
      const { orgId } = principalOf(request);
      const rows = await gateway.listConnections(orgId);
      const own = await Promise.all(rows.map(async (row) => providerDto(row, await options.keyHint(orgId, row.id))));
      const shared = (await options.sharedConnections(orgId)).map(sharedProviderDto);
      return { data: [...own, ...shared] };
    },
  );
  app.post(
    '/api/v1/providers',
    {
      config: { permission: 'gateway:write' },
      schema: {
        tags: providerTags,
        summary: 'Connect a model provider (its key is encrypted)',
        body: CreateProvider,
        response: { 201: Provider, ...errors },
      },
    },
    async (request, reply) => {
      const { orgId } = principalOf(request);
      const row = await gateway.createConnection(orgId, request.body, actorOf(request));
      return reply.code(201).send(providerDto(row, request.body.api_key?.slice(-4) ?? null));
    },
  );
  app.get(
    '/api/v1/providers/:id',
    {
      config: { permission: 'gateway:read' },
      schema: { tags: providerTags, summary: 'Get a provider connection', params: IdParams, response: { 200: Provider, ...errors } },
    },
    async (request) => {
      const { orgId } = principalOf(request);
      return providerDto(await gateway.getConnection(orgId, request.params.id), await options.keyHint(orgId, request.params.id));
    },
  );
  app.patch(
    '/api/v1/providers/:id',
    {
      config: { permission: 'gateway:write' },
      schema: {
        tags: providerTags,
        summary: 'Change a provider connection (send api_key to replace the key)',
        params: IdParams,
        body: UpdateProvider,
        response: { 200: Provider, ...errors },
      },
    },
    async (request) => {
      const { orgId } = principalOf(request);
      const row = await gateway.updateConnection(orgId, request.params.id, request.body, actorOf(request));
      return providerDto(row, await options.keyHint(orgId, row.id));
    },
  );
  app.delete(
    '/api/v1/providers/:id',
    {
      config: { permission: 'gateway:write' },
      schema: { tags: providerTags, summary: 'Remove a provider connection', params: IdParams, response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      await gateway.removeConnection(principalOf(request).orgId, request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/api/v1/providers/:id/test',
    {
      config: { permission: 'gateway:write' },
      schema: {
        tags: providerTags,
        summary: 'Test a connection: list the provider’s models with the stored key',
        params: IdParams,
        response: {
          200: z.object({ ok: z.boolean(), latency_ms: z.number(), models: z.array(z.string()), error: z.string().nullable() }),
          ...errors,
        },
      },
    },
    async (request) => gateway.testConnection(principalOf(request).orgId, request.params.id),
  );

  // --- Routes -------------------------------------------------------------------------------
  const routeTags = ['Routes'];
  const names = async (orgId: string) =>
    new Map(
      [...(await gateway.listConnections(orgId)), ...(await options.sharedConnections(orgId))].map((entry) => [entry.id, entry.name]),
    );
  app.get(
    '/api/v1/routes',
    {
      config: { permission: 'gateway:read' },
      schema: { tags: routeTags, summary: 'List model routes', response: { 200: z.object({ data: z.array(RouteDto) }), ...errors } },
    },
    async (request) => {
      const { orgId } = principalOf(request);
      const [rows, byId] = await Promise.all([gateway.listRoutes(orgId), names(orgId)]);
      return { data: rows.map((row) => routeDto(row, byId)) };
    },
  );
  app.post(
    '/api/v1/routes',
    {
      config: { permission: 'gateway:write' },
      schema: {
        tags: routeTags,
        summary: 'Create a model alias served by weighted or ordered targets',
        body: RouteBody,
        response: { 201: RouteDto, ...errors },
      },
    },
    async (request, reply) => {
      const { orgId } = principalOf(request);
      const row = await gateway.createRoute(orgId, request.body, actorOf(request));
      return reply.code(201).send(routeDto(row, await names(orgId)));
    },
  );
  app.get(
    '/api/v1/routes/:id',
    {
      config: { permission: 'gateway:read' },
      schema: { tags: routeTags, summary: 'Get a route', params: IdParams, response: { 200: RouteDto, ...errors } },
    },
    async (request) => {
      const { orgId } = principalOf(request);
      return routeDto(await gateway.getRoute(orgId, request.params.id), await names(orgId));
    },
  );
  app.patch(
    '/api/v1/routes/:id',
    {
      config: { permission: 'gateway:write' },
      schema: {
        tags: routeTags,
        summary: 'Change a route',
        params: IdParams,
        body: RouteBody.partial(),
        response: { 200: RouteDto, ...errors },
      },
    },
    async (request) => {
      const { orgId } = principalOf(request);
      return routeDto(await gateway.updateRoute(orgId, request.params.id, request.body, actorOf(request)), await names(orgId));
    },
  );
  app.delete(
    '/api/v1/routes/:id',
    {
      config: { permission: 'gateway:write' },
      schema: { tags: routeTags, summary: 'Remove a route', params: IdParams, response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      await gateway.removeRoute(principalOf(request).orgId, request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  // --- Policies -----------------------------------------------------------------------------
  const policyTags = ['Gateway policies'];
  const scopes = [
    {
      path: '/api/v1/gateway/policy',
      scope: 'organization' as const,
      id: (request: FastifyRequest) => principalOf(request).orgId,
      params: undefined,
    },
    {
      path: '/api/v1/gateway/workspaces/:id/policy',
      scope: 'workspace' as const,
      id: (request: FastifyRequest) => (request.params as { id: string }).id,
      params: IdParams,
    },
    {
      path: '/api/v1/gateway/keys/:id/policy',
      scope: 'api_key' as const,
      id: (request: FastifyRequest) => (request.params as { id: string }).id,
      params: IdParams,
    },
  ];
  for (const { path, scope, id, params } of scopes) {
    const what = scope === 'api_key' ? 'an API key' : scope === 'workspace' ? 'a workspace' : 'the organization';
    app.get(
      path,
      {
        config: { permission: 'gateway:read' },
        schema: {
          tags: policyTags,
          summary: `Limits, budget, cache and models for ${what}`,
          ...(params ? { params } : {}),
          response: { 200: PolicyDto, ...errors },
        },
      },
      async (request) => {
        const { orgId } = principalOf(request);
        const scopeId = id(request);
        await options.checkScope(orgId, scope, scopeId);
        return policyDto(scope, scopeId, await gateway.getPolicy(orgId, scope, scopeId));
      },
    );
    app.put(
      path,
      {
        config: { permission: 'gateway:write' },
        schema: {
          tags: policyTags,
          summary: `Set limits, budget, cache and models for ${what} (null clears a field)`,
          ...(params ? { params } : {}),
          body: PolicyBody,
          response: { 200: PolicyDto, ...errors },
        },
      },
      async (request) => {
        const { orgId } = principalOf(request);
        const scopeId = id(request);
        await options.checkScope(orgId, scope, scopeId);
        const row = await gateway.putPolicy(orgId, scope, scopeId, request.body, actorOf(request));
        return policyDto(scope, scopeId, row);
      },
    );
  }

  // --- Prices -------------------------------------------------------------------------------
  const priceTags = ['Prices'];
  app.get(
    '/api/v1/prices',
    {
      config: { permission: 'gateway:read' },
      schema: {
        tags: priceTags,
        summary: 'Model prices (platform and organization), every version, newest first',
        querystring: z.object({ model: z.string().max(200).optional() }),
        response: { 200: z.object({ data: z.array(PriceDto) }), ...errors },
      },
    },
    async (request) => ({ data: (await gateway.listPrices(principalOf(request).orgId, request.query.model)).map(priceDto) }),
  );
  app.post(
    '/api/v1/prices',
    {
      config: { permission: 'gateway:write' },
      schema: {
        tags: priceTags,
        summary: 'Set the organization’s price for a model (a new version; earlier calls keep their cost)',
        body: z.object({
          provider: z.string().min(1).max(40).default('*').describe('A provider type, or `*`'),
          model: z.string().min(1).max(200),
          input_per_m: z.number().int().min(0).describe('Micro-units per 1M input tokens (2.50 USD → 2500000)'),
          output_per_m: z.number().int().min(0),
          cached_input_per_m: z.number().int().min(0).nullable().optional(),
          effective_from: dateTime.optional(),
        }),
        response: { 201: PriceDto, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(priceDto(await gateway.createPrice(principalOf(request).orgId, request.body, actorOf(request)))),
  );

  // --- Usage --------------------------------------------------------------------------------
  app.get(
    '/api/v1/usage',
    {
      config: { permission: 'usage:read' },
      schema: {
        tags: ['Usage'],
        summary: 'Gateway usage and cost grouped by day, model, key, workspace or provider (`format=csv` for a file)',
        querystring: z.object({
          group_by: z.enum(USAGE_GROUPS).default('day'),
          from: dateTime.optional(),
          to: dateTime.optional(),
          workspace_id: z.string().max(64).optional(),
          api_key_id: z.string().max(64).optional(),
          model: z.string().max(200).optional(),
          format: z.enum(['json', 'csv']).default('json'),
        }),
        response: {
          200: z.object({
            group_by: z.string(),
            data: z.array(
              UsageRow.extend({
                day: z.string().optional(),
                model: z.string().optional(),
                key: z.string().optional(),
                workspace: z.string().optional(),
                provider: z.string().optional(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { format, ...query } = request.query;
      const rows = await gateway.usage(principalOf(request).orgId, query);
      if (format === 'csv') {
        const header = [
          query.group_by,
          'requests',
          'errors',
          'cache_hits',
          'input_tokens',
          'output_tokens',
          'cached_tokens',
          'cost_micros',
          'cost',
          'avg_latency_ms',
        ];
        const lines = rows.map((row) =>
          [
            row.group,
            row.requests,
            row.errors,
            row.cache_hits,
            row.input_tokens,
            row.output_tokens,
            row.cached_tokens,
            row.cost_micros,
            row.cost.toFixed(6),
            row.avg_latency_ms,
          ]
            .map(csvCell)
            .join(','),
        );
        return (reply as FastifyReply)
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="usage-by-${query.group_by}.csv"`)
          .send(`${[header.join(','), ...lines].join('\n')}\n`);
      }
      return { group_by: query.group_by, data: rows.map((row) => ({ ...row, [query.group_by]: row.group })) };
    },
  );

  // --- Request logs -------------------------------------------------------------------------
  app.get(
    '/api/v1/request-logs',
    {
      config: { permission: 'request_logs:read' },
      schema: {
        tags: ['Request logs'],
        summary: 'Gateway requests, newest first',
        querystring: PageQuery.extend({
          model: z.string().max(200).optional(),
          status: z.enum(['success', 'error']).optional(),
          api_key_id: z.string().max(64).optional(),
        }),
        response: { 200: z.object({ data: z.array(RequestLog), next_cursor: z.string().nullable() }), ...errors },
      },
    },
    async (request) => {
      const result = await gateway.requestLogs(principalOf(request).orgId, request.query);
      return { data: result.data.map(requestLogDto), next_cursor: result.nextCursor };
    },
  );
  app.get(
    '/api/v1/request-logs/:id',
    {
      config: { permission: 'request_logs:read' },
      schema: {
        tags: ['Request logs'],
        summary: 'One request, with its bodies when the organization keeps them',
        params: IdParams,
        response: { 200: RequestLog.extend({ request_body: z.string().nullable(), response_body: z.string().nullable() }), ...errors },
      },
    },
    async (request) => {
      const { row, bodies } = await gateway.requestLog(principalOf(request).orgId, request.params.id);
      return { ...requestLogDto(row), request_body: bodies?.request ?? null, response_body: bodies?.response ?? null };
    },
  );
}
