import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { PluginBundle } from '@atrium/contracts';
import { buildPlugin } from './build.ts';
import { bundleDigest, createBundle, signBundle } from './bundle.ts';
import { formatPath, type PluginIssue, PluginToolingError } from './errors.ts';
import { describeCount, validateManifest } from './manifest.ts';

/** How bundle files are named: `<id>-<version>.atrium-plugin.json`. */
export const BUNDLE_EXTENSION = '.atrium-plugin.json';
const MAX_CODE_LENGTH = 5_000_000;

/** What `packPlugin` packs, where, and whether it signs. */
export interface PackOptions {
  dir: string;
  /** The bundle file to write; default `<dir>/dist/<id>-<version>.atrium-plugin.json`. */
  out?: string;
  /** Sign the bundle as it is written. */
  signing?: { privateKeyPem: string; keyId: string };
}

/** The file written and the bundle it holds. */
export interface PackResult {
  file: string;
  bundle: PluginBundle;
  warnings: string[];
}

const writeBundle = async (file: string, bundle: PluginBundle) => {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(bundle, null, 2)}\n`);
};

/**
 * Builds the plugin and writes its bundle file: the validated manifest, the script and their
 * digest, signed when `signing` is given. Throws `PluginToolingError`.
 *
 * @example
 * const { file, bundle } = await packPlugin({ dir: './weather' });
 * // file: ./weather/dist/weather-0.1.0.atrium-plugin.json, bundle.digest: 'e3b0…'
 */
export async function packPlugin({ dir, out, signing }: PackOptions): Promise<PackResult> {
  const { manifest, code, warnings } = await buildPlugin({ dir });
  if (code.length > MAX_CODE_LENGTH) {
    throw new PluginToolingError('too_large', `the script is ${code.length} characters; a bundle holds at most ${MAX_CODE_LENGTH}`);
  }
  const unsigned = createBundle(manifest, code);
  const bundle = signing ? signBundle(unsigned, signing.privateKeyPem, signing.keyId) : unsigned;
  const file = resolve(out ?? join(dir, 'dist', `${manifest.id}-${manifest.version}${BUNDLE_EXTENSION}`));
  await writeBundle(file, bundle);
  return { file, bundle, warnings };
}

/** `validateBundle`'s answer: the bundle, or every issue found. */
export type BundleValidation = { valid: true; bundle: PluginBundle; issues: [] } | { valid: false; bundle: null; issues: PluginIssue[] };

/**
 * Validates a bundle document: its shape, its manifest (issues under `manifest.`), that the code
 * fits the kind, and that the digest matches the content. The signature is not checked here (see
 * `verifyBundle`, which needs the trusted keys).
 *
 * @example
 * const result = validateBundle(JSON.parse(await readFile(file, 'utf8')));
 */
export function validateBundle(json: unknown): BundleValidation {
  const parsed = PluginBundle.safeParse(json);
  if (!parsed.success) {
    return {
      valid: false,
      bundle: null,
      issues: parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
    };
  }
  const bundle = parsed.data;
  const manifest = validateManifest(bundle.manifest);
  const issues: PluginIssue[] = manifest.issues.map((issue) => ({
    path: issue.path === '(root)' ? 'manifest' : `manifest.${issue.path}`,
    message: issue.message,
  }));
  if (manifest.valid && manifest.manifest.kind === 'prompt' && bundle.code !== '') {
    issues.push({ path: 'code', message: 'a prompt plugin has no code' });
  }
  if (manifest.valid && manifest.manifest.kind === 'code' && bundle.code === '') {
    issues.push({ path: 'code', message: 'a code plugin needs its script' });
  }
  if (bundleDigest(bundle.manifest, bundle.code) !== bundle.digest) {
    issues.push({ path: 'digest', message: 'does not match the manifest and code (the bundle was changed after packing)' });
  }
  return issues.length === 0 ? { valid: true, bundle, issues: [] } : { valid: false, bundle: null, issues };
}

/**
 * Reads a bundle file and checks its shape (not its digest or signature). Throws
 * `PluginToolingError` (`not_found`, `invalid_bundle`).
 *
 * @example
 * const bundle = await readBundleFile('dist/weather-0.1.0.atrium-plugin.json');
 */
export async function readBundleFile(file: string): Promise<PluginBundle> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new PluginToolingError('not_found', `${file} does not exist`);
    throw new PluginToolingError('invalid_bundle', `${file} is not valid JSON`, [{ path: '(root)', message: (error as Error).message }]);
  }
  const parsed = PluginBundle.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
    throw new PluginToolingError('invalid_bundle', `${file} is not a plugin bundle (${describeCount(issues.length)})`, issues);
  }
  return parsed.data;
}

/**
 * Signs a bundle file in place with an ed25519 key (PKCS#8 PEM) and answers the signed bundle.
 * A bundle whose digest no longer matches its content is refused rather than re-signed.
 *
 * @example
 * await signPluginFile('dist/weather-0.1.0.atrium-plugin.json', await readFile('acme.pem', 'utf8'), 'acme-2026');
 */
export async function signPluginFile(file: string, privateKeyPem: string, keyId: string): Promise<PluginBundle> {
  const bundle = await readBundleFile(file);
  if (bundleDigest(bundle.manifest, bundle.code) !== bundle.digest) {
    throw new PluginToolingError('invalid_bundle', `${file} was changed after packing (its digest does not match); pack it again`, [
      { path: 'digest', message: 'does not match the manifest and code' },
    ]);
  }
  const signed = signBundle(bundle, privateKeyPem, keyId);
  await writeBundle(file, signed);
  return signed;
}
