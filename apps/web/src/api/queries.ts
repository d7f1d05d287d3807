import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { fetchMe } from './auth';
import {
  fetchOrganization,
  fetchPermissionCatalog,
  listApiKeys,
  listAuditLogs,
  listInvitations,
  listMembers,
  listWebhookDeliveries,
  listWebhookEventTypes,
  listWebhooks,
  listWorkspaces,
} from './resources';
import type { AuditLogFilters } from './types';

export const queryKeys = {
  me: ['me'] as const,
  organization: ['organization'] as const,
  workspaces: ['workspaces'] as const,
  members: ['members'] as const,
  invitations: ['invitations'] as const,
  apiKeys: ['api-keys'] as const,
  permissions: ['permissions'] as const,
  auditLog: ['audit-log'] as const,
  webhooks: ['webhooks'] as const,
  webhookEventTypes: ['webhook-event-types'] as const,
  webhookDeliveries: (id: string) => ['webhooks', id, 'deliveries'] as const,
};

export function useMeQuery() {
  return useQuery({ queryKey: queryKeys.me, queryFn: () => fetchMe(), retry: false, staleTime: 30_000 });
}

export function useOrganizationQuery() {
  return useQuery({ queryKey: queryKeys.organization, queryFn: fetchOrganization });
}

export function useWorkspacesQuery() {
  return useQuery({ queryKey: queryKeys.workspaces, queryFn: listWorkspaces });
}

export function useMembersQuery(enabled = true) {
  return useQuery({ queryKey: queryKeys.members, queryFn: listMembers, enabled });
}

export function useInvitationsQuery(enabled = true) {
  return useQuery({ queryKey: queryKeys.invitations, queryFn: listInvitations, enabled });
}

export function useApiKeysQuery() {
  return useQuery({ queryKey: queryKeys.apiKeys, queryFn: listApiKeys });
}

export function usePermissionCatalogQuery(enabled = true) {
  return useQuery({
    queryKey: queryKeys.permissions,
    queryFn: fetchPermissionCatalog,
    staleTime: 5 * 60_000,
    enabled,
  });
}

/** Audit entries newest first, a page at a time: `fetchNextPage` follows `next_cursor`. */
export function useAuditLogQuery(filters: AuditLogFilters) {
  return useInfiniteQuery({
    queryKey: [...queryKeys.auditLog, filters],
    queryFn: ({ pageParam }) => listAuditLogs(filters, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

export function useWebhooksQuery() {
  return useQuery({ queryKey: queryKeys.webhooks, queryFn: listWebhooks });
}

export function useWebhookEventTypesQuery() {
  return useQuery({ queryKey: queryKeys.webhookEventTypes, queryFn: listWebhookEventTypes, staleTime: 5 * 60_000 });
}

/** The latest delivery attempts of one endpoint, newest first. */
export function useWebhookDeliveriesQuery(id: string) {
  return useQuery({ queryKey: queryKeys.webhookDeliveries(id), queryFn: () => listWebhookDeliveries(id) });
}
