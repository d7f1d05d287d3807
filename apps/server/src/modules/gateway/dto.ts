import { z } from 'zod';
import { PROVIDER_TYPES } from './adapters/types.ts';
import type { Price } from './prices.ts';
import type { ConnectionRow, PolicyRow, RequestRow, RouteRow } from './service.ts';
import type { ConnectionEntry, PolicyScope, RouteTarget } from './store.ts';

/** The gateway management API's shapes (zod, for validation and OpenAPI) and row → DTO mapping. */
export const ConnectionName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][\w.-]*$/, 'Use letters, digits, dot, dash and underscore (no slash: it separates the model).')
  .describe('Used in model names: `<name>/<model>`');
export const Settings = z
  .object({
    api_version: z.string().max(40).optional().describe('Azure OpenAI api-version'),
    headers: z.record(z.string().max(100), z.string().max(2000)).optional().describe('Extra headers sent upstream'),
    models: z.array(z.string().min(1).max(200)).max(500).optional().describe('Models offered, when the provider cannot list them'),
  })
  .strict();

export const Provider = z
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

export const CreateProvider = z.object({
  name: ConnectionName,
  type: z.enum(PROVIDER_TYPES),
  api_key: z.string().min(1).max(4000).optional(),
  base_url: z.string().min(1).max(2048).optional(),
  workspace_id: z.string().min(1).max(64).optional().describe('Only this workspace may use it'),
  settings: Settings.optional(),
  enabled: z.boolean().optional(),
});
export const UpdateProvider = z.object({
  name: ConnectionName.optional(),
  api_key: z.string().min(1).max(4000).nullable().optional(),
  base_url: z.string().min(1).max(2048).nullable().optional(),
  workspace_id: z.string().min(1).max(64).nullable().optional(),
  settings: Settings.optional(),
  enabled: z.boolean().optional(),
});

export const Target = z.object({
  provider: z.string().min(1).max(64).describe('A connection name or id'),
  model: z.string().min(1).max(200),
  weight: z.number().min(0).max(1000).optional().describe('Share of traffic with `loadbalance` (default 1)'),
});
export const RouteBody = z.object({
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
export const RouteDto = z
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

export const PolicyBody = z.object({
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
export const PolicyDto = z
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

export const PriceDto = z
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

export const UsageRow = z.object({
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

export const RequestLog = z
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

export { dateTime } from '@atrium/contracts';

export function providerDto(row: ConnectionRow, hint: string | null) {
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

export function sharedProviderDto(entry: ConnectionEntry) {
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

export function routeDto(row: RouteRow, names: Map<string, string>) {
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

export function policyDto(scope: PolicyScope, scopeId: string, row: PolicyRow | undefined) {
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

export function priceDto(row: Price) {
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

export function requestLogDto(row: RequestRow) {
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
