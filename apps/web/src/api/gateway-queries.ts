import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { listModels } from './chat';
import { fetchPolicy, fetchRequestLog, fetchUsage, listPrices, listProviders, listRequestLogs, listRoutes } from './gateway';
import type { PolicyScope, RequestLogFilters, UsageFilters } from './gateway-types';
import { queryKeys } from './queries';
import { listApiKeys } from './resources';

export const gatewayKeys = {
  providers: ['gateway', 'providers'] as const,
  routes: ['gateway', 'routes'] as const,
  policies: ['gateway', 'policies'] as const,
  policy: (scope: PolicyScope, scopeId: string) => ['gateway', 'policies', scope, scopeId] as const,
  prices: ['gateway', 'prices'] as const,
  usage: ['gateway', 'usage'] as const,
  requestLogs: ['gateway', 'request-logs'] as const,
  requestLog: (id: string) => ['gateway', 'request-log', id] as const,
  models: (workspaceId: string | null) => ['gateway', 'models', workspaceId] as const,
};

export function useProvidersQuery(enabled = true) {
  return useQuery({ queryKey: gatewayKeys.providers, queryFn: listProviders, enabled });
}

export function useRoutesQuery() {
  return useQuery({ queryKey: gatewayKeys.routes, queryFn: listRoutes });
}

export function usePolicyQuery(scope: PolicyScope, scopeId: string | null) {
  return useQuery({
    queryKey: gatewayKeys.policy(scope, scopeId ?? ''),
    queryFn: () => fetchPolicy(scope, scopeId ?? ''),
    enabled: Boolean(scopeId),
  });
}

/** Every price version, or those of one model (exact name). */
export function usePricesQuery(model?: string) {
  return useQuery({ queryKey: [...gatewayKeys.prices, model ?? ''], queryFn: () => listPrices(model) });
}

/** Usage grouped as asked; the previous report stays on screen while a new range loads. */
export function useUsageQuery(filters: UsageFilters, enabled = true) {
  return useQuery({
    queryKey: [...gatewayKeys.usage, filters],
    queryFn: () => fetchUsage(filters),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** Requests newest first, a page at a time: `fetchNextPage` follows `next_cursor`. */
export function useRequestLogsQuery(filters: RequestLogFilters) {
  return useInfiniteQuery({
    queryKey: [...gatewayKeys.requestLogs, filters],
    queryFn: ({ pageParam }) => listRequestLogs(filters, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

export function useRequestLogQuery(id: string) {
  return useQuery({ queryKey: gatewayKeys.requestLog(id), queryFn: () => fetchRequestLog(id) });
}

/** The models the signed-in user may call in a workspace, from `GET /v1/models`. */
export function useModelsQuery(workspaceId: string | null, enabled = true) {
  return useQuery({ queryKey: gatewayKeys.models(workspaceId), queryFn: () => listModels(workspaceId), enabled, staleTime: 60_000 });
}

/** The organization's API keys, only fetched when the caller may list them (shares the API keys page's cache). */
export function useApiKeysIfAllowed(enabled: boolean) {
  return useQuery({ queryKey: queryKeys.apiKeys, queryFn: listApiKeys, enabled });
}
