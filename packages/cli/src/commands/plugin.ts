import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { PLUGIN_ID } from '@atrium/contracts';
import {
  buildPlugin,
  generateSigningKey,
  MANIFEST_FILE,
  type PluginIssue,
  PluginToolingError,
  packPlugin,
  readBundleFile,
  signPluginFile,
  validateBundle,
  validateManifest,
  verifyBundle,
} from '@atrium/plugin-sdk/tooling';
import { type Command, InvalidArgumentError, Option } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { type CliIo, commandContext } from '../context.ts';
import { CliError, formatRecord, type Output, UsageError } from '../output.ts';
import { scaffold } from './plugin-scaffold.ts';

// Key ids travel in ATRIUM_PLUGIN_TRUSTED_KEYS as comma-separated `key-id:base64` pairs.
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const keyId = (value: string) => {
  if (!KEY_ID.test(value)) throw new InvalidArgumentError('expected letters, digits, dots, dashes or underscores (at most 100)');
  return value;
};

const pluginId = (value: string) => {
  if (!PLUGIN_ID.test(value)) throw new InvalidArgumentError('expected lowercase letters, digits and dashes, 3 to 50 characters');
  return value;
};

const trustedKey = (value: string, previous: Record<string, string> = {}) => {
  const [id, key] = value.split(':');
  if (!id || !key || !KEY_ID.test(id)) throw new InvalidArgumentError('expected key-id:base64-public-key');
  return { ...previous, [id]: key };
};

/** A readable path: relative to the working directory when inside it. */
const shown = (file: string) => {
  const path = relative(process.cwd(), file);
  return path && !path.startsWith('..') ? path : file;
};

const bytes = (count: number) => (count < 1024 ? `${count} B` : `${(count / 1024).toFixed(1)} KiB`);

/** Lists the issues on stderr, then fails with `message` (exit 1). */
function failWithIssues(output: Output, message: string, issues: readonly PluginIssue[]): never {
  for (const issue of issues) output.note(`  ${issue.path}: ${issue.message}`);
  throw new CliError(message);
}

/** Runs tooling, turning its errors into CLI failures that list the issues by field. */
async function tooling<T>(output: Output, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PluginToolingError) failWithIssues(output, error.message, error.issues);
    throw error;
  }
}

/** The id a directory's name suggests, if it makes a valid one. */
function idFromDirectory(dir: string): string | undefined {
  const id = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '');
  return PLUGIN_ID.test(id) ? id : undefined;
}

const titleOf = (id: string) =>
  id
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');

/** Reads a manifest or bundle file: which it is, and its issues. */
async function validateFile(file: string) {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    return { kind: 'file', issues: [{ path: '(root)', message: `not valid JSON: ${(error as Error).message}` }] };
  }
  const isBundle = json !== null && typeof json === 'object' && 'format' in json;
  return isBundle ? { kind: 'bundle', ...validateBundle(json) } : { kind: 'manifest', ...validateManifest(json) };
}

/**
 * Adds `plugin init | build | validate | keygen | pack | sign | verify`: local plugin development,
 * no server involved.
 *
 * @example
 * registerPlugin(program, io); // atrium plugin init weather && atrium plugin pack weather
 */
