/** A user as the API returns it. */
export interface User {
  id: string;
  email: string;
  name: string;
  created_at: string;
}

export interface Organization {
  id: string;
  name: string;
  slug: string;
  created_at: string;
}

export interface Workspace {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export type Role = 'owner' | 'admin' | 'developer' | 'member' | 'viewer' | 'billing';

export interface Session {
  user: User;
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export interface Me {
  user: User;
  organization: Organization;
  role: Role;
  permissions: string[];
  api_key: { id: string; workspace_id: string } | null;
  memberships: Array<{ organization: Organization; role: Role; workspaces: Workspace[] }>;
}

export interface ApiKey {
  id: string;
  name: string;
  last4: string;
  scopes: string[];
  workspace_id: string;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  replaced_by: string | null;
}

export interface Member {
  id: string;
  user: { id: string; email: string; name: string };
  role: Role;
  created_at: string;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  expires_at: string;
  created_at: string;
  invited_by: string;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

// --- AI gateway: management API -------------------------------------------------------------

/** The wire formats the gateway can call. */
export type ProviderType = 'openai' | 'azure-openai' | 'anthropic' | 'gemini' | 'openai-compatible';

export interface ProviderSettings {
  /** Azure OpenAI `api-version`. */
  api_version?: string;
  /** Extra headers sent upstream on every call. */
  headers?: Record<string, string>;
  /** The models offered, for providers that cannot list them. */
  models?: string[];
}

/** A provider connection. Its key is never returned, only whether there is one and its last four characters. */
export interface Provider {
  id: string;
  /** Used in model names: `<name>/<model>`. */
  name: string;
  type: ProviderType;
  /** `null`: the provider's default. */
  base_url: string | null;
  /** Set when only this workspace may use it. */
  workspace_id: string | null;
  has_api_key: boolean;
  api_key_hint: string | null;
  settings: ProviderSettings;
  enabled: boolean;
  created_at: string;
  updated_at: string;
}

export interface CreateProviderInput {
  name: string;
  type: ProviderType;
  api_key?: string;
  /** Required for `azure-openai` and `openai-compatible`. */
  base_url?: string;
  workspace_id?: string;
  settings?: ProviderSettings;
  enabled?: boolean;
}

/** `null` clears the key, base URL or workspace. */
export interface UpdateProviderInput {
  name?: string;
  api_key?: string | null;
  base_url?: string | null;
  workspace_id?: string | null;
  settings?: ProviderSettings;
  enabled?: boolean;
}

/** What `POST /api/v1/providers/:id/test` found: the models the stored key can list. */
export interface ProviderTestResult {
  ok: boolean;
  latency_ms: number;
  models: string[];
  error: string | null;
}

export type RouteStrategy = 'fallback' | 'loadbalance';

export interface RouteTargetInput {
  /** A connection name or id. */
  provider: string;
  model: string;
  /** Share of traffic with `loadbalance` (default 1). */
  weight?: number;
}

/** A model alias served by ordered (`fallback`) or weighted (`loadbalance`) targets. */
export interface Route {
  id: string;
  /** The alias clients send as `model`. */
  model: string;
  strategy: RouteStrategy;
  targets: Array<{ provider: string; provider_id: string; model: string; weight: number }>;
  retries: number;
  timeout_ms: number | null;
  created_at: string;
  updated_at: string;
}

export interface CreateRouteInput {
  model: string;
  strategy: RouteStrategy;
  targets: RouteTargetInput[];
  /** Extra tries per target on 429, 5xx and timeouts (0–5). */
  retries?: number;
  /** Per-target time to first byte. */
  timeout_ms?: number | null;
}

export type UpdateRouteInput = Partial<CreateRouteInput>;

export type PolicyScope = 'organization' | 'workspace' | 'api_key';

/** Limits, budget, cache and allowed models for one scope. `null`: not set at this scope. */
export interface GatewayPolicy {
  scope: PolicyScope;
  scope_id: string;
  requests_per_minute: number | null;
  tokens_per_minute: number | null;
  requests_per_day: number | null;
  /** Spend allowed per period, in micro-units (1 USD = 1,000,000). */
  budget_micros: number | null;
  budget_period: 'day' | 'month' | null;
  /** Models (with `*` wildcards) this scope may call. */
  allowed_models: string[] | null;
  cache_ttl_seconds: number | null;
  /** Organization only: keep request and response bodies in the request log. */
  log_bodies: boolean | null;
}

/** A scope's whole policy: fields left out or `null` are not set (a budget without a period is per month). */
export type PolicyInput = Partial<Omit<GatewayPolicy, 'scope' | 'scope_id'>>;

export interface Price {
  id: string;
  scope: 'platform' | 'organization';
  /** A provider type, or `*`. */
  provider: string;
  model: string;
  /** Micro-units per 1M input tokens. */
  input_per_m: number;
  output_per_m: number;
  cached_input_per_m: number | null;
  currency: string;
  effective_from: string;
}

export interface CreatePriceInput {
  /** A provider type, or `*` (the default). */
  provider?: string;
  model: string;
  /** Micro-units per 1M input tokens (2.50 USD → 2500000). */
  input_per_m: number;
  output_per_m: number;
  cached_input_per_m?: number | null;
  effective_from?: string;
}

export type UsageGroup = 'day' | 'model' | 'key' | 'workspace' | 'provider';

export interface UsageQuery {
  group_by?: UsageGroup;
  /** ISO 8601 time, inclusive. */
  from?: string;
  /** ISO 8601 time, exclusive. */
  to?: string;
  workspace_id?: string;
  api_key_id?: string;
  model?: string;
}

/** One group's totals. The group's value is in `group` and under the `group_by` name (`day`, `model`…). */
export interface UsageRow {
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
  day?: string;
  model?: string;
  key?: string;
  workspace?: string;
  provider?: string;
}

export interface UsageReport {
  group_by: UsageGroup;
  data: UsageRow[];
}

/** One call through the gateway. */
export interface RequestLog {
  id: string;
  /** The `x-request-id` the client received. */
  request_id: string | null;
  created_at: string;
  endpoint: string;
  requested_model: string;
  provider: string | null;
  provider_id: string | null;
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
  cache: string | null;
  attempts: number;
  latency_ms: number;
  overhead_ms: number | null;
  first_token_ms: number | null;
}

/** A request log entry with its bodies, when the organization keeps them. */
export interface RequestLogDetail extends RequestLog {
  request_body: string | null;
  response_body: string | null;
}

export interface RequestLogFilter {
  model?: string;
  status?: 'success' | 'error';
  api_key_id?: string;
}

// --- AI gateway: OpenAI-compatible /v1 ------------------------------------------------------

export type ChatContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | ({ type: string } & Record<string, unknown>);

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | (string & {});
  content?: string | ChatContentPart[] | null;
  name?: string;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
  [field: string]: unknown;
}

/** An OpenAI chat completion request. Other OpenAI (or provider) fields pass through untouched. */
export interface ChatRequest {
  /** A route alias or `<provider>/<model>`. */
  model: string;
  messages: ChatMessage[];
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  n?: number;
  stop?: string | string[];
  tools?: unknown[];
  tool_choice?: unknown;
  response_format?: { type: string; [field: string]: unknown };
  [field: string]: unknown;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; [field: string]: unknown };
  [field: string]: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{ index: number; message: ChatMessage; finish_reason: string | null; [field: string]: unknown }>;
  usage?: ChatUsage;
  [field: string]: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    /** What this chunk adds: text in `content`, tool calls in pieces keyed by `index`. */
    delta: {
      role?: string;
      content?: string | null;
      tool_calls?: Array<{ index: number; id?: string; type?: 'function'; function?: { name?: string; arguments?: string } }>;
      [field: string]: unknown;
    };
    finish_reason: string | null;
    [field: string]: unknown;
  }>;
  /** Only with `stream_options: { include_usage: true }`, on the last chunk. */
  usage?: ChatUsage | null;
  [field: string]: unknown;
}

export interface GatewayModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}
