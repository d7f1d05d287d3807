import type { ApiKeyRow } from './api-keys.ts';
import type { UserRow } from './service.ts';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function userDto(user: Pick<UserRow, 'id' | 'email' | 'name' | 'createdAt'>) {
  return { id: user.id, email: user.email, name: user.name, created_at: user.createdAt.toISOString() };
}

export function apiKeyDto(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    last4: row.last4,
    scopes: row.scopes,
    workspace_id: row.workspaceId,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    last_used_at: iso(row.lastUsedAt),
    expires_at: iso(row.expiresAt),
    revoked_at: iso(row.revokedAt),
    replaced_by: row.replacedBy,
  };
}
