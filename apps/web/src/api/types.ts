export type Role = 'owner' | 'admin' | 'developer' | 'member' | 'viewer' | 'billing';

export const ROLES: readonly Role[] = ['owner', 'admin', 'developer', 'member', 'viewer', 'billing'];

export interface User {
  id: string;
  email: string;
  name: string;
  created_at?: string;
}

export interface OrganizationSummary {
  id: string;
  name: string;
  slug: string;
}

export interface WorkspaceSummary {
  id: string;
  name: string;
  slug: string;
}

export interface Membership {
  organization: OrganizationSummary;
  role: Role;
  workspaces: WorkspaceSummary[];
}

export interface Me {
  user: User;
  organization: OrganizationSummary;
  role: Role;
  permissions: string[];
  memberships: Membership[];
}

export interface Workspace extends WorkspaceSummary {
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface Member {
  id: string;
  user: Pick<User, 'id' | 'email' | 'name'>;
  role: Role;
  created_at: string;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  expires_at: string;
  created_at: string;
}

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

export interface ApiKey {
  id: string;
  name: string;
  last4: string;
  scopes: string[] | null;
  workspace_id: string;
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
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
