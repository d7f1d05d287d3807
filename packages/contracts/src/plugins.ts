import { z } from 'zod';

/**
 * The plugin manifest and bundle format.
 *
 * A bundle is one JSON document (`*.atrium-plugin.json`): the manifest, the code (for `code`
 * plugins, a script bundled by esbuild) and an optional ed25519 signature over the bundle digest.
 * The digest is the SHA-256 of `bundleDigestInput(manifest, code)`; the marketplace signs and
 * distributes exactly these documents.
 *
 * @example
 * const manifest = PluginManifest.parse(JSON.parse(text));
 * const input = bundleDigestInput(manifest, code); // hash with SHA-256, sign the hex digest
 */

export const PLUGIN_ID = /^[a-z][a-z0-9-]{1,48}[a-z0-9]$/;
export const CAPABILITY_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * What a plugin may ask for. Each permission unlocks one part of the host API:
 * `network:<host>` → `atrium.fetch` to that host (`*.example.com` matches subdomains; `network:*`
 * any public host, for generic HTTP tools);
 * `data:read` / `data:write` → `atrium.store`; `secrets` → `atrium.secrets.get`;
 * `llm` → `atrium.llm.chat` (through the gateway, metered to the organisation);
 * `events:<type>` → hooks on domain events of that type (`prefix.*` for many);
 * `events:emit` → `atrium.emit(type, payload)`, published as the domain event `plugin.<id>.<type>`;
 * `documents:read|write` → knowledge documents (when that module is present).
 */
export const PluginPermission = z
  .string()
  .max(200)
  .regex(
    /^(network:\*|network:(\*\.)?[a-z0-9.-]+(:\d{1,5})?|data:(read|write)|secrets|llm|events:[a-z0-9_.*-]+|documents:(read|write))$/,
    'expected network:<host>, network:*, data:read, data:write, secrets, llm, events:<type>, documents:read or documents:write',
  );
export type PluginPermission = z.infer<typeof PluginPermission>;

/** A JSON Schema (draft 2020-12 subset) describing a capability's input or output. */
export const JsonSchema = z.record(z.string(), z.unknown());
export type JsonSchema = z.infer<typeof JsonSchema>;

export const CapabilityDefinition = z.object({
  name: z.string().regex(CAPABILITY_NAME, 'lowercase letters, digits and underscores, starting with a letter'),
  description: z.string().min(1).max(1000),
  input: JsonSchema.describe('JSON Schema of the input'),
  output: JsonSchema.optional().describe('JSON Schema of the output (checked after every call)'),
  requires_approval: z.boolean().default(false),
  /** The output is an A2UI component the console renders. */
  ui: z.boolean().default(false),
  timeout_ms: z.number().int().min(10).max(60_000).optional(),
});
export type CapabilityDefinition = z.infer<typeof CapabilityDefinition>;

export const PluginSettingField = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
  label: z.string().min(1).max(200),
  type: z.enum(['string', 'number', 'boolean', 'select']),
  description: z.string().max(1000).optional(),
  required: z.boolean().default(false),
  /** Stored encrypted, readable only through `atrium.secrets.get(key)`, never shown again. */
  secret: z.boolean().default(false),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  options: z.array(z.string().max(200)).max(100).optional(),
});
export type PluginSettingField = z.infer<typeof PluginSettingField>;

/** Prompt-only content: agent packs and prompt templates. */
export const PromptTemplate = z.object({
  name: z.string().regex(CAPABILITY_NAME),
  description: z.string().max(1000).default(''),
  /** `{{variable}}` placeholders are filled from the input. */
  template: z.string().min(1).max(20_000),
  variables: z
    .array(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/))
    .max(50)
    .default([]),
});
export const AgentDefinition = z.object({
  name: z.string().regex(CAPABILITY_NAME),
  description: z.string().max(1000).default(''),
  instructions: z.string().min(1).max(50_000),
  model: z.string().max(200).optional(),
  /** Capability ids the agent may call. */
  capabilities: z.array(z.string().max(200)).max(100).default([]),
});

