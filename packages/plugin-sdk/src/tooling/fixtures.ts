import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PluginManifestInput } from '@atrium/contracts';

/**
 * A sample code plugin for tests (not exported from the package): the store, fetch, secrets,
 * settings, emit and a hook.
 */
export const FIXTURE_MANIFEST = {
  id: 'acme-notes',
  name: 'Acme Notes',
  version: '1.2.0',
  author: { name: 'Acme' },
  engines: { atrium: '^0.1' },
  permissions: ['data:read', 'data:write', 'network:api.example.com', 'secrets', 'events:workspace.created', 'events:emit'],
  capabilities: [
    {
      name: 'remember',
      description: 'Stores a note and counts them',
      input: { type: 'object', properties: { key: { type: 'string' }, text: { type: 'string' } }, required: ['key', 'text'] },
      output: { type: 'object', properties: { count: { type: 'integer' } }, required: ['count'] },
    },
    {
      name: 'lookup',
      description: 'Fetches JSON from a URL with the API token',
      input: { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] },
    },
    { name: 'greet', description: 'Greets with the configured greeting', input: { type: 'object', properties: {} } },
  ],
  hooks: ['workspace.created'],
  settings: [
    { key: 'greeting', label: 'Greeting', type: 'string', default: 'Hello' },
    { key: 'token', label: 'API token', type: 'string', secret: true },
  ],
} satisfies PluginManifestInput;

export const FIXTURE_SOURCE = `import { atrium, defineCapability, definePlugin, http, log } from '@atrium/plugin-sdk';

const remember = defineCapability({
  input: { type: 'object', properties: { key: { type: 'string' }, text: { type: 'string' } }, required: ['key', 'text'] },
  output: { type: 'object', properties: { count: { type: 'integer' } }, required: ['count'] },
  async handler(input) {
    await atrium.store.set(\`note:\${input.key}\`, input.text);
    const keys = await atrium.store.list('note:');
    log.info('remembered', { key: input.key });
    return { count: keys.length };
  },
});

const lookup = defineCapability({
  input: { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] },
  async handler(input) {
    const token = await atrium.secrets.get('token');
    return http.fetchJson(input.url, { headers: { authorization: \`Bearer \${token}\` } });
  },
});

definePlugin({
  capabilities: {
    remember,
    lookup,
    greet: (_input, context) => ({ text: \`\${context.settings.greeting}, \${context.workspace_id}\` }),
  },
  hooks: {
    'workspace.created': async (event) => {
      await atrium.emit('workspace.noticed', { noticed: String(event.payload.workspace_id) });
    },
  },
});
`;

/**
 * Writes a plugin directory in a fresh temporary directory and answers its path.
 *
 * @example
 * const dir = writeFixturePlugin({ manifest: { ...FIXTURE_MANIFEST, version: '2.0.0' } });
 */
export function writeFixturePlugin(options: { manifest?: unknown; source?: string | null } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-plugin-'));
  writeFileSync(join(dir, 'atrium.plugin.json'), JSON.stringify(options.manifest ?? FIXTURE_MANIFEST, null, 2));
  const source = options.source === undefined ? FIXTURE_SOURCE : options.source;
  if (source !== null) {
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'index.ts'), source);
  }
  return dir;
}