export function registerPlugin(program: Command, io: CliIo): void {
  const plugin = program.command('plugin').description('create, build, sign and pack plugins (local, no server)');

  plugin
    .command('init')
    .description('create a plugin project')
    .argument('[dir]', 'where to create it', '.')
    .addOption(
      new Option('--kind <kind>', 'code (capabilities and hooks) or prompt (templates and agents)')
        .choices(['code', 'prompt'])
        .default('code'),
    )
    .option('--id <id>', 'the plugin id (default: from the directory name)', pluginId)
    .option('--name <name>', 'its display name (default: from the id)')
    .option('--author <name>', 'the author in the manifest', 'Your Name')
    .option('--force', 'overwrite files that exist')
    .action(async (dir: string, _options, command: Command) => {
      const context = commandContext<{ kind: 'code' | 'prompt'; id?: string; name?: string; author: string; force?: boolean }>(command, io);
      const { kind, author, force } = context.options;
      const root = resolve(dir);
      const id = context.options.id ?? idFromDirectory(root);
      if (!id) throw new UsageError(`cannot make a plugin id from "${basename(root)}"; pass --id`);
      const files = scaffold({ id, name: context.options.name ?? titleOf(id), author, kind, version: packageJson.version });
      const existing = Object.keys(files).filter((file) => existsSync(join(root, file)));
      if (existing.length > 0 && !force)
        throw new CliError(`${existing.join(', ')} already exist in ${shown(root)}; pass --force to overwrite`);
      for (const [file, content] of Object.entries(files)) {
        await mkdir(dirname(join(root, file)), { recursive: true });
        await writeFile(join(root, file), content);
      }
      context.output.print({ id, kind, dir: root, files: Object.keys(files) }, () => {
        const next = kind === 'code' ? 'npm install, then npm test; atrium plugin pack' : 'atrium plugin pack';
        return `created ${kind} plugin ${id} in ${shown(root)}\n${Object.keys(files)
          .map((file) => `  ${file}\n`)
          .join('')}next: ${next}\n`;
      });
    });

  plugin
    .command('build')
    .description('bundle src/index.ts into the script the sandbox runs (dist/plugin.js)')
    .argument('[dir]', 'the plugin directory', '.')
    .action(async (dir: string, _options, command: Command) => {
      const context = commandContext(command, io);
      const { manifest, code, warnings } = await tooling(context.output, () => buildPlugin({ dir }));
      for (const warning of warnings) context.output.note(`warning: ${warning}`);
      const file = manifest.kind === 'code' ? join(resolve(dir), 'dist', 'plugin.js') : null;
      if (file) {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, code);
      }
      const size = Buffer.byteLength(code);
      context.output.print({ id: manifest.id, version: manifest.version, kind: manifest.kind, file, bytes: size, warnings }, () =>
        file
          ? `built ${manifest.id} ${manifest.version}: ${shown(file)} (${bytes(size)})\n`
          : `${manifest.id} is a prompt plugin: no code to build\n`,
      );
    });

  plugin
    .command('validate')
    .description('check a manifest (a plugin directory or atrium.plugin.json) or a bundle file')
    .argument('[path]', 'a plugin directory, a manifest or a bundle file', '.')
    .action(async (path: string, _options, command: Command) => {
      const context = commandContext(command, io);
      const target = resolve(path);
      if (!existsSync(target)) throw new CliError(`${path} does not exist`);
      const file = statSync(target).isDirectory() ? join(target, MANIFEST_FILE) : target;
      if (!existsSync(file)) throw new CliError(`${shown(file)} does not exist`);
      const { kind, issues } = await validateFile(file);
      if (context.output.json) context.output.print({ file, kind, valid: issues.length === 0, issues }, () => '');
      if (issues.length > 0) {
        failWithIssues(context.output, `${shown(file)} is invalid (${issues.length} issue${issues.length === 1 ? '' : 's'})`, issues);
      }
      if (!context.output.json) io.stdout.write(`${shown(file)}: a valid ${kind}\n`);
    });

  plugin
    .command('keygen')
    .description('create an ed25519 signing key; prints the line servers trust it by')
    .argument('<key-id>', 'a name for the key, e.g. acme-2026', keyId)
    .option('--out <dir>', 'where to write <key-id>.pem', '.')
    .action(async (id: string, _options, command: Command) => {
      const context = commandContext<{ out: string }>(command, io);
      const key = generateSigningKey(id);
      const file = join(resolve(context.options.out), `${id}.pem`);
      await mkdir(dirname(file), { recursive: true });
      // `wx`: never replace an existing key; 0600: the private key is readable by its owner only.
      await writeFile(file, key.privateKeyPem, { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'EEXIST' ? new CliError(`${shown(file)} already exists`) : error;
      });
      const entry = `${id}:${key.publicKey}`;
      context.output.print(
        { key_id: id, public_key: key.publicKey, trusted_keys_entry: entry, private_key_file: file },
        () => `${entry}\n`,
      );
      context.output.note(`private key written to ${shown(file)}: keep it secret`);
      context.output.note('add the line above to ATRIUM_PLUGIN_TRUSTED_KEYS on servers that should trust this publisher');
    });

  plugin
    .command('pack')
    .description('build and write the bundle file (dist/<id>-<version>.atrium-plugin.json)')
    .argument('[dir]', 'the plugin directory', '.')
    .option('--out <file>', 'where to write the bundle')
    .option('--key <file>', 'sign with this private key (PEM)')
    .option('--key-id <id>', 'the signing key’s id (with --key)', keyId)
    .action(async (dir: string, _options, command: Command) => {
      const context = commandContext<{ out?: string; key?: string; keyId?: string }>(command, io);
      const { out, key, keyId: signingKeyId } = context.options;
      if ((key === undefined) !== (signingKeyId === undefined)) throw new UsageError('--key and --key-id go together');
      const signing = key && signingKeyId ? { privateKeyPem: await readFile(key, 'utf8'), keyId: signingKeyId } : undefined;
      const { file, bundle, warnings } = await tooling(context.output, () => packPlugin({ dir, out, signing }));
      for (const warning of warnings) context.output.note(`warning: ${warning}`);
      const manifest = bundle.manifest as { id: string; version: string };
      context.output.print(
        { file, id: manifest.id, version: manifest.version, digest: bundle.digest, signed_by: signingKeyId ?? null },
        () =>
          formatRecord([
            ['bundle', shown(file)],
            ['plugin', `${manifest.id} ${manifest.version}`],
            ['digest', bundle.digest],
            ['signed by', signingKeyId ?? 'unsigned (run atrium plugin sign)'],
          ]),
      );
    });

  plugin
    .command('sign')
    .description('sign a bundle file in place')
    .argument('<bundle-file>', 'the .atrium-plugin.json file')
    .requiredOption('--key <file>', 'the private key (PEM, from atrium plugin keygen)')
    .requiredOption('--key-id <id>', 'the key’s id, as servers list it in ATRIUM_PLUGIN_TRUSTED_KEYS', keyId)
    .action(async (file: string, _options, command: Command) => {
      const context = commandContext<{ key: string; keyId: string }>(command, io);
      const privateKeyPem = await readFile(context.options.key, 'utf8');
      const bundle = await tooling(context.output, () => signPluginFile(file, privateKeyPem, context.options.keyId));
      context.output.print({ file: resolve(file), digest: bundle.digest, signature: bundle.signature }, () =>
        formatRecord([
          ['signed', shown(resolve(file))],
          ['key id', context.options.keyId],
          ['digest', bundle.digest],
        ]),
      );
    });

  plugin
    .command('verify')
    .description('check a bundle file: its manifest, digest and signature')
    .argument('<bundle-file>', 'the .atrium-plugin.json file')
    .option('--trusted-key <key-id:base64>', 'a publisher key to trust, as in ATRIUM_PLUGIN_TRUSTED_KEYS (repeatable)', trustedKey)
    .action(async (file: string, _options, command: Command) => {
      const context = commandContext<{ trustedKey?: Record<string, string> }>(command, io);
      const bundle = await tooling(context.output, () => readBundleFile(file));
      const { issues } = validateBundle(bundle);
      const verification = verifyBundle(bundle, context.options.trustedKey ?? {});
      context.output.print({ file: resolve(file), ...verification, issues }, () =>
        formatRecord([
          ['bundle', shown(resolve(file))],
          ['status', verification.status],
          ['key id', 'keyId' in verification ? verification.keyId : null],
          ['digest', verification.digest],
        ]),
      );
      if (issues.length > 0) failWithIssues(context.output, `${file} is invalid`, issues);
      if (verification.status !== 'trusted') throw new CliError(`${file} is not signed by a trusted key (${verification.status})`);
    });
}
