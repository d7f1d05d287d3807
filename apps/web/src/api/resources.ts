import { apiRequest, queryString } from './client';
import type {
  ApiKey,
  AuditLogEntry,
  AuditLogFilters,
  AuditLogVerification,
  CreatedApiKey,
  CreatedInvitation,
  Invitation,
  ListResponse,
  Member,
  Organization,
  OrganizationSummary,
  PermissionCatalog,
  Role,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookEventType,
  WebhookFilter,
  Workspace,
} from './types';

const base = '/api/v1';

export function createOrganization(name: string) {
  return apiRequest<{ organization: OrganizationSummary; workspace: Workspace }>(`${base}/organizations`, {
    method: 'POST',
    body: { name },
  });
}

export function fetchOrganization() {
  return apiRequest<Organization>(`${base}/organization`);
}

export function updateOrganization(name: string) {
  return apiRequest<Organization>(`${base}/organization`, { method: 'PATCH', body: { name } });
}

export function leaveOrganization() {
  return apiRequest<void>(`${base}/organization/leave`, { method: 'POST', body: {} });
}

export async function listWorkspaces(): Promise<Workspace[]> {
  const all: Workspace[] = [];
  let cursor: string | null | undefined;
  do {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
    const page = await apiRequest<ListResponse<Workspace>>(`${base}/workspaces${query}`);
    all.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor && all.length < 1000);
  return all;
}

export function createWorkspace(input: { name: string; description?: string }) {
  return apiRequest<Workspace>(`${base}/workspaces`, { method: 'POST', body: input });
}

export function updateWorkspace(id: string, input: { name?: string; description?: string }) {
  return apiRequest<Workspace>(`${base}/workspaces/${encodeURIComponent(id)}`, { method: 'PATCH', body: input });
}

export function deleteWorkspace(id: string) {
  return apiRequest<void>(`${base}/workspaces/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export async function listMembers(): Promise<Member[]> {
  return (await apiRequest<ListResponse<Member>>(`${base}/members`)).data;
}

export function updateMemberRole(id: string, role: Role) {
  return apiRequest<Member>(`${base}/members/${encodeURIComponent(id)}`, { method: 'PATCH', body: { role } });
}

export function removeMember(id: string) {
  return apiRequest<void>(`${base}/members/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export async function listInvitations(): Promise<Invitation[]> {
  return (await apiRequest<ListResponse<Invitation>>(`${base}/invitations`)).data;
}

export function createInvitation(input: { email: string; role: Role }) {
  return apiRequest<CreatedInvitation>(`${base}/invitations`, { method: 'POST', body: input });
}

export function revokeInvitation(id: string) {
  return apiRequest<void>(`${base}/invitations/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export async function listApiKeys(): Promise<ApiKey[]> {
  return (await apiRequest<ListResponse<ApiKey>>(`${base}/api-keys`)).data;
}

export interface CreateApiKeyInput {
  name: string;
  workspace_id: string;
  scopes?: string[];
  expires_at?: string;
}

export function createApiKey(input: CreateApiKeyInput) {
  return apiRequest<CreatedApiKey>(`${base}/api-keys`, { method: 'POST', body: input });
}

export function rotateApiKey(id: string, overlapSeconds: number) {
  return apiRequest<CreatedApiKey>(`${base}/api-keys/${encodeURIComponent(id)}/rotate`, {
    method: 'POST',
    body: { overlap_seconds: overlapSeconds },
  });
}

export function revokeApiKey(id: string) {
  return apiRequest<void>(`${base}/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function fetchPermissionCatalog() {
  return apiRequest<PermissionCatalog>(`${base}/permissions`);
}

function auditQuery(filters: AuditLogFilters, extra: Record<string, string | undefined> = {}): string {
  return queryString({ ...filters, ...extra });
}

/** One page of audit entries, newest first; pass the previous page's `next_cursor` for the next. */
export function listAuditLogs(filters: AuditLogFilters, cursor?: string) {
  return apiRequest<ListResponse<AuditLogEntry>>(`${base}/audit-logs${auditQuery(filters, { cursor })}`);
}

export function verifyAuditLog() {
  return apiRequest<AuditLogVerification>(`${base}/audit-logs/verify`);
}

/** The download address of the whole filtered log; the session cookie authenticates it. */
export function auditLogExportUrl(format: 'csv' | 'jsonl', filters: AuditLogFilters): string {
  return `${base}/audit-logs/export${auditQuery(filters, { format })}`;
}

export async function listWebhookEventTypes(): Promise<WebhookEventType[]> {
  return (await apiRequest<ListResponse<WebhookEventType>>(`${base}/webhooks/event-types`)).data;
}

export async function listWebhooks(): Promise<WebhookEndpoint[]> {
  return (await apiRequest<ListResponse<WebhookEndpoint>>(`${base}/webhooks`)).data;
}

export interface CreateWebhookInput {
  url: string;
  event_types: string[];
  description?: string;
  /** null clears it on update. */
  filter?: WebhookFilter | null;
  /** Deliveries per second (1–1000); null clears it on update. */
  rate_limit?: number | null;
}

export function createWebhook(input: CreateWebhookInput) {
  return apiRequest<WebhookEndpointWithSecret>(`${base}/webhooks`, { method: 'POST', body: input });
}

const webhookPath = (id: string) => `${base}/webhooks/${encodeURIComponent(id)}`;

export function updateWebhook(id: string, changes: Partial<CreateWebhookInput> & { enabled?: boolean }) {
  return apiRequest<WebhookEndpoint>(webhookPath(id), { method: 'PATCH', body: changes });
}

export function deleteWebhook(id: string) {
  return apiRequest<void>(webhookPath(id), { method: 'DELETE' });
}

export function sendWebhookTest(id: string) {
  return apiRequest<{ message_id: string }>(`${webhookPath(id)}/test`, { method: 'POST', body: {} });
}

export function rotateWebhookSecret(id: string) {
  return apiRequest<WebhookEndpointWithSecret>(`${webhookPath(id)}/rotate-secret`, { method: 'POST', body: {} });
}

export function replayWebhookMessage(id: string, messageId: string) {
  return apiRequest<{ replayed: number }>(`${webhookPath(id)}/replay`, { method: 'POST', body: { message_id: messageId } });
}

export async function listWebhookDeliveries(id: string): Promise<WebhookDelivery[]> {
  return (await apiRequest<ListResponse<WebhookDelivery>>(`${webhookPath(id)}/deliveries`)).data;
}
