import { eventMatches, type PluginBundle, PluginManifest } from '@atrium/contracts';
import type { PluginContext, PluginEvent } from '../define.ts';
import { createSandbox } from '../sandbox/index.ts';
import { buildPlugin } from '../tooling/build.ts';
import { bundleDigest } from '../tooling/bundle.ts';
import { PluginToolingError } from '../tooling/errors.ts';
import { readBundleFile, validateBundle } from '../tooling/pack.ts';
import { createMemoryHost, type FetchHandler, type LlmHandler } from './memory-host.ts';

/**
 * A local harness: runs a plugin's capabilities and hooks in the real sandbox, with the host API
 * in memory and the manifest's permissions enforced as on the server.
 *
 * @example
 * import { createHarness } from '@atrium/plugin-sdk/testing';
 * const harness = await createHarness({ dir: '.', secrets: { token: 't0k' }, fetch: () => ({ status: 200, headers: {}, body: '{}' }) });
 * await harness.invoke('greet', { name: 'Ada' });
 * harness.store.get('greetings'); // 1
 * await harness.close();
 */

export {
  type EmittedEvent,
  type FetchHandler,
  type FetchRecord,
  HostCallError,
  type HostCallErrorCode,
  type LlmHandler,
  type LogEntry,
} from './memory-host.ts';

/** The plugin to run (`dir` or `bundle`) and what its host answers. */
export interface HarnessOptions {
  /** A plugin directory: built from `atrium.plugin.json` and `src/index.ts`. */
  dir?: string;
  /** Or a packed bundle (the document, or its file). */
  bundle?: PluginBundle | string;
  /** Non-secret settings; the manifest's defaults fill the rest. */
  settings?: Record<string, string | number | boolean>;
  /** What `atrium.secrets.get` answers. */
  secrets?: Record<string, string>;
  /** Answers allowed `atrium.fetch` calls; default: the real network. */
  fetch?: FetchHandler;
  /** Answers `atrium.llm.chat`; without it, the call fails. */
  llm?: LlmHandler;
  /** The context's ids. */
  workspaceId?: string;
  installationId?: string;
}

/** Why the harness refused a call before it reached the sandbox. */
export type HarnessErrorCode = 'not_found' | 'not_subscribed' | 'no_code';

/**
 * A call the manifest does not allow: an undeclared capability, an event no hook handles.
 *
 * @example
 * await expect(harness.invoke('nope', {})).rejects.toMatchObject({ code: 'not_found' });
 */
export class HarnessError extends Error {
  constructor(
    readonly code: HarnessErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HarnessError';
  }
}

async function load(options: HarnessOptions): Promise<{ manifest: PluginManifest; code: string; digest: string }> {
  if ((options.dir === undefined) === (options.bundle === undefined)) throw new TypeError('createHarness needs either dir or bundle');
  if (options.dir !== undefined) {
    const { manifest, code } = await buildPlugin({ dir: options.dir });
    return { manifest, code, digest: bundleDigest(manifest, code) };
  }
  const document = typeof options.bundle === 'string' ? await readBundleFile(options.bundle) : options.bundle;
  const result = validateBundle(document);
  if (!result.valid) throw new PluginToolingError('invalid_bundle', 'the bundle is invalid', result.issues);
  // validateBundle has checked the manifest; parse it again for its defaults.
  return { manifest: PluginManifest.parse(result.bundle.manifest), code: result.bundle.code, digest: result.bundle.digest };
}

function settingsFor(manifest: PluginManifest, given: Record<string, string | number | boolean> = {}) {
  const settings: PluginContext['settings'] = {};
  for (const field of manifest.settings) {
    if (field.secret) continue;
    const value = given[field.key] ?? field.default;
    if (value !== undefined) settings[field.key] = value;
  }
  return settings;
}

/**
 * Builds (or reads) the plugin and answers a harness for it. Close it when done: it holds a
 * sandbox worker.
 *
 * @example
 * const harness = await createHarness({ dir: pluginDir, fetch: (url) => ({ status: 200, headers: {}, body: '{"ok":true}' }) });
 * expect(await harness.invoke('lookup', { url: 'https://api.example.com/x' })).toEqual({ ok: true });
 * await harness.hook('workspace.created', { workspace_id: 'ws_1' });
 * expect(harness.emitted[0]).toMatchObject({ type: 'plugin.acme-notes.workspace.noticed', payload: { noticed: 'ws_1' } });
 */
export async function createHarness(options: HarnessOptions) {
  const { manifest, code, digest } = await load(options);
  const context: PluginContext = {
    workspace_id: options.workspaceId ?? 'ws_test',
    installation_id: options.installationId ?? 'pin_test',
    plugin_id: manifest.id,
    settings: settingsFor(manifest, options.settings),
  };
  const scope = { workspace_id: context.workspace_id, installation_id: context.installation_id };
  const host = createMemoryHost({ manifest, scope, secrets: options.secrets, fetch: options.fetch, llm: options.llm });
  const sandbox = createSandbox({ workers: 1 });
  const key = `harness:${manifest.id}@${manifest.version}:${digest}`;
  let events = 0;

  const run = (kind: 'capability' | 'hook', name: string, input: unknown, deadlineMs?: number) => {
    if (manifest.kind === 'prompt') throw new HarnessError('no_code', `${manifest.id} is a prompt plugin: it has no code to run`);
    return sandbox.invoke(
      { key, code, kind, name, input, context, host: host.granted, limits: deadlineMs === undefined ? undefined : { deadlineMs } },
      (call) => host.call(call),
    );
  };

  return {
    manifest,
    context,
    /** What the plugin stored with `atrium.store`; set entries to seed it. */
    store: host.store,
    /** What `atrium.secrets.get` answers. */
    secrets: host.secrets,
    /** Events the plugin emitted, as published. */
    emitted: host.emitted,
    /** The plugin's log lines. */
    logs: host.logs,
    /** Every `atrium.fetch` the plugin attempted, allowed or not. */
    fetched: host.fetched,
    /** Runs a capability the manifest declares; answers its output. */
    async invoke(name: string, input: unknown): Promise<unknown> {
      const capability = manifest.capabilities.find((candidate) => candidate.name === name);
      if (!capability) throw new HarnessError('not_found', `${manifest.id} declares no capability ${name}`);
      return run('capability', name, input, capability.timeout_ms);
    },
    /** Delivers a domain event of `type` with `payload` to the first of the manifest's hooks that matches, as the server does. */
    async hook(type: string, payload: Record<string, unknown> = {}): Promise<void> {
      const pattern = manifest.hooks.find((candidate) => eventMatches(candidate, type));
      if (!pattern) throw new HarnessError('not_subscribed', `${manifest.id} has no hook for ${type}`);
      events += 1;
      const event: PluginEvent = { id: `evt_test_${events}`, type, payload, created_at: new Date().toISOString() };
      await run('hook', pattern, event);
    },
    close: () => sandbox.close(),
  };
}

/** A running harness (see `createHarness`). */
export type Harness = Awaited<ReturnType<typeof createHarness>>;
