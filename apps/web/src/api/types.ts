// The API's shapes come from the SDK, so the console and scripts agree on one definition.
import type { ApiKey, Invitation, Organization, Role, Workspace } from '@atrium/sdk';

export type { ApiKey, Invitation, Me, Member, Organization, Role, User, Workspace } from '@atrium/sdk';

export const ROLES: readonly Role[] = ['owner', 'admin', 'developer', 'member', 'viewer', 'billing'];

export type OrganizationSummary = Pick<Organization, 'id' | 'name' | 'slug'>;
export type WorkspaceSummary = Pick<Workspace, 'id' | 'name' | 'slug'>;

export interface CreatedInvitation extends Omit<Invitation, 'created_at'> {
  token: string;
  url: string;
}

export interface InvitationPreview {
  organization: { name: string };
  email: string;
  role: Role;
  expires_at: string;
}

export interface CreatedApiKey extends ApiKey {
  key: string;
}

export interface Permission {
  id: string;
  description: string;
}

export interface PermissionCatalog {
  permissions: Permission[];
  roles: Partial<Record<Role, string[]>>;
}

export interface ListResponse<T> {
  data: T[];
  next_cursor?: string | null;
}

export interface AuditActor {
  type: string;
  id: string;
}

/** One audit log entry, as `GET /api/v1/audit-logs` returns it. */
export interface AuditLogEntry {
  id: string;
  seq: number;
  action: string;
  actor: AuditActor | null;
  target: AuditActor | null;
  context: { request_id: string; ip: string; user_agent?: string } | null;
  changes: Record<string, unknown>;
  prev_hash: string;
  hash: string;
  created_at: string;
}

/** The audit log filters as the API takes them: `from` and `to` are ISO 8601 timestamps. */
export interface AuditLogFilters {
  action?: string;
  actor?: string;
  from?: string;
  to?: string;
}

export interface AuditLogVerification {
  intact: boolean;
  checked: number;
  head?: string | null;
  broken_at?: { seq: number; id: string; expected_seq: number };
}

export type WebhookFilter = Record<string, string | number | boolean>;

/** A webhook endpoint, as `GET /api/v1/webhooks` lists it (the secret is never listed). */
export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  event_types: string[];
  workspace_id: string | null;
  enabled: boolean;
  /** Only events whose payload has these exact field values are delivered; null delivers all. */
  filter: WebhookFilter | null;
  /** Deliveries per second at most; null is no limit. */
  rate_limit: number | null;
  disabled_reason: string | null;
  failing_since: string | null;
  created_at: string;
  updated_at: string;
}

/** An endpoint with its signing secret, returned once on creation and on rotation. */
export interface WebhookEndpointWithSecret extends WebhookEndpoint {
  secret: string;
  previous_secret_expires_at?: string;
}

export interface WebhookEventType {
  type: string;
  description: string;
  schema: Record<string, unknown>;
}

/** One delivery attempt of a message to an endpoint. */
export interface WebhookDelivery {
  id: string;
  message_id: string;
  event_type: string;
  attempt: number;
  status_code: number | null;
  latency_ms: number;
  response_excerpt: string | null;
  error: string | null;
  /** `pending` (will retry), `succeeded` or `failed` (gave up). */
  message_status: string;
  created_at: string;
}