export const PluginManifest = z
  .object({
    id: z.string().regex(PLUGIN_ID, 'lowercase letters, digits and dashes, 3 to 50 characters'),
    name: z.string().min(1).max(100),
    version: z.string().regex(SEMVER, 'a semantic version such as 1.2.0'),
    description: z.string().max(2000).default(''),
    author: z.object({ name: z.string().min(1).max(200), email: z.string().max(320).optional(), url: z.string().max(2048).optional() }),
    icon: z.string().max(100_000).optional().describe('An https URL or a data: URL'),
    categories: z.array(z.string().min(1).max(50)).max(10).default([]),
    homepage: z.string().max(2048).optional(),
    engines: z.object({ atrium: z.string().min(1).max(100).describe('A semver range, e.g. ^0.1') }),
    kind: z.enum(['code', 'prompt']).default('code'),
    permissions: z.array(PluginPermission).max(50).default([]),
    capabilities: z.array(CapabilityDefinition).max(100).default([]),
    /** Domain event types (wildcards `prefix.*`) the plugin's `hooks` handle. */
    hooks: z
      .array(
        z
          .string()
          .regex(/^[a-z0-9_.*-]+$/)
          .max(100),
      )
      .max(50)
      .default([]),
    settings: z.array(PluginSettingField).max(50).default([]),
    /** Plan slugs the plugin needs (any of them); empty: every plan. */
    plans: z.array(z.string().max(50)).max(10).default([]),
    prompts: z.array(PromptTemplate).max(100).default([]),
    agents: z.array(AgentDefinition).max(50).default([]),
  })
  .superRefine((manifest, context) => {
    const names = new Set<string>();
    manifest.capabilities.forEach((capability, index) => {
      if (names.has(capability.name)) {
        context.addIssue({ code: 'custom', path: ['capabilities', index, 'name'], message: `duplicate capability ${capability.name}` });
      }
      names.add(capability.name);
    });
    if (manifest.kind === 'prompt' && manifest.capabilities.length > 0) {
      context.addIssue({ code: 'custom', path: ['capabilities'], message: 'a prompt plugin has no code, so no capabilities' });
    }
    if (manifest.kind === 'prompt' && manifest.hooks.length > 0) {
      context.addIssue({ code: 'custom', path: ['hooks'], message: 'a prompt plugin has no code, so no hooks' });
    }
    manifest.hooks.forEach((hook, index) => {
      const allowed = manifest.permissions.some(
        (permission) => permission.startsWith('events:') && eventMatches(permission.slice(7), hook),
      );
      if (!allowed)
        context.addIssue({ code: 'custom', path: ['hooks', index], message: `hook ${hook} needs the permission events:${hook}` });
    });
  });
export type PluginManifest = z.infer<typeof PluginManifest>;
export type PluginManifestInput = z.input<typeof PluginManifest>;

export const BundleSignature = z.object({
  algorithm: z.literal('ed25519'),
  /** The publisher key's id, as the operator registered it in `ATRIUM_PLUGIN_TRUSTED_KEYS`. */
  key_id: z.string().min(1).max(100),
  /** Base64 signature over the hex digest (as UTF-8 bytes). */
  value: z.string().min(1).max(200),
});
export type BundleSignature = z.infer<typeof BundleSignature>;

export const PluginBundle = z.object({
  format: z.literal('atrium-plugin/1'),
  manifest: z.unknown().describe('The manifest (validated on its own, so errors name its fields)'),
  /** The script (code plugins); it calls `definePlugin` from @atrium/plugin-sdk. */
  code: z.string().max(5_000_000).default(''),
  /** Hex SHA-256 of `bundleDigestInput(manifest, code)`. */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  signature: BundleSignature.optional(),
});
export type PluginBundle = z.infer<typeof PluginBundle>;

/** JSON with object keys sorted at every level: the stable text a digest is computed over. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/** The exact text whose SHA-256 is a bundle's digest: the canonical manifest, a newline, the code. */
export function bundleDigestInput(manifest: unknown, code: string): string {
  return `atrium-plugin/1\n${canonicalJson(manifest)}\n${code}`;
}

/** `prefix.*` and `*` patterns, as the event catalogue uses them. */
export function eventMatches(pattern: string, type: string): boolean {
  if (pattern === '*' || pattern === type) return true;
  return pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1));
}

export { HOST_API, type HostFunction } from './host-api.ts';
