import { type ChatStream, openChatStream } from './chat.ts';
import { AtriumError } from './errors.ts';
import { paginate } from './pagination.ts';
import type {
  AdminPlan,
  ApiKey,
  AssignPlanInput,
  BillingProfile,
  BillingProfileInput,
  ChangeSubscriptionInput,
  ChatCompletion,
  ChatRequest,
  CreatePriceInput,
  CreateProviderInput,
  CreateRouteInput,
  Credit,
  CreditList,
  GatewayModel,
  GatewayPolicy,
  GrantCreditInput,
  Invitation,
  Invoice,
  InvoiceClosingInput,
  Me,
  Member,
  MeteringUsageQuery,
  MeteringUsageReport,
  Organization,
  Page,
  Plan,
  PlanEdit,
  PolicyInput,
  Price,
  Provider,
  ProviderTestResult,
  Quota,
  RecordedUsageEvent,
  RequestLog,
  RequestLogDetail,
  RequestLogFilter,
  RevenueReport,
  Role,
  Route,
  Session,
  Subscription,
  SubscriptionChange,
  UpcomingInvoice,
  UpdateProviderInput,
  UpdateRouteInput,
  UsageEventBatchResult,
  UsageEventInput,
  UsageQuery,
  UsageReport,
  Workspace,
} from './types.ts';

export interface ClientOptions {
  /** Where Atrium runs, e.g. `https://atrium.example.com`. */
  baseUrl: string;
  /** An API key (`atr_live_…`) or an access token. */
  token?: string;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  /** Makes a POST safe to retry: the same key and body replays the first response. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** How a gateway call (`/v1/…`) is made. */
export interface GatewayCallOptions {
  signal?: AbortSignal;
  /**
   * The workspace a signed-in user's call is for (`x-atrium-workspace`): its policies apply and its
   * usage is counted. API keys always act for their own workspace.
   */
  workspaceId?: string;
}

interface SendOptions extends RequestOptions {
  accept?: string;
  headers?: Record<string, string>;
}

/** The API's error envelope as an AtriumError (also for bodies that are not JSON). */
async function errorOf(response: Response): Promise<AtriumError> {
  const payload = await response.json().catch(() => undefined);
  const error = payload?.error ?? {};
  return new AtriumError(
    response.status,
    error.type ?? 'api_error',
    error.code ?? 'unknown',
    error.message ?? response.statusText,
    error.param ?? undefined,
    error.request_id ?? response.headers.get('x-request-id') ?? undefined,
  );
}

/**
 * A typed client for the Atrium platform API.
 *
 * @example
 * const atrium = createClient({ baseUrl: 'http://localhost:3000', token: 'atr_live_…' });
 * const { data } = await atrium.workspaces.list();
 */
export function createClient(options: ClientOptions) {
  const fetchImpl = options.fetch ?? fetch;
  let token = options.token;
  const base = options.baseUrl.replace(/\/$/, '');

  /** Sends a request and answers the response, or throws the API's error as an AtriumError. */
  async function send(method: string, path: string, body?: unknown, extra: SendOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: extra.accept ?? 'application/json', ...extra.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (extra.idempotencyKey) headers['idempotency-key'] = extra.idempotencyKey;
    const response = await fetchImpl(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: extra.signal,
    });
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  async function request<T>(method: string, path: string, body?: unknown, extra: SendOptions = {}): Promise<T> {
    const response = await send(method, path, body, extra);
    if (response.status === 204) return undefined as T;
    return (await response.json().catch(() => undefined)) as T;
  }

  const gatewayCall = (options: GatewayCallOptions): SendOptions => ({
    signal: options.signal,
    headers: options.workspaceId ? { 'x-atrium-workspace': options.workspaceId } : undefined,
  });

  const query = (params: Record<string, string | number | undefined>) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
    const text = search.toString();
    return text ? `?${text}` : '';
  };

  const gatewayUsage = {
    get: (filter: UsageQuery = {}) => request<UsageReport>('GET', `/api/v1/gateway/usage${query({ ...filter })}`),
    /** The same report as CSV text (a header line, then one line per group). */
    csv: async (filter: UsageQuery = {}) => {
      const response = await send('GET', `/api/v1/gateway/usage${query({ ...filter, format: 'csv' })}`, undefined, { accept: 'text/csv' });
      return response.text();
    },
  };

