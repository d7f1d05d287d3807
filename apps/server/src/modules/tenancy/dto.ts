import type { OrganizationRow, WorkspaceRow } from './service.ts';

export function organizationDto(row: OrganizationRow) {
  return { id: row.id, name: row.name, slug: row.slug, created_at: row.createdAt.toISOString() };
}

export function workspaceDto(row: WorkspaceRow) {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
