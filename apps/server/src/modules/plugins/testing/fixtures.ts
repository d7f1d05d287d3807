import type { PluginManifestInput } from '@atrium/contracts';
import { createBundle, generateSigningKey, type SigningKey, signBundle } from '@atrium/plugin-sdk/tooling';

/** A publisher key the test server trusts (pass `trustedKeysEnv` as ATRIUM_PLUGIN_TRUSTED_KEYS). */
export const PUBLISHER: SigningKey = generateSigningKey('acme-test');
export const trustedKeysEnv = `${PUBLISHER.keyId}:${PUBLISHER.publicKey}`;

const objectSchema = { type: 'object' } as const;

/** A manifest with sensible defaults; override what a test is about. */
export function manifest(overrides: Partial<PluginManifestInput> = {}): PluginManifestInput {
  return {
    id: 'notes',
    name: 'Notes',
    version: '1.0.0',
    description: 'Keeps notes',
    author: { name: 'Acme' },
    engines: { atrium: '^0.1.0' },
    permissions: ['data:write'],
    capabilities: [
      {
        name: 'add',
        description: 'Add a note',
        input: {
          type: 'object',
          properties: { id: { type: 'string' }, text: { type: 'string', maxLength: 200 } },
          required: ['id', 'text'],
          additionalProperties: false,
        },
        output: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
      },
      { name: 'list', description: 'All notes', input: objectSchema },
      { name: 'whoami', description: 'Version, settings and context', input: objectSchema },
      { name: 'probe', description: 'What globals exist', input: objectSchema },
      { name: 'get', description: 'Fetch a URL', input: { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] } },
      { name: 'spin', description: 'Never returns', input: objectSchema },
      { name: 'bomb', description: 'Allocates without end', input: objectSchema },
      { name: 'fail', description: 'Throws', input: objectSchema },
      { name: 'junk', description: 'Returns what its schema forbids', input: objectSchema, output: { type: 'object', required: ['ok'] } },
      { name: 'delete_all', description: 'Deletes every note', input: objectSchema, requires_approval: true },
    ],
    settings: [
      { key: 'greeting', label: 'Greeting', type: 'string' },
      { key: 'token', label: 'API token', type: 'string', secret: true },
      { key: 'mode', label: 'Mode', type: 'select', options: ['fast', 'careful'] },
    ],
    ...overrides,
  };
}

/** The code of the `notes` plugin (what `definePlugin` produces once bundled). */
export function notesCode(version = '1.0.0') {
  return `
globalThis.__atrium_plugin = {
  capabilities: {
    add: async (input) => { await atrium.store.set('note:' + input.id, { text: input.text }); return { ok: true }; },
    list: async () => (await atrium.store.list('note:')).map((entry) => entry.value.text),
    whoami: async (input, context) => ({
      version: ${JSON.stringify(version)},
      workspace_id: context.workspace_id,
      greeting: context.settings.greeting ?? null,
      token_length: atrium.secrets ? ((await atrium.secrets.get('token')) ?? '').length : null,
    }),
    probe: async () => {
      let importFailed = false;
      try { await import('node:fs'); } catch { importFailed = true; }
      return {
        process: typeof process, require: typeof require, fetch: typeof fetch, setTimeout: typeof setTimeout,
        WebAssembly: typeof WebAssembly, atrium_fetch: typeof atrium.fetch, atrium_llm: typeof atrium.llm, import_failed: importFailed,
      };
    },
    get: async (input) => {
      try { const response = await atrium.fetch(input.url); return { status: response.status, body: response.body }; }
      catch (error) { return { error: String(error && error.message || error) }; }
    },
    spin: () => { for (;;) {} },
    bomb: () => { const hoard = []; for (;;) hoard.push('x'.repeat(100000) + hoard.length); },
    fail: () => { throw new Error('the notes are on fire'); },
    junk: () => ({ nope: true }),
    delete_all: async () => { const all = await atrium.store.list('note:'); for (const entry of all) await atrium.store.delete(entry.key); return { deleted: all.length }; },
  },
  hooks: {
    'api_key.created': async (event) => { await atrium.store.set('key:' + event.payload.api_key_id, { name: event.payload.name }); },
  },
};`;
}

/** A signed bundle (or unsigned with `sign: false`). */
export function bundle(
  overrides: Partial<PluginManifestInput> = {},
  code = notesCode(overrides.version),
  options: { sign?: boolean } = {},
) {
  const unsigned = createBundle(manifest(overrides), code);
  return options.sign === false ? unsigned : signBundle(unsigned, PUBLISHER.privateKeyPem, PUBLISHER.keyId);
}
