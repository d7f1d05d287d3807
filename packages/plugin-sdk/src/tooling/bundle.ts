import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { BundleSignature, bundleDigestInput, type PluginBundle } from '@atrium/contracts';

/**
 * Bundle digests and ed25519 signatures. The server verifies with the same functions the CLI
 * signs with, so both agree byte for byte.
 *
 * @example
 * const keys = generateSigningKey('acme-2026');
 * const bundle = signBundle(createBundle(manifest, code), keys.privateKeyPem, 'acme-2026');
 * verifyBundle(bundle, { 'acme-2026': keys.publicKey }); // { status: 'trusted', keyId: 'acme-2026' }
 */

export const BUNDLE_FORMAT = 'atrium-plugin/1';

/** Hex SHA-256 of the canonical manifest and the code. */
export function bundleDigest(manifest: unknown, code: string): string {
  return createHash('sha256').update(bundleDigestInput(manifest, code), 'utf8').digest('hex');
}

/** An unsigned bundle. */
export function createBundle(manifest: unknown, code: string): PluginBundle {
  return { format: BUNDLE_FORMAT, manifest, code, digest: bundleDigest(manifest, code) };
}

export interface SigningKey {
  keyId: string;
  /** Base64 of the raw 32-byte public key: what the operator lists in ATRIUM_PLUGIN_TRUSTED_KEYS. */
  publicKey: string;
  /** PKCS#8 PEM; keep it secret. */
  privateKeyPem: string;
}

export function generateSigningKey(keyId: string): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'jwk' }).x as string;
  return {
    keyId,
    publicKey: Buffer.from(raw, 'base64url').toString('base64'),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

/** Signs the bundle's digest (recomputed, so a stale digest is never signed). */
export function signBundle(bundle: PluginBundle, privateKeyPem: string, keyId: string): PluginBundle {
  const digest = bundleDigest(bundle.manifest, bundle.code);
  const value = sign(null, Buffer.from(digest, 'utf8'), createPrivateKey(privateKeyPem)).toString('base64');
  return { ...bundle, digest, signature: { algorithm: 'ed25519', key_id: keyId, value } };
}

function publicKeyFromBase64(raw: string) {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw, 'base64').toString('base64url') }, format: 'jwk' });
}

export type BundleVerification =
  | { status: 'trusted'; keyId: string; digest: string }
  | { status: 'unsigned'; digest: string }
  | { status: 'untrusted_key'; keyId: string; digest: string }
  | { status: 'bad_signature'; keyId: string; digest: string }
  | { status: 'digest_mismatch'; digest: string };

/**
 * Checks the digest against the content and the signature against the trusted publisher keys
 * (key id → base64 raw public key).
 */
export function verifyBundle(bundle: PluginBundle, trustedKeys: Record<string, string>): BundleVerification {
  const digest = bundleDigest(bundle.manifest, bundle.code);
  if (digest !== bundle.digest) return { status: 'digest_mismatch', digest };
  if (!bundle.signature) return { status: 'unsigned', digest };
  const signature = BundleSignature.parse(bundle.signature);
  const publicKey = trustedKeys[signature.key_id];
  if (!publicKey) return { status: 'untrusted_key', keyId: signature.key_id, digest };
  let valid = false;
  try {
    valid = verify(null, Buffer.from(digest, 'utf8'), publicKeyFromBase64(publicKey), Buffer.from(signature.value, 'base64'));
  } catch {
    valid = false;
  }
  return valid ? { status: 'trusted', keyId: signature.key_id, digest } : { status: 'bad_signature', keyId: signature.key_id, digest };
}
