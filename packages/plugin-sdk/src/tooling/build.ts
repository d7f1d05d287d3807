import { access } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PluginManifest } from '@atrium/contracts';
import { build, type Message, type OnResolveArgs, type Plugin } from 'esbuild';
import { PluginToolingError } from './errors.ts';
import { readManifest } from './manifest.ts';

/** Where a code plugin's entry point is, relative to its directory. */
export const PLUGIN_ENTRY = 'src/index.ts';

const SDK = '@atrium/plugin-sdk';
const OWN_SDK_ENTRY = fileURLToPath(new URL('../index.ts', import.meta.url));
const BUILTINS = new Set(builtinModules);

const RESOLVING = 'atrium-sandbox:resolving';
const nodeOnly = (path: string) => ({
  errors: [{ text: `${path} is a Node.js module; plugin code runs in a sandbox without Node.js APIs` }],
});

/**
 * The sandbox has no Node.js: importing a built-in fails the build with a clear message (unless a
 * package of that name, a polyfill, is installed). A plugin directory without its own
 * `@atrium/plugin-sdk` (not installed yet) builds against this one.
 */
const sandboxResolution: Plugin = {
  name: 'atrium-sandbox',
  setup(esbuild) {
    const resolveNormally = (args: OnResolveArgs) =>
      esbuild.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: RESOLVING });
    esbuild.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === RESOLVING) return undefined;
      if (args.path.startsWith('node:')) return nodeOnly(args.path);
      if (args.path === SDK) {
        const found = await resolveNormally(args);
        return found.errors.length === 0 ? found : { path: OWN_SDK_ENTRY };
      }
      if (!BUILTINS.has(args.path.split('/')[0])) return undefined;
      const found = await resolveNormally(args);
      return found.errors.length === 0 ? found : nodeOnly(args.path);
    });
  },
};

/** What `buildPlugin` builds. */
export interface BuildOptions {
  /** The plugin's directory: `atrium.plugin.json` and, for code plugins, `src/index.ts`. */
  dir: string;
}

/** A built plugin: what `createBundle` takes, plus the build's warnings. */
export interface BuiltPlugin {
  /** The validated manifest, defaults filled in. */
  manifest: PluginManifest;
  /** The script the sandbox runs; empty for prompt plugins. */
  code: string;
  warnings: string[];
}

const describeMessage = (message: Message) => {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column + 1}: ` : '';
  return `${where}${message.text}`;
};

async function exists(file: string) {
  return access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Validates the manifest and bundles `src/index.ts` with everything it imports into one script
 * for the sandbox (an ES2020 IIFE, no Node.js built-ins, nothing external). Prompt plugins have no
 * code. Throws `PluginToolingError` (`not_found`, `invalid_manifest`, `build_failed`).
 *
 * @example
 * const { manifest, code } = await buildPlugin({ dir: './weather' });
 */
export async function buildPlugin({ dir }: BuildOptions): Promise<BuiltPlugin> {
  const root = resolve(dir);
  const manifest = await readManifest(root);
  if (manifest.kind === 'prompt') return { manifest, code: '', warnings: [] };
  const entry = join(root, PLUGIN_ENTRY);
  if (!(await exists(entry))) throw new PluginToolingError('not_found', `${entry} does not exist (a code plugin's entry point)`);
  // Only the plugin's own tsconfig.json counts: one in a parent directory must not change the
  // script (and so the digest) depending on where the plugin happens to be built.
  const tsconfig = join(root, 'tsconfig.json');
  const typescript = (await exists(tsconfig)) ? { tsconfig } : { tsconfigRaw: {} };
  const result = await build({
    ...typescript,
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    format: 'iife',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2020',
    minify: false,
    write: false,
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [sandboxResolution],
  }).catch((error: { errors?: Message[] }) => {
    if (!error.errors) throw error;
    throw new PluginToolingError('build_failed', `the build failed:\n${error.errors.map(describeMessage).join('\n')}`);
  });
  const code = result.outputFiles[0]?.text ?? '';
  const warnings = result.warnings.map(describeMessage);
  if (!code.includes('__atrium_plugin'))
    warnings.push(`${PLUGIN_ENTRY} never calls definePlugin, so the plugin has no capabilities or hooks`);
  return { manifest, code, warnings };
}
