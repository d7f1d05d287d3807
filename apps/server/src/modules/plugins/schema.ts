import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, orgId, tenantPolicy, updatedAt } from '../../kernel/db/columns.ts';

/** A verified plugin bundle an organisation uploaded or fetched: immutable, by digest. */
export const pluginPackages = pgTable(
  'plugin_packages',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    pluginId: text('plugin_id').notNull(),
    version: text('version').notNull(),
    digest: text('digest').notNull(),
    manifest: jsonb('manifest').notNull(),
    code: text('code').notNull(),
    /** The trusted publisher key that signed it; null: unsigned (developer mode). */
    signedBy: text('signed_by'),
    /** `upload` or the URL it was fetched from. */
    source: text('source').notNull(),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex('plugin_packages_digest_idx').on(table.orgId, table.digest), tenantPolicy()],
).enableRLS();

/** A plugin installed in a workspace. */
export const pluginInstallations = pgTable(
  'plugin_installations',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    workspaceId: text('workspace_id').notNull(),
    pluginId: text('plugin_id').notNull(),
    packageId: text('package_id').notNull(),
    /** An update waiting for consent to the permissions it adds (the current version keeps running). */
    pendingPackageId: text('pending_package_id'),
    /** pending_consent, enabled or disabled */
    status: text('status').notNull(),
    grantedPermissions: text('granted_permissions').array().notNull().default(sql`'{}'::text[]`),
    consentedBy: text('consented_by'),
    consentedAt: at('consented_at'),
    /** Non-secret setting values. */
    settings: jsonb('settings').notNull().default({}),
    /** Secret setting values: a JSON object sealed with the organisation's data key. */
    secrets: text('secrets'),
    disabledReason: text('disabled_reason'),
    lastError: text('last_error'),
    installedBy: text('installed_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [uniqueIndex('plugin_installations_workspace_plugin_idx').on(table.orgId, table.workspaceId, table.pluginId), tenantPolicy()],
).enableRLS();

/** The data store a plugin reaches through `atrium.store`: scoped to one installation. */
export const pluginStore = pgTable(
  'plugin_store',
  {
    orgId: orgId(),
    installationId: text('installation_id').notNull(),
    key: text('key').notNull(),
    value: jsonb('value').notNull(),
    updatedAt: updatedAt(),
  },
  (table) => [primaryKey({ columns: [table.orgId, table.installationId, table.key] }), tenantPolicy()],
).enableRLS();

/** An organisation's plugin preferences. */
export const pluginOrgSettings = pgTable(
  'plugin_org_settings',
  {
    orgId: orgId().primaryKey(),
    /** Unsigned bundles may be installed (for plugin authors). */
    developerMode: boolean('developer_mode').notNull().default(false),
    updatedAt: updatedAt(),
  },
  () => [tenantPolicy()],
).enableRLS();

/** A remote MCP server (Streamable HTTP) connected to a workspace; its tools become capabilities. */
export const mcpServers = pgTable(
  'mcp_servers',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    workspaceId: text('workspace_id').notNull(),
    /** Short name used in capability ids: `mcp.<slug>.<tool>`. */
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    url: text('url').notNull(),
    /** Request headers (an Authorization token, say), sealed JSON. */
    headers: text('headers'),
    enabled: boolean('enabled').notNull().default(true),
    /** The tools last listed: [{ name, description, input_schema, output_schema? }]. */
    tools: jsonb('tools').notNull().default([]),
    toolsRefreshedAt: at('tools_refreshed_at'),
    lastError: text('last_error'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    uniqueIndex('mcp_servers_workspace_slug_idx').on(table.orgId, table.workspaceId, table.slug),
    index('mcp_servers_org_idx').on(table.orgId),
    tenantPolicy(),
  ],
).enableRLS();
