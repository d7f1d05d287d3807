/**
 * Build, validate, sign and pack Atrium plugins (Node.js). The CLI's `atrium plugin` commands and
 * the server's install checks use these functions.
 *
 * @example
 * import { generateSigningKey, packPlugin, verifyBundle } from '@atrium/plugin-sdk/tooling';
 * const key = generateSigningKey('acme-2026');
 * const { bundle } = await packPlugin({ dir: './weather', signing: { privateKeyPem: key.privateKeyPem, keyId: key.keyId } });
 * verifyBundle(bundle, { [key.keyId]: key.publicKey }).status; // 'trusted'
 */
export { type BuildOptions, type BuiltPlugin, buildPlugin, PLUGIN_ENTRY } from './build.ts';
export * from './bundle.ts';
export { formatPath, type PluginIssue, PluginToolingError, type PluginToolingErrorCode } from './errors.ts';
export { MANIFEST_FILE, type ManifestValidation, readManifest, validateManifest } from './manifest.ts';
export {
  BUNDLE_EXTENSION,
  type BundleValidation,
  type PackOptions,
  type PackResult,
  packPlugin,
  readBundleFile,
  signPluginFile,
  validateBundle,
} from './pack.ts';
export { grantedHostFunctions, hostMatches, networkAllowed } from './permissions.ts';
export { compareVersions, parseRange, parseVersion, type Range, satisfiesRange, type Version } from './semver.ts';
