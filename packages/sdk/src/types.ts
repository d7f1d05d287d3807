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

// --- Billing ----------------------------------------------------------------------------------
// Money is always an integer in the currency's minor unit (cents for USD): 2900 is 29.00 USD.

export type BillingInterval = 'month' | 'year';

/** A plan's quota of one metric for a billing period. */
export interface PlanQuota {
  /** Included each period; `null`: unlimited. */
  included: number | null;
  /** `null`: a hard limit (calls beyond it are refused with 402); otherwise each `unit_size` beyond costs `unit_amount`. */
  overage: { unit_amount: number; unit_size: number } | null;
}

export interface PlanLimits {
  requests_per_minute?: number;
  requests_per_day?: number;
  [limit: string]: number | undefined;
}

/** The current version of a plan's terms. */
export interface Plan {
  id: string;
  slug: string;
  name: string;
  description: string;
  /** Edits publish a new version; subscribers keep the version they signed up to. */
  version: number;
  currency: string;
  /** The recurring price per interval in minor units; `null`: not offered for that interval. */
  prices: { month: number | null; year: number | null };
  /** Per seat beyond `included_seats`, per month (a year costs twelve). */
  seat_amount: number;
  included_seats: number;
  min_seats: number;
  /** `null`: no maximum. */
  max_seats: number | null;
  trial_days: number;
  limits: PlanLimits;
  /** Keyed by metric (`tokens`, `requests`, `storage_bytes`…). */
  quotas: Record<string, PlanQuota>;
  features: Record<string, boolean | number | string | null>;
  /** Priced by agreement rather than by the list prices. */
  custom_pricing: boolean;
}

/** A plan as operators see it, including hidden and archived ones. */
export interface AdminPlan extends Plan {
  public: boolean;
  archived: boolean;
}

export type SubscriptionStatus = 'trialing' | 'active' | 'past_due' | 'canceled' | 'expired';

/** Why an organisation is read-only: writes answer 402 `organization_restricted` until it is resolved. */
export type RestrictedReason = 'trial_ended' | 'payment_overdue' | 'canceled';

export interface Subscription {
  id: string;
  plan: { id: string; slug: string; name: string; version: number };
  status: SubscriptionStatus;
  interval: BillingInterval;
  seats: number;
  current_period_start: string;
  current_period_end: string;
  trial_end: string | null;
  days_left_in_trial: number | null;
  /** Ends at `current_period_end` instead of renewing. */
  cancel_at_period_end: boolean;
  canceled_at: string | null;
  past_due_since: string | null;
  restricted: boolean;
  restricted_reason: RestrictedReason | null;
  provider: 'manual' | 'stripe';
  upgrade_url: string;
}

export interface ChangeSubscriptionInput {
  /** The plan's id or slug. */
  plan: string;
  interval?: BillingInterval;
  seats?: number;
}

/** What a plan change did. With a `checkout_url`, the change applies once payment there succeeds. */
export interface SubscriptionChange {
  subscription: Subscription;
  invoice: Invoice | null;
  checkout_url: string | null;
}

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';

export interface InvoiceLine {
  description: string;
  /** The metered metric, for usage lines. */
  metric: string | null;
  quantity: number;
  /** Minor units per `unit_size` of `quantity`. */
  unit_amount: number;
  unit_size: number;
  amount: number;
  kind: string;
}

export interface Invoice {
  id: string;
  /** Assigned when the invoice is finalised; `null` for drafts. */
  number: string | null;
  status: InvoiceStatus;
  currency: string;
  period_start: string;
  period_end: string;
  lines: InvoiceLine[];
  subtotal: number;
  credits: number;
  tax: number;
  /** Basis points: 2000 is 20%. */
  tax_rate_bp: number;
  total: number;
  amount_paid: number;
  /** What is left to pay: 0 once paid or void; a written-off (`uncollectible`) invoice stays payable. */
  amount_due: number;
  due_at: string | null;
  paid_at: string | null;
  /** When an operator voided it (servers that report it). */
  voided_at?: string | null;
  /** Payment attempts so far, and the last one's error (servers that report them). */
  attempts?: number;
  last_error?: string | null;
  created_at: string;
  /** The PDF's address on the same server (`/api/v1/invoices/{id}/pdf`). */
  pdf_url: string;
}

/** What the current period's invoice would be if it closed now. */
export interface UpcomingInvoice {
  lines: InvoiceLine[];
  subtotal: number;
  credits: number;
  tax: number;
  total: number;
  currency: string;
  period_start: string;
  period_end: string;
  /** When it will be issued; `null` when nothing will be billed (servers that report it). */
  issued_at?: string | null;
}

export type CreditKind = 'promotional' | 'prepaid' | 'refund';

/** A credit grant; invoices use up `remaining` before anything is charged. */
export interface Credit {
  id: string;
  kind: CreditKind;
  amount: number;
  remaining: number;
  currency: string;
  description: string | null;
  expires_at: string | null;
  created_at: string;
}

