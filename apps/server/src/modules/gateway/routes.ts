import { ErrorEnvelope, IdParams, PageQuery } from '@atrium/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../kernel/http/auth-hook.ts';
import { csvCell } from '../../kernel/http/csv.ts';
import { typed } from '../../kernel/http/server.ts';
import {
  CreateProvider,
  dateTime,
  PolicyBody,
  PolicyDto,
  PriceDto,
  Provider,
  policyDto,
  priceDto,
  providerDto,
  RequestLog,
  RouteBody,
  RouteDto,
  requestLogDto,
  routeDto,
  sharedProviderDto,
  UpdateProvider,
  UsageRow,
} from './dto.ts';
import type { GatewayService } from './service.ts';
import { USAGE_GROUPS } from './service.ts';
import type { ConnectionEntry, PolicyScope } from './store.ts';

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope };
const actorOf = (request: FastifyRequest) => {
  const principal = principalOf(request);
  return { type: principal.type, id: principal.id };
};

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
    '/api/v1/gateway/usage',
    {
      config: { permission: 'usage:read' },
      schema: {
        tags: ['Usage'],
        summary: 'Gateway calls, tokens, cost and latency grouped by day, model, key, workspace or provider (`format=csv` for a file)',
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
