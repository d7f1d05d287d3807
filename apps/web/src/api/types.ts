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
