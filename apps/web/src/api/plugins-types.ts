// Plugins, capabilities and MCP servers, as `/api/v1/plugins`, `/plugin-catalog`, `/plugin-settings`,
// `/capabilities`, `/capability-executions` and `/mcp-servers` return them. The manifest itself is the contract's.

import type { PluginManifest, PluginSettingField } from '@atrium/contracts';

export type { PluginManifest, PluginSettingField };

export type PluginStatus = 'pending_consent' | 'enabled' | 'disabled';

/** One version of a plugin's bundle, as installed (or waiting to be). */
export interface PluginPackageSummary {
  version: string;
  digest: string;
  /** The trusted publisher key that signed it; null: unsigned (developer mode). */
  signed_by: string | null;
  source: string;
  permissions: string[];
}

export interface PluginInstallation {
  id: string;
  workspace_id: string;
  plugin_id: string;
  name: string;
  description: string;
  kind: 'code' | 'prompt';
  version: string;
  status: PluginStatus;
  manifest: PluginManifest;
  package: PluginPackageSummary;
  granted_permissions: string[];
  /** A newer version waiting for consent to the permissions it adds; the current one keeps running. */
  pending_update: (PluginPackageSummary & { added_permissions: string[] }) | null;
  /** What a consent must list now, exactly (empty when nothing waits for consent). */
  consent_required: string[];
  /** Non-secret setting values. */
  settings: Record<string, unknown>;
  /** Secret settings that have a value (the values are never returned). */
  secrets_set: string[];
  disabled_reason: string | null;
  consented_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A first-party plugin the server ships, as `/api/v1/plugin-catalog` lists it. */
export interface PluginCatalogEntry {
  /** The plugin id: what `{ catalog }` installs, and the `plugin_id` of its installations. */
  id: string;
  name: string;
  /** The version the server ships now. */
  version: string;
  description: string;
  kind: 'code' | 'prompt';
  categories: string[];
  permissions: string[];
  /** Names without the plugin prefix: `categorise` is called as `expenses.categorise`. */
  capabilities: { name: string; description: string; requires_approval: boolean }[];
  settings: { key: string; label: string; secret: boolean; required: boolean }[];
}

/** A setting's new value; null clears it. */
export type PluginSettingValue = string | number | boolean | null;

export interface PluginChanges {
  enabled?: boolean;
  settings?: Record<string, PluginSettingValue>;
}

/** The organization's plugin policy. */
export interface PluginPolicy {
  /** Unsigned bundles may be installed. */
  developer_mode: boolean;
  /** Publisher keys this server accepts signatures from. */
  trusted_publishers: string[];
}

export type CapabilityProvider = 'builtin' | 'plugin' | 'mcp';

export interface Capability {
  /** Dotted: `http.request`, `<plugin>.<name>`, `mcp.<server>.<tool>`. */
  id: string;
  description: string;
  provider: CapabilityProvider;
  /** The plugin installation or MCP server that provides it. */
  owner_id: string | null;
  owner_name: string | null;
  input_schema: Record<string, unknown>;
  output_schema: Record<string, unknown> | null;
  requires_approval: boolean;
  ui: boolean;
}

export type ExecutionStatus = 'succeeded' | 'failed' | 'pending_approval' | 'approved' | 'rejected';

export interface ExecutionLogLine {
  level: string;
  message: string;
  at: string;
}

/** The answer of an invocation or a decision. */
export interface CapabilityExecution {
  id: string;
  capability_id: string;
  status: ExecutionStatus;
  output: unknown;
  error: { code: string; message: string } | null;
  logs: ExecutionLogLine[];
  duration_ms: number;
}

/** An execution as the log keeps it. */
export interface CapabilityExecutionEntry extends CapabilityExecution {
  workspace_id: string | null;
  provider: string;
  owner_id: string | null;
  input: unknown;
  via: string;
  actor: { type: string; id: string } | null;
  decided_by: string | null;
  decided_at: string | null;
  created_at: string;
}

export interface McpTool {
  name: string;
  capability_id: string;
  description: string;
}

/** A connected MCP server; its tools join the capabilities as `mcp.<slug>.<tool>`. */
export interface McpServer {
  id: string;
  workspace_id: string;
  name: string;
  slug: string;
  url: string;
  /** Names of the headers sent with every call (their values are never returned). */
  header_names: string[];
  enabled: boolean;
  tools: McpTool[];
  tools_refreshed_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface McpServerInput {
  workspace_id?: string;
  name: string;
  url: string;
  headers?: Record<string, string>;
}
