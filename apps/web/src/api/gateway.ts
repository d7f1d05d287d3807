import { apiRequest, queryString } from './client';
import type {
  CreateProviderInput,
  GatewayPolicy,
  GatewayRoute,
  ModelPrice,
  PolicyInput,
  PolicyScope,
  PriceInput,
  ProviderConnection,
  ProviderTestResult,
  RequestLog,
  RequestLogDetail,
  RequestLogFilters,
  RouteInput,
  UpdateProviderInput,
  UsageFilters,
  UsageReport,
} from './gateway-types';
import type { ListResponse } from './types';

/** The AI gateway's management API: providers, routes, policies, prices, usage and request logs. */

const base = '/api/v1';

// --- Providers --------------------------------------------------------------------------------

const providerPath = (id: string) => `${base}/providers/${encodeURIComponent(id)}`;

export async function listProviders(): Promise<ProviderConnection[]> {
  return (await apiRequest<ListResponse<ProviderConnection>>(`${base}/providers`)).data;
}

export function createProvider(input: CreateProviderInput) {
  return apiRequest<ProviderConnection>(`${base}/providers`, { method: 'POST', body: input });
}

export function updateProvider(id: string, changes: UpdateProviderInput) {
  return apiRequest<ProviderConnection>(providerPath(id), { method: 'PATCH', body: changes });
}

/** Answers 409 while a route still sends traffic to the connection. */
export function deleteProvider(id: string) {
  return apiRequest<void>(providerPath(id), { method: 'DELETE' });
}

export function testProvider(id: string) {
  return apiRequest<ProviderTestResult>(`${providerPath(id)}/test`, { method: 'POST', body: {} });
}

// --- Routes -----------------------------------------------------------------------------------

const routePath = (id: string) => `${base}/routes/${encodeURIComponent(id)}`;

export async function listRoutes(): Promise<GatewayRoute[]> {
  return (await apiRequest<ListResponse<GatewayRoute>>(`${base}/routes`)).data;
}

export function createRoute(input: RouteInput) {
  return apiRequest<GatewayRoute>(`${base}/routes`, { method: 'POST', body: input });
}

export function updateRoute(id: string, changes: Partial<RouteInput>) {
  return apiRequest<GatewayRoute>(routePath(id), { method: 'PATCH', body: changes });
}

export function deleteRoute(id: string) {
  return apiRequest<void>(routePath(id), { method: 'DELETE' });
}

// --- Policies ---------------------------------------------------------------------------------

/** The policy address of a scope: the organization's own, or one workspace's or API key's. */
function policyPath(scope: PolicyScope, scopeId: string): string {
  if (scope === 'organization') return `${base}/gateway/policy`;
  const kind = scope === 'workspace' ? 'workspaces' : 'keys';
  return `${base}/gateway/${kind}/${encodeURIComponent(scopeId)}/policy`;
}

export function fetchPolicy(scope: PolicyScope, scopeId: string) {
  return apiRequest<GatewayPolicy>(policyPath(scope, scopeId));
}

/** Replaces the scope's whole policy; null clears a field. */
export function savePolicy(scope: PolicyScope, scopeId: string, policy: PolicyInput) {
  return apiRequest<GatewayPolicy>(policyPath(scope, scopeId), { method: 'PUT', body: policy });
}

// --- Prices -----------------------------------------------------------------------------------

/** Every price version the organization sees (the platform's and its own), newest first; `model` matches exactly. */
export async function listPrices(model?: string): Promise<ModelPrice[]> {
  return (await apiRequest<ListResponse<ModelPrice>>(`${base}/prices${queryString({ model })}`)).data;
}

/** Adds the organization's price for a model as a new version (201); earlier calls keep their cost. */
export function createPrice(input: PriceInput) {
  return apiRequest<ModelPrice>(`${base}/prices`, { method: 'POST', body: input });
}

// --- Usage and request logs -------------------------------------------------------------------

/** The gateway's usage and cost report (metered usage per metric is `fetchMeteredUsage` in billing.ts). */
export function fetchUsage(filters: UsageFilters) {
  return apiRequest<UsageReport>(`${base}/gateway/usage${queryString({ ...filters })}`);
}

/** The download address of the same report as CSV; the session cookie authenticates it. */
export function usageCsvUrl(filters: UsageFilters): string {
  return `${base}/gateway/usage${queryString({ ...filters, format: 'csv' })}`;
}

/** One page of requests, newest first; pass the previous page's `next_cursor` for the next. */
export function listRequestLogs(filters: RequestLogFilters, cursor?: string) {
  return apiRequest<ListResponse<RequestLog>>(`${base}/request-logs${queryString({ ...filters, cursor })}`);
}

export function fetchRequestLog(id: string) {
  return apiRequest<RequestLogDetail>(`${base}/request-logs/${encodeURIComponent(id)}`);
}
