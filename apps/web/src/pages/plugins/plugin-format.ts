import type { CapabilityProvider, ExecutionStatus, PluginInstallation } from '../../api/plugins-types';
import type { BadgeTone } from '../../components/badge';

/**
 * A plugin permission in plain words, for the consent dialog and the plugin's details.
 *
 * @example
 * describePermission('network:api.slack.com'); // 'Connect to api.slack.com'
 */
export function describePermission(permission: string): string {
  if (permission.startsWith('network:')) {
    const host = permission.slice('network:'.length);
    if (host === '*') return 'Connect to any address on the internet';
    return host.startsWith('*.') ? `Connect to ${host.slice(2)} and its subdomains` : `Connect to ${host}`;
  }
  if (permission === 'events:emit') return 'Publish events';
  if (permission.startsWith('events:')) {
    const type = permission.slice('events:'.length);
    if (type === '*') return 'Receive every event';
    return type.endsWith('.*') ? `Receive every ${type.slice(0, -2)} event` : `Receive ${type} events`;
  }
  switch (permission) {
    case 'data:read':
      return 'Read its own stored data';
    case 'data:write':
      return 'Store and change its own data';
    case 'secrets':
      return 'Read its secret settings';
    case 'llm':
      return 'Call AI models (billed to your organization)';
    case 'documents:read':
      return 'Read your knowledge documents';
    case 'documents:write':
      return 'Add and change your knowledge documents';
    default:
      return permission;
  }
}

/** The `signed_by` of the plugins this server ships itself (its first-party catalogue). */
export const FIRST_PARTY_PUBLISHER = 'atrium';

export const pluginStatuses: Record<PluginInstallation['status'], { label: string; tone: BadgeTone }> = {
  pending_consent: { label: 'Waiting for consent', tone: 'warning' },
  enabled: { label: 'Enabled', tone: 'success' },
  disabled: { label: 'Disabled', tone: 'neutral' },
};

export const executionStatuses: Record<ExecutionStatus, { label: string; tone: BadgeTone }> = {
  succeeded: { label: 'Succeeded', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
  pending_approval: { label: 'Waiting for approval', tone: 'warning' },
  approved: { label: 'Approved', tone: 'info' },
  rejected: { label: 'Rejected', tone: 'neutral' },
};

export const providerLabels: Record<CapabilityProvider, string> = {
  builtin: 'Built-in',
  plugin: 'Plugin',
  mcp: 'MCP',
};

/** Milliseconds as people read them: "840 ms", "2.4 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** A value as indented JSON, for input and output panels. */
export function prettyJson(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value ?? null, null, 2) ?? 'null';
}