  return {
    /** Replaces the credential used by later calls. */
    setToken(next: string | undefined) {
      token = next;
    },
    auth: {
      async signup(input: { email: string; password: string; name: string; organization: string }) {
        const session = await request<Session & { organization: Organization; workspace: Workspace }>('POST', '/api/v1/auth/signup', input);
        token = session.access_token;
        return session;
      },
      async login(input: { email: string; password: string }) {
        const session = await request<Session>('POST', '/api/v1/auth/login', input);
        token = session.access_token;
        return session;
      },
      async refresh(refreshToken: string) {
        const session = await request<Session>('POST', '/api/v1/auth/refresh', { refresh_token: refreshToken });
        token = session.access_token;
        return session;
      },
      logout: () => request<void>('POST', '/api/v1/auth/logout', {}),
      switchOrganization: async (organizationId: string) => {
        const session = await request<Session>('POST', '/api/v1/auth/switch', { organization_id: organizationId });
        token = session.access_token;
        return session;
      },
    },
    me: () => request<Me>('GET', '/api/v1/me'),
    workspaces: {
      list: (page: { limit?: number; cursor?: string } = {}) => request<Page<Workspace>>('GET', `/api/v1/workspaces${query(page)}`),
      get: (id: string) => request<Workspace>('GET', `/api/v1/workspaces/${encodeURIComponent(id)}`),
      create: (input: { name: string; description?: string }, extra?: RequestOptions) =>
        request<Workspace>('POST', '/api/v1/workspaces', input, extra),
      update: (id: string, patch: { name?: string; description?: string | null }) =>
        request<Workspace>('PATCH', `/api/v1/workspaces/${encodeURIComponent(id)}`, patch),
      delete: (id: string) => request<void>('DELETE', `/api/v1/workspaces/${encodeURIComponent(id)}`),
    },
    apiKeys: {
      list: () => request<{ data: ApiKey[] }>('GET', '/api/v1/api-keys'),
      create: (input: { name: string; workspace_id: string; scopes?: string[]; expires_at?: string }, extra?: RequestOptions) =>
        request<ApiKey & { key: string }>('POST', '/api/v1/api-keys', input, extra),
      rotate: (id: string, input: { overlap_seconds?: number } = {}) =>
        request<ApiKey & { key: string; previous: ApiKey }>('POST', `/api/v1/api-keys/${encodeURIComponent(id)}/rotate`, input),
      revoke: (id: string) => request<void>('DELETE', `/api/v1/api-keys/${encodeURIComponent(id)}`),
    },
    members: {
      list: () => request<{ data: Member[] }>('GET', '/api/v1/members'),
      changeRole: (id: string, role: Role) => request<Member>('PATCH', `/api/v1/members/${encodeURIComponent(id)}`, { role }),
      remove: (id: string) => request<void>('DELETE', `/api/v1/members/${encodeURIComponent(id)}`),
    },
    invitations: {
      list: () => request<{ data: Invitation[] }>('GET', '/api/v1/invitations'),
      create: (input: { email: string; role: Role }) =>
        request<Invitation & { token: string; url: string }>('POST', '/api/v1/invitations', input),
      revoke: (id: string) => request<void>('DELETE', `/api/v1/invitations/${encodeURIComponent(id)}`),
      accept: (invitationToken: string) =>
        request<{ organization: Organization; role: Role; membership_id: string }>('POST', '/api/v1/invitations/accept', {
          token: invitationToken,
        }),
    },
    /** Model provider connections (OpenAI, Azure OpenAI, Anthropic, Gemini or any OpenAI-compatible server). */
    providers: {
      list: () => request<{ data: Provider[] }>('GET', '/api/v1/providers'),
      get: (id: string) => request<Provider>('GET', `/api/v1/providers/${encodeURIComponent(id)}`),
      create: (input: CreateProviderInput, extra?: RequestOptions) => request<Provider>('POST', '/api/v1/providers', input, extra),
      update: (id: string, patch: UpdateProviderInput) => request<Provider>('PATCH', `/api/v1/providers/${encodeURIComponent(id)}`, patch),
      delete: (id: string) => request<void>('DELETE', `/api/v1/providers/${encodeURIComponent(id)}`),
      /** Lists the provider's models with the stored key. A refusal is answered as `ok: false`, not thrown. */
      test: (id: string) => request<ProviderTestResult>('POST', `/api/v1/providers/${encodeURIComponent(id)}/test`, {}),
    },
    /** Model aliases served by ordered (`fallback`) or weighted (`loadbalance`) targets. */
    routes: {
      list: () => request<{ data: Route[] }>('GET', '/api/v1/routes'),
      get: (id: string) => request<Route>('GET', `/api/v1/routes/${encodeURIComponent(id)}`),
      create: (input: CreateRouteInput, extra?: RequestOptions) => request<Route>('POST', '/api/v1/routes', input, extra),
      update: (id: string, patch: UpdateRouteInput) => request<Route>('PATCH', `/api/v1/routes/${encodeURIComponent(id)}`, patch),
      delete: (id: string) => request<void>('DELETE', `/api/v1/routes/${encodeURIComponent(id)}`),
    },
    /**
     * Gateway limits, budgets, cache and allowed models. Each scope has its own policy; a call must
     * pass those of its key, its workspace and the organization. `put` replaces a scope's whole
     * policy: a field left out is cleared, as with `null`.
     */
    policies: {
      organization: {
        get: () => request<GatewayPolicy>('GET', '/api/v1/gateway/policy'),
        put: (input: PolicyInput) => request<GatewayPolicy>('PUT', '/api/v1/gateway/policy', input),
      },
      workspace: {
        get: (workspaceId: string) => request<GatewayPolicy>('GET', `/api/v1/gateway/workspaces/${encodeURIComponent(workspaceId)}/policy`),
        put: (workspaceId: string, input: PolicyInput) =>
          request<GatewayPolicy>('PUT', `/api/v1/gateway/workspaces/${encodeURIComponent(workspaceId)}/policy`, input),
      },
      apiKey: {
        get: (apiKeyId: string) => request<GatewayPolicy>('GET', `/api/v1/gateway/keys/${encodeURIComponent(apiKeyId)}/policy`),
        put: (apiKeyId: string, input: PolicyInput) =>
          request<GatewayPolicy>('PUT', `/api/v1/gateway/keys/${encodeURIComponent(apiKeyId)}/policy`, input),
      },
    },
    /** Model prices (platform and organization), every version, newest first. */
    prices: {
      list: (filter: { model?: string } = {}) => request<{ data: Price[] }>('GET', `/api/v1/prices${query(filter)}`),
      /** Adds a new version of the organization's price; earlier calls keep their cost. */
      create: (input: CreatePriceInput, extra?: RequestOptions) => request<Price>('POST', '/api/v1/prices', input, extra),
    },
    /**
     * The gateway's usage and cost report (`/api/v1/gateway/usage`), grouped by `day` (the
     * default), `model`, `key`, `workspace` or `provider`. Metered usage per metric is `metering.usage`.
     *
     * @example
     * const { data } = await atrium.gatewayUsage.get({ group_by: 'model', from: '2026-01-01T00:00:00Z' });
     */
    gatewayUsage,
    /** @deprecated The gateway's report moved to `gatewayUsage` (same methods); metered usage is `metering.usage`. */
    usage: gatewayUsage,
    /**
     * Plans, the organization's subscription, invoices, credits and billing details. Amounts are
     * integers in the currency's minor unit (cents): 2900 is 29.00 USD.
     */
    billing: {
      /**
       * The plans on offer (current versions).
       *
       * @example
       * const { data } = await atrium.billing.plans();
       * console.log(data.map((plan) => `${plan.name}: ${plan.prices.month}`));
       */
      plans: () => request<{ data: Plan[] }>('GET', '/api/v1/plans'),
      subscription: {
        /**
         * The organization's subscription: plan, status, period, seats and whether it is read-only.
         *
         * @example
         * const subscription = await atrium.billing.subscription.get();
         * if (subscription.status === 'trialing') console.log(`${subscription.days_left_in_trial} days of trial left`);
         */
        get: () => request<Subscription>('GET', '/api/v1/subscription'),
        /**
         * Moves to another plan, interval or seat count. When `checkout_url` is set, send the payer
         * there: the change applies after payment.
         *
         * @example
         * const { subscription, invoice, checkout_url } = await atrium.billing.subscription.change({ plan: 'team', interval: 'year', seats: 4 });
         */
        change: (input: ChangeSubscriptionInput, extra?: RequestOptions) =>
          request<SubscriptionChange>('POST', '/api/v1/subscription/change', input, extra),
        /**
         * Cancels at the end of the current period, or at once.
         *
         * @example
         * await atrium.billing.subscription.cancel({ at_period_end: true });
         */
        cancel: (input: { at_period_end: boolean }) => request<Subscription>('POST', '/api/v1/subscription/cancel', input),
      },
      invoices: {
        /**
         * The organization's invoices, newest first.
         *
         * @example
         * const open = (await atrium.billing.invoices.list()).data.filter((invoice) => invoice.status === 'open');
         */
        list: () => request<{ data: Invoice[] }>('GET', '/api/v1/invoices'),
        /**
         * A preview of the current period's invoice: its lines so far, credits and tax.
         *
         * @example
         * const { total, currency } = await atrium.billing.invoices.upcoming();
         */
        upcoming: () => request<UpcomingInvoice>('GET', '/api/v1/invoices/upcoming'),
        /**
         * An invoice as a PDF document's bytes.
         *
         * @example
         * await writeFile('invoice.pdf', await atrium.billing.invoices.pdf('inv_…'));
         */
        pdf: async (id: string): Promise<Uint8Array> => {
          const response = await send('GET', `/api/v1/invoices/${encodeURIComponent(id)}/pdf`, undefined, { accept: 'application/pdf' });
          return new Uint8Array(await response.arrayBuffer());
        },
      },
      credits: {
        /**
         * Credit grants and the balance invoices draw on first.
         *
         * @example
         * const { balance, currency } = await atrium.billing.credits.list();
         */
        list: () => request<CreditList>('GET', '/api/v1/credits'),
      },
      profile: {
        /**
         * The details printed on invoices, and the tax rate applied.
         *
         * @example
         * const { legal_name, tax_rate_bp } = await atrium.billing.profile.get();
         */
        get: () => request<BillingProfile>('GET', '/api/v1/billing/profile'),
        /**
         * Replaces the invoice details (`tax_rate_bp` is the operator's and is not changed).
         *
         * @example
         * await atrium.billing.profile.put({ legal_name: 'Acme Ltd', email: 'ap@acme.test', address: '1 Main St', tax_id: null });
         */
        put: (input: BillingProfileInput) => request<BillingProfile>('PUT', '/api/v1/billing/profile', input),
      },
    },
    /** Metered usage per metric, quotas, and usage events of your own metrics. */
    metering: {
      /**
       * Usage per metric, grouped by `metric` (the default), `day`, `model`, `provider`, `key` or
       * `workspace`; by default over the current billing period.
       *
       * @example
       * const { data } = await atrium.metering.usage({ group_by: 'day', metric: 'tokens' });
       */
      usage: (filter: MeteringUsageQuery = {}) => request<MeteringUsageReport>('GET', `/api/v1/usage${query({ ...filter })}`),
      /**
       * This period's use of every metric the plan limits, against its limit.
       *
       * @example
       * for (const quota of (await atrium.metering.quotas()).data) console.log(quota.metric, quota.percent);
       */
      quotas: () => request<{ data: Quota[] }>('GET', '/api/v1/usage/quotas'),
      /**
       * Records one usage event of a custom metric. Sending the same `idempotency_key` again
       * answers the first event with `duplicate: true`: it counts once.
       *
       * @example
       * await atrium.metering.record({ metric: 'documents_indexed', quantity: 12, idempotency_key: `job-${jobId}` });
       */
      record: (event: UsageEventInput) => request<RecordedUsageEvent>('POST', '/api/v1/usage/events', event),
      /**
       * Records up to 1,000 events at once; each is idempotent on its own key.
       *
       * @example
       * const { inserted, duplicates } = await atrium.metering.recordBatch([
       *   { metric: 'emails_sent', quantity: 1, idempotency_key: 'mail-1' },
       *   { metric: 'emails_sent', quantity: 1, idempotency_key: 'mail-2' },
       * ]);
       */
      recordBatch: (events: UsageEventInput[]) => request<UsageEventBatchResult>('POST', '/api/v1/usage/events/batch', { events }),
    },
    /** Platform operators only (the `platform:operate` permission): the plan catalogue, revenue, payments and credits. */
    admin: {
      plans: {
        /**
         * Every plan, including hidden and archived ones.
         *
         * @example
         * const hidden = (await atrium.admin.plans.list()).data.filter((plan) => !plan.public);
         */
        list: () => request<{ data: AdminPlan[] }>('GET', '/api/v1/admin/plans'),
        /**
         * Publishes a new version of a plan with these terms changed; existing subscribers keep theirs.
         *
         * @example
         * await atrium.admin.plans.update('plan_solo', { prices: { month: 3900 }, trial_days: 14 });
         */
        update: (id: string, edit: PlanEdit) => request<AdminPlan>('PUT', `/api/v1/admin/plans/${encodeURIComponent(id)}`, edit),
        /**
         * Puts an organization on a plan, hidden ones included; invoiced and prorated like a change
         * of plan. With Stripe and no saved card yet, `checkout_url` is the page to send its owner.
         *
         * @example
         * const { subscription, invoice } = await atrium.admin.plans.assign('org_…', { plan: 'enterprise', seats: 40 });
         */
        assign: (organizationId: string, input: AssignPlanInput) =>
          request<SubscriptionChange>('PUT', `/api/v1/admin/organizations/${encodeURIComponent(organizationId)}/plan`, input),
      },
      /**
       * MRR, ARR, ARPU, churn and trial conversion, overall and by plan.
       *
       * @example
       * const { mrr, currency } = await atrium.admin.revenue();
       */
      revenue: () => request<RevenueReport>('GET', '/api/v1/admin/revenue'),
      invoices: {
        /**
         * Records an open invoice as paid (a payment received outside Atrium).
         *
         * @example
         * await atrium.admin.invoices.markPaid('inv_…');
         */
        markPaid: (id: string) => request<Invoice>('POST', `/api/v1/admin/invoices/${encodeURIComponent(id)}/mark-paid`, {}),
        /**
         * Voids an open or written-off invoice: it is no longer owed, the credits it used go back and
         * an organization past due only because of it recovers. A paid invoice answers 409.
         *
         * @example
         * await atrium.admin.invoices.void('inv_…', { reason: 'Billed twice for March' });
         */
        void: (id: string, input: InvoiceClosingInput) =>
          request<Invoice>('POST', `/api/v1/admin/invoices/${encodeURIComponent(id)}/void`, input),
        /**
         * Writes off an open invoice: it is no longer collected but stays owed, so access is not restored.
         *
         * @example
         * await atrium.admin.invoices.markUncollectible('inv_…', { reason: 'Customer insolvent' });
         */
        markUncollectible: (id: string, input: InvoiceClosingInput) =>
          request<Invoice>('POST', `/api/v1/admin/invoices/${encodeURIComponent(id)}/mark-uncollectible`, input),
      },
      credits: {
        /**
         * Grants an organization credit.
         *
         * @example
         * await atrium.admin.credits.grant('org_…', { kind: 'promotional', amount: 5000, description: 'Welcome credit' });
         */
        grant: (organizationId: string, input: GrantCreditInput) =>
          request<Credit>('POST', `/api/v1/admin/organizations/${encodeURIComponent(organizationId)}/credits`, input),
      },
    },
    /** The gateway's request log, newest first. */
    requestLogs: {
      list: (filter: RequestLogFilter & { limit?: number; cursor?: string } = {}) =>
        request<Page<RequestLog>>('GET', `/api/v1/request-logs${query({ ...filter })}`),
      get: (id: string) => request<RequestLogDetail>('GET', `/api/v1/request-logs/${encodeURIComponent(id)}`),
      /**
       * Every matching entry, newest first, fetching pages of `pageSize` (default 100) as the loop asks.
       *
       * @example
       * for await (const entry of atrium.requestLogs.iterate({ status: 'error' })) console.log(entry.error_code);
       */
      iterate: (filter: RequestLogFilter = {}, options: { pageSize?: number } = {}) =>
        paginate((cursor) =>
          request<Page<RequestLog>>('GET', `/api/v1/request-logs${query({ ...filter, limit: options.pageSize ?? 100, cursor })}`),
        ),
    },
    /** The OpenAI-compatible chat endpoint (`POST /v1/chat/completions`). */
    chat: {
      /**
       * One chat completion.
       *
       * @example
       * const completion = await atrium.chat.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
       * console.log(completion.choices[0].message.content);
       */
      create: (input: ChatRequest, options: GatewayCallOptions = {}) =>
        request<ChatCompletion>('POST', '/v1/chat/completions', { ...input, stream: false }, gatewayCall(options)),
      /**
       * A streamed chat completion. Resolves once the gateway accepted the call (errors before the
       * first chunk reject here); iterate it for the chunks. An error the gateway sends mid-stream is
       * thrown from the loop as an AtriumError.
       *
       * @example
       * const stream = await atrium.chat.stream({ model: 'fast', messages: [{ role: 'user', content: 'Hi' }] });
       * for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? '');
       */
      stream: async (input: ChatRequest, options: GatewayCallOptions = {}): Promise<ChatStream> =>
        openChatStream(
          await send('POST', '/v1/chat/completions', { ...input, stream: true }, { ...gatewayCall(options), accept: 'text/event-stream' }),
        ),
    },
    /** The models the credential may call through the gateway: route aliases and `<provider>/<model>`. */
    models: {
      list: (options: GatewayCallOptions = {}) =>
        request<{ object: 'list'; data: GatewayModel[] }>('GET', '/v1/models', undefined, gatewayCall(options)),
    },
  };
}

export type AtriumClient = ReturnType<typeof createClient>;
