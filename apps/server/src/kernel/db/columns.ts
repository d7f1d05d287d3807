import { sql } from 'drizzle-orm';
import { pgPolicy, text, timestamp } from 'drizzle-orm/pg-core';

/** The role tenant transactions run as: not a superuser, not the owner, so RLS applies. */
export const APP_ROLE = 'atrium_app';

/** `org_id` column every tenant table carries. */
export const orgId = () => text('org_id').notNull();

export const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
export const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
export const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * The row-level security policy of a tenant table: rows are visible and writable only when
 * `app.org_id` (set by withTenant) names their organisation. `nullif` keeps an unset setting
 * (which reads as '' after any earlier set_config in the session) from matching anything.
 */
export function tenantPolicy(column = 'org_id') {
  const predicate = sql.raw(`${column} = nullif(current_setting('app.org_id', true), '')`);
  return pgPolicy('tenant_isolation', { as: 'permissive', for: 'all', to: 'public', using: predicate, withCheck: predicate });
}
