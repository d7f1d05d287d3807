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
