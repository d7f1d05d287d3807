import { index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, orgId, tenantPolicy, updatedAt } from '../../kernel/db/columns.ts';

/** Organisations: the tenant and billing entity. Its own row is visible only inside its tenant. */
export const organizations = pgTable(
  'organizations',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  () => [tenantPolicy('id')],
).enableRLS();

export const workspaces = pgTable(
  'workspaces',
  {
    id: text('id').primaryKey(),
    orgId: orgId().references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    description: text('description'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [uniqueIndex('workspaces_org_slug_key').on(table.orgId, table.slug), tenantPolicy()],
).enableRLS();

export const memberships = pgTable(
  'memberships',
  {
    id: text('id').primaryKey(),
    orgId: orgId().references(() => organizations.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    role: text('role').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    uniqueIndex('memberships_org_user_key').on(table.orgId, table.userId),
    index('memberships_user_idx').on(table.userId),
    tenantPolicy(),
  ],
).enableRLS();

export const invitations = pgTable(
  'invitations',
  {
    id: text('id').primaryKey(),
    orgId: orgId().references(() => organizations.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role').notNull(),
    tokenHash: text('token_hash').notNull(),
    invitedBy: text('invited_by').notNull(),
    createdAt: createdAt(),
    expiresAt: at('expires_at').notNull(),
    acceptedAt: at('accepted_at'),
    acceptedBy: text('accepted_by'),
    revokedAt: at('revoked_at'),
  },
  (table) => [uniqueIndex('invitations_token_key').on(table.tokenHash), index('invitations_org_idx').on(table.orgId), tenantPolicy()],
).enableRLS();
