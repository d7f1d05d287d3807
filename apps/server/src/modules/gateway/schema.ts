import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgPolicy, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, orgId, tenantPolicy, updatedAt } from '../../kernel/db/columns.ts';

/** A model provider an organisation (or one of its workspaces) calls through the gateway. */
export const providerConnections = pgTable(
  'provider_connections',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    /** Null: every workspace of the organisation may use it. */
    workspaceId: text('workspace_id'),
    name: text('name').notNull(),
    type: text('type').notNull(),
    baseUrl: text('base_url'),
    /** The upstream API key, sealed with the organisation's data key (BYOK). */
    apiKey: text('api_key'),
    /** Type-specific settings: Azure `api_version`, extra headers, the models it offers. */
    settings: jsonb('settings').notNull().default({}),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [uniqueIndex('provider_connections_name_idx').on(table.orgId, table.name), tenantPolicy()],
).enableRLS();

/** A model alias and the targets that serve it, tried by weight or in order. */
export const gatewayRoutes = pgTable(
  'gateway_routes',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    model: text('model').notNull(),
    strategy: text('strategy').notNull(),
    /** `[{ connection_id, model, weight }]` */
    targets: jsonb('targets').notNull(),
    retries: integer('retries').notNull().default(0),
    timeoutMs: integer('timeout_ms'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [uniqueIndex('gateway_routes_model_idx').on(table.orgId, table.model), tenantPolicy()],
).enableRLS();

/**
 * Prices per 1M tokens in micro-units of the currency. Rows with no organisation are the
 * platform's seeded table, readable by everyone; an organisation's own rows override them.
 * Prices are versioned: a change inserts a row with a later `effective_from`.
 */
export const modelPrices = pgTable(
  'model_prices',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id'),
    /** A provider type (`openai`, `anthropic`, …) or `*` for any. */
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    inputPerM: bigint('input_per_m', { mode: 'number' }).notNull(),
    outputPerM: bigint('output_per_m', { mode: 'number' }).notNull(),
    cachedInputPerM: bigint('cached_input_per_m', { mode: 'number' }),
    currency: text('currency').notNull().default('USD'),
    effectiveFrom: at('effective_from').notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (table) => [
    index('model_prices_lookup_idx').on(table.model, table.effectiveFrom),
    pgPolicy('prices_read', {
      as: 'permissive',
      for: 'select',
      to: 'public',
      using: sql`org_id is null or org_id = nullif(current_setting('app.org_id', true), '')`,
    }),
    pgPolicy('prices_write', {
      as: 'permissive',
      for: 'insert',
      to: 'public',
      withCheck: sql`org_id = nullif(current_setting('app.org_id', true), '')`,
    }),
    pgPolicy('prices_delete', {
      as: 'permissive',
      for: 'delete',
      to: 'public',
      using: sql`org_id = nullif(current_setting('app.org_id', true), '')`,
    }),
  ],
).enableRLS();

/**
 * Gateway policy for the organisation, a workspace or an API key: rate limits, a spend budget,
 * the models a key may use, the response cache and body logging. Null fields inherit nothing:
 * each scope's limits apply on their own.
 */
export const gatewayPolicies = pgTable(
  'gateway_policies',
  {
    orgId: orgId(),
    scope: text('scope').notNull(),
    scopeId: text('scope_id').notNull(),
    requestsPerMinute: integer('requests_per_minute'),
    tokensPerMinute: integer('tokens_per_minute'),
    requestsPerDay: integer('requests_per_day'),
    budgetMicros: bigint('budget_micros', { mode: 'number' }),
    budgetPeriod: text('budget_period'),
    allowedModels: text('allowed_models').array(),
    cacheTtlSeconds: integer('cache_ttl_seconds'),
    logBodies: boolean('log_bodies'),
    updatedAt: updatedAt(),
  },
  (table) => [primaryKey({ columns: [table.orgId, table.scope, table.scopeId] }), tenantPolicy()],
).enableRLS();

/** One gateway request: the usage event and the request log's metadata. Written by group commit. */
export const gatewayRequests = pgTable(
  'gateway_requests',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    /** The request's `x-request-id`, as the client saw it. */
    requestId: text('request_id'),
    workspaceId: text('workspace_id'),
    apiKeyId: text('api_key_id'),
    userId: text('user_id'),
    endpoint: text('endpoint').notNull(),
    /** The model the client asked for (an alias or `connection/model`). */
    requestedModel: text('requested_model').notNull(),
    connectionId: text('connection_id'),
    provider: text('provider'),
    model: text('model'),
    status: integer('status').notNull(),
    errorCode: text('error_code'),
    stream: boolean('stream').notNull().default(false),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    cachedTokens: integer('cached_tokens').notNull().default(0),
    costMicros: bigint('cost_micros', { mode: 'number' }).notNull().default(0),
    /** Tokens were counted by Atrium's tokenizer because the provider reported none. */
    estimated: boolean('estimated').notNull().default(false),
    cache: text('cache'),
    attempts: integer('attempts').notNull().default(1),
    latencyMs: integer('latency_ms').notNull(),
    overheadMs: integer('overhead_ms'),
    firstTokenMs: integer('first_token_ms'),
    createdAt: createdAt(),
  },
  (table) => [
    index('gateway_requests_org_time_idx').on(table.orgId, table.createdAt),
    index('gateway_requests_key_time_idx').on(table.apiKeyId, table.createdAt),
    tenantPolicy(),
  ],
).enableRLS();

/** Request and response bodies, kept only for organisations that opted in. */
export const gatewayRequestBodies = pgTable(
  'gateway_request_bodies',
  {
    requestId: text('request_id').primaryKey(),
    orgId: orgId(),
    request: text('request'),
    response: text('response'),
    createdAt: createdAt(),
  },
  () => [tenantPolicy()],
).enableRLS();