export interface CreditList {
  data: Credit[];
  /** The remaining amount of every credit that has not expired. */
  balance: number;
  currency: string;
}

export interface BillingProfile {
  legal_name: string | null;
  email: string | null;
  address: string | null;
  tax_id: string | null;
  /** Basis points (2000 is 20%); set by the platform operator, read-only for organisations. */
  tax_rate_bp: number;
}

export type BillingProfileInput = Partial<Omit<BillingProfile, 'tax_rate_bp'>>;

/** An operator's edit of a plan: every field is optional, and saving publishes a new version. */
export interface PlanEdit {
  name?: string;
  description?: string;
  prices?: { month?: number | null; year?: number | null };
  seat_amount?: number;
  included_seats?: number;
  min_seats?: number;
  max_seats?: number | null;
  trial_days?: number;
  limits?: PlanLimits;
  quotas?: Record<string, PlanQuota>;
  features?: Record<string, boolean | number | string | null>;
  public?: boolean;
  archived?: boolean;
}

/** Platform-wide revenue, in the platform currency's minor units. */
export interface RevenueReport {
  currency: string;
  /** Monthly recurring revenue (yearly subscriptions count a twelfth). */
  mrr: number;
  arr: number;
  /** Average revenue per paying subscription, per month. */
  arpu: number;
  active_subscriptions: number;
  trialing: number;
  past_due: number;
  canceled_last_30d: number;
  /** 0..1 */
  churn_rate: number;
  /** 0..1 */
  trial_conversion: number;
  /** Paid in the last 30 days (servers that report it). */
  collected_last_30d?: number;
  /** Organizations on the platform (servers that report it). */
  organizations?: number;
  /** `plan` is the plan's slug. */
  by_plan: Array<{ plan: string; subscriptions: number; mrr: number }>;
}

/**
 * Why an operator voids or writes off an invoice. It is recorded in the organization's audit log,
 * which the organization can read.
 *
 * @example
 * const input: InvoiceClosingInput = { reason: 'Billed twice for March; see ticket 4411' };
 */
export interface InvoiceClosingInput {
  reason: string;
}

/**
 * An operator putting an organization on a plan, hidden plans included. Omitted fields keep the
 * subscription's interval and seat count, as a change of plan does.
 *
 * @example
 * const input: AssignPlanInput = { plan: 'enterprise', interval: 'year', seats: 40 };
 */
export interface AssignPlanInput {
  /** The plan's id or slug. */
  plan: string;
  interval?: BillingInterval;
  seats?: number;
}

export interface GrantCreditInput {
  kind: CreditKind;
  amount: number;
  description?: string;
  expires_at?: string;
}

// --- Metering ---------------------------------------------------------------------------------

export type MeteringGroup = 'metric' | 'day' | 'model' | 'provider' | 'key' | 'workspace';

export interface MeteringUsageQuery {
  /** Default `metric`. */
  group_by?: MeteringGroup;
  /** ISO 8601, inclusive; default: the start of the current billing period. */
  from?: string;
  /** ISO 8601, exclusive; default: the end of the current billing period. */
  to?: string;
  /** Only this metric. */
  metric?: string;
}

/** One metric's total in a group. Sum metrics add up; gauges (`storage_bytes`, `seats`, `agents`) report their peak. */
export interface MeteringUsageRow {
  metric: string;
  quantity: number;
  unit: string;
  events: number;
  /** `YYYY-MM-DD` with `group_by=day`. */
  day?: string;
  model?: string | null;
  provider?: string | null;
  key?: string | null;
  workspace?: string | null;
}

export interface MeteringUsageReport {
  group_by: MeteringGroup;
  from: string;
  to: string;
  data: MeteringUsageRow[];
}

/** This period's use of a metric the plan limits. */
export interface Quota {
  metric: string;
  description: string;
  unit: string;
  used: number;
  /** `null`: unlimited. */
  limit: number | null;
  remaining: number | null;
  /** 0..100 (may pass 100 with overage); `null` without a limit. */
  percent: number | null;
  /** Beyond the limit calls are refused (402 `quota_exceeded`); otherwise billed as overage. */
  hard: boolean;
  period_end: string;
}

/** A usage event of a custom metric. Recording the same `idempotency_key` again counts it once. */
export interface UsageEventInput {
  metric: string;
  quantity: number;
  idempotency_key: string;
  /** ISO 8601; default now. */
  timestamp?: string;
  workspace_id?: string;
  dimensions?: Record<string, string | number | boolean | null>;
}

export interface RecordedUsageEvent {
  metric: string;
  quantity: number;
  idempotency_key: string;
  timestamp: string;
  workspace_id: string | null;
  dimensions: Record<string, unknown>;
  /** True when the key was already recorded: the event counted once. */
  duplicate: boolean;
}

export interface UsageEventBatchResult {
  data: RecordedUsageEvent[];
  inserted: number;
  duplicates: number;
}
