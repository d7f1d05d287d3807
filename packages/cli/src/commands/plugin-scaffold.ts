import type { PluginManifestInput } from '@atrium/contracts';

/** What `atrium plugin init` writes: file path (relative to the plugin's directory) → content. */
export type Scaffold = Record<string, string>;

export interface ScaffoldOptions {
  id: string;
  name: string;
  author: string;
  kind: 'code' | 'prompt';
  /** This CLI's version: the SDK range and the `engines.atrium` range follow it. */
  version: string;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

const GREET_INPUT = { type: 'object', properties: { name: { type: 'string', description: 'Who to greet' } }, required: ['name'] };
const GREET_OUTPUT = {
  type: 'object',
  properties: { message: { type: 'string' }, count: { type: 'integer' } },
  required: ['message', 'count'],
};

function manifest(options: ScaffoldOptions): PluginManifestInput {
  const [major, minor] = options.version.split('.');
  const common = {
    id: options.id,
    name: options.name,
    version: '0.1.0',
    author: { name: options.author },
    engines: { atrium: `^${major}.${minor}` },
  };
  if (options.kind === 'prompt') {
    return {
      ...common,
      description: 'Prompt templates and an agent for editing text',
      kind: 'prompt',
      prompts: [
        {
          name: 'summarize',
          description: 'Summarizes a text in a few bullet points',
          template: 'Summarize the following text in {{bullets}} bullet points:\n\n{{text}}',
          variables: ['text', 'bullets'],
        },
      ],
      agents: [
        {
          name: 'editor',
          description: 'Tightens prose without changing its meaning',
          instructions: 'You are a careful editor. Shorten and clarify the text you are given; keep its meaning and its voice.',
        },
      ],
    };
  }
  return {
    ...common,
    description: 'Greets people and counts the greetings',
    kind: 'code',
    permissions: ['data:read', 'data:write'],
    capabilities: [
      { name: 'greet', description: 'Greets someone and counts the greetings so far', input: GREET_INPUT, output: GREET_OUTPUT },
    ],
    settings: [{ key: 'greeting', label: 'Greeting', type: 'string', default: 'Hello' }],
  };
}

const SOURCE = `import { atrium, defineCapability, definePlugin } from '@atrium/plugin-sdk';

// The schemas are the ones in atrium.plugin.json: the host checks input and output against those,
// these give the handler its types.
const greet = defineCapability({
  input: {
    type: 'object',
    properties: { name: { type: 'string', description: 'Who to greet' } },
    required: ['name'],
  },
  output: {
    type: 'object',
    properties: { message: { type: 'string' }, count: { type: 'integer' } },
    required: ['message', 'count'],
  },
  async handler(input, context) {
    const count = ((await atrium.store.get<number>('greetings')) ?? 0) + 1;
    await atrium.store.set('greetings', count);
    return { message: \`\${context.settings.greeting ?? 'Hello'}, \${input.name}!\`, count };
  },
});

definePlugin({ capabilities: { greet } });
`;

const TEST = `import { fileURLToPath } from 'node:url';
import { createHarness } from '@atrium/plugin-sdk/testing';
import { afterAll, expect, it } from 'vitest';

// Runs the built plugin in the same sandbox the server uses, with an in-memory host.
const harness = await createHarness({ dir: fileURLToPath(new URL('..', import.meta.url)) });
afterAll(() => harness.close());

it('greets and counts the greetings', async () => {
  expect(await harness.invoke('greet', { name: 'Ada' })).toEqual({ message: 'Hello, Ada!', count: 1 });
  expect(await harness.invoke('greet', { name: 'Grace' })).toEqual({ message: 'Hello, Grace!', count: 2 });
  expect(harness.store.get('greetings')).toBe(2);
});
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2020',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    allowImportingTsExtensions: true,
    lib: ['ES2022'],
  },
  include: ['src'],
};

/**
 * The files of a new plugin: a manifest, and for code plugins an entry point using
 * `definePlugin`/`defineCapability`, a test running it in the local harness, package.json and
 * tsconfig.json.
 *
 * @example
 * scaffold({ id: 'acme-notes', name: 'Acme Notes', author: 'Acme', kind: 'code', version: '0.1.0' })['src/index.ts'];
 */
export function scaffold(options: ScaffoldOptions): Scaffold {
  const range = `^${options.version}`;
  const files: Scaffold = {
    'atrium.plugin.json': json(manifest(options)),
    '.gitignore': 'node_modules/\ndist/\n',
  };
  if (options.kind === 'prompt') {
    files['package.json'] = json({
      name: options.id,
      version: '0.1.0',
      private: true,
      type: 'module',
      scripts: { validate: 'atrium plugin validate', package: 'atrium plugin pack' },
      devDependencies: { '@atrium/cli': range },
    });
    return files;
  }
  files['src/index.ts'] = SOURCE;
  files['src/index.test.ts'] = TEST;
  files['tsconfig.json'] = json(TSCONFIG);
  files['package.json'] = json({
    name: options.id,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: { build: 'atrium plugin build', test: 'vitest run', package: 'atrium plugin pack' },
    devDependencies: { '@atrium/cli': range, '@atrium/plugin-sdk': range, vitest: '^4.0.0' },
  });
  return files;
}
