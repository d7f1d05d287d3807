// The AI gateway's shapes, as the management API (`/api/v1/...`) and the OpenAI-compatible
// endpoints (`/v1/...`) return them.

export const PROVIDER_TYPES = ['openai', 'azure-openai', 'anthropic', 'gemini', 'openai-compatible'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export interface ProviderSettings {
  /** Azure OpenAI `api-version`. */
  api_version?: string;
  /** Extra headers sent upstream. */
  headers?: Record<string, string>;
  /** Models offered, when the provider cannot list them. */
  models?: string[];
}

/** A provider connection, as `GET /api/v1/providers` lists it (the key itself is never returned). */
export interface ProviderConnection {
  id: string;
  /** Used in model names: `<name>/<model>`. */
  name: string;
  type: ProviderType;
  /** Null: the provider's default. */
  base_url: string | null;
  /** Null: every workspace may use it. */
  workspace_id: string | null;
  has_api_key: boolean;
  /** The last four characters of the stored key. */
  api_key_hint: string | null;
  settings: ProviderSettings;
  enabled: boolean;
  /** Offered by the operator of this Atrium: usable in routes and calls, but not editable (servers that have them). */
  shared?: boolean;
  created_at: string | null;
  updated_at: string | null;
}

export interface CreateProviderInput {
  name: string;
  type: ProviderType;
  api_key?: string;
  base_url?: string;
  workspace_id?: string;
  settings?: ProviderSettings;
  enabled?: boolean;
}

export interface UpdateProviderInput {
  name?: string;
  /** A new key replaces the stored one; null removes it. */
  api_key?: string | null;
  base_url?: string | null;
  workspace_id?: string | null;
  settings?: ProviderSettings;
  enabled?: boolean;
}

/** The answer of `POST /api/v1/providers/:id/test`: the provider's models, listed with the stored key. */
export interface ProviderTestResult {
  ok: boolean;
  latency_ms: number;
  models: string[];
  error: string | null;
}

export type RouteStrategy = 'fallback' | 'loadbalance';

export interface RouteTarget {
  /** The connection's name. */
  provider: string;
  provider_id: string;
  model: string;
  weight: number;
}

/** A model alias served by ordered (fallback) or weighted (loadbalance) targets. */
export interface GatewayRoute {
  id: string;
  model: string;
  strategy: RouteStrategy;
  targets: RouteTarget[];
  retries: number;
  timeout_ms: number | null;
  created_at: string;
  updated_at: string;
}

export interface RouteInput {
  model: string;
  strategy: RouteStrategy;
  /** `provider` is a connection name or id. */
  targets: Array<{ provider: string; model: string; weight?: number }>;
  retries?: number;
  timeout_ms?: number | null;
}

export type PolicyScope = 'organization' | 'workspace' | 'api_key';
export type BudgetPeriod = 'day' | 'month';

/** Limits, budget, cache and allowed models of one scope; null means "not set". */
export interface GatewayPolicy {
  scope: PolicyScope;
  scope_id: string;
  requests_per_minute: number | null;
  tokens_per_minute: number | null;
  requests_per_day: number | null;
  /** Spend allowed per period, in micro-units (1 USD = 1,000,000). */
  budget_micros: number | null;
  budget_period: BudgetPeriod | null;
  allowed_models: string[] | null;
  cache_ttl_seconds: number | null;
  /** Organization only: keep request and response bodies in the request log. */
  log_bodies: boolean | null;
}

/** The body of `PUT .../policy`: it replaces the whole policy, and null clears a field. */
export type PolicyInput = Omit<GatewayPolicy, 'scope' | 'scope_id'>;

/** What a price is written for: a provider type, or `*` for any provider. */
export const PRICE_PROVIDERS = ['*', ...PROVIDER_TYPES] as const;
export type PriceProvider = (typeof PRICE_PROVIDERS)[number];

/** The platform's seeded list price, or the organization's own (which beats it). */
export type PriceScope = 'platform' | 'organization';

/**
 * One version of a model's price, as `GET /api/v1/prices` lists it. Prices are per 1M tokens, in
 * micro-units of the currency (2.50 USD → 2500000); a change adds a version with a later
 * `effective_from` rather than editing one.
 */
export interface ModelPrice {
  id: string;
  scope: PriceScope;
  /** A provider type, or `*` for any. */
  provider: string;
  model: string;
  input_per_m: number;
  output_per_m: number;
  /** Null: cached input is charged at the input price. */
  cached_input_per_m: number | null;
  currency: string;
  /** ISO 8601; may be in the future. */
  effective_from: string;
}

/** The body of `POST /api/v1/prices`: the organization's price for a model, as a new version. */
export interface PriceInput {
  provider: string;
  model: string;
  input_per_m: number;
  output_per_m: number;
  cached_input_per_m?: number;
  /** ISO 8601; the server's now when left out. */
  effective_from?: string;
}

export const USAGE_GROUPS = ['day', 'model', 'key', 'workspace', 'provider'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

export interface UsageFilters {
  group_by: UsageGroup;
  /** ISO 8601, inclusive. */
  from?: string;
  /** ISO 8601, exclusive. */
  to?: string;
}

export interface UsageRow {
  /** The group's value: a day (YYYY-MM-DD), model, API key id (or `session`), workspace id (or `-`) or provider type (or `cache`). */
  group: string;
  requests: number;
  errors: number;
  cache_hits: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_micros: number;
  /** In currency units. */
  cost: number;
  avg_latency_ms: number;
}

export interface UsageReport {
  group_by: UsageGroup;
  data: UsageRow[];
}

export interface RequestLogFilters {
  model?: string;
  status?: 'success' | 'error';
}

/** One gateway request, as the request log lists it. */
export interface RequestLog {
  id: string;
  /** The `x-request-id` the client received. */
  request_id: string | null;
  created_at: string;
  endpoint: string;
  requested_model: string;
  /** The provider type that answered (null for cache hits and requests that never reached one). */
  provider: string | null;
  provider_id: string | null;
  /** The model that served the request. */
  model: string | null;
  workspace_id: string | null;
  api_key_id: string | null;
  user_id: string | null;
  status: number;
  error_code: string | null;
  stream: boolean;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_micros: number;
  /** Tokens counted by Atrium because the provider reported none. */
  estimated: boolean;
  /** `hit`, `miss`, or null when the cache was not used. */
  cache: string | null;
  attempts: number;
  latency_ms: number;
  overhead_ms: number | null;
  first_token_ms: number | null;
}

/** One request with its bodies, which are kept only when the organization opts in. */
export interface RequestLogDetail extends RequestLog {
  request_body: string | null;
  response_body: string | null;
}

/** A model the caller may use, as `GET /v1/models` lists it: a route alias or `provider/model`. */
export interface GatewayModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}
