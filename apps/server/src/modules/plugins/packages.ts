import { PluginBundle, PluginManifest } from '@atrium/contracts';
import { type BundleVerification, satisfiesRange, verifyBundle } from '@atrium/plugin-sdk/tooling';
import { request } from 'undici';
import { schemaProblem } from '../../kernel/capabilities/json-schema.ts';
import { AppError, ValidationError } from '../../kernel/errors.ts';
import { assertOutboundUrl, createOutboundAgent } from '../../kernel/http/outbound.ts';

/** The platform version plugins' `engines.atrium` ranges are checked against. */
export const ATRIUM_VERSION = '0.1.0';
const MAX_BUNDLE_BYTES = 5 * 1024 * 1024;

export interface LoadedBundle {
  bundle: PluginBundle;
  manifest: PluginManifest;
  verification: BundleVerification;
  source: string;
}

function zodParam(root: string, path: PropertyKey[]) {
  return [root, ...path.map(String)].join('.');
}

/** Fetches a bundle from a registry URL (the outbound policy applies: no private addresses unless allowed). */
async function fetchBundle(url: string, allowPrivateNetworks: boolean): Promise<unknown> {
  const target = await assertOutboundUrl(url, { allowPrivateNetworks, param: 'url' });
  const agent = createOutboundAgent({ allowPrivateNetworks, connections: 1 });
  try {
    const response = await request(target, { dispatcher: agent, headersTimeout: 10_000, bodyTimeout: 10_000 });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new ValidationError(`The registry answered ${response.statusCode} for this URL.`, 'url', 'bundle_unavailable');
    }
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) {
      size += chunk.length;
      if (size > MAX_BUNDLE_BYTES) throw new ValidationError('The bundle is larger than 5 MiB.', 'url', 'bundle_too_large');
      chunks.push(chunk as Buffer);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new ValidationError('The URL did not serve a plugin bundle (JSON).', 'url', 'invalid_bundle');
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new ValidationError(`Could not download the bundle: ${(error as Error).message}`, 'url', 'bundle_unavailable');
  } finally {
    await agent.close();
  }
}

/**
 * Reads, verifies and validates a bundle: its format, its digest, its signature against the
 * operator's trusted publisher keys (unsigned only in developer mode), its manifest, the
 * capability schemas, and the Atrium versions it supports. Every refusal names the field.
 */
export async function loadBundle(
  input: { bundle?: unknown; url?: string },
  options: {
    trustedKeys: Record<string, string>;
    developerMode: boolean;
    allowPrivateNetworks: boolean;
    /** The bundle comes from the server's own first-party catalogue: no signature needed. */
    firstParty?: string;
  },
): Promise<LoadedBundle> {
  if ((input.bundle === undefined) === (input.url === undefined)) {
    throw new ValidationError('Give either bundle (the bundle document) or url (where to download it).', 'bundle');
  }
  const root = input.url ? 'url' : 'bundle';
  const raw = input.url ? await fetchBundle(input.url, options.allowPrivateNetworks) : input.bundle;
  const parsedBundle = PluginBundle.safeParse(raw);
  if (!parsedBundle.success) {
    const [issue] = parsedBundle.error.issues;
    throw new ValidationError(`Not a plugin bundle: ${issue.message}.`, zodParam(root, issue.path), 'invalid_bundle');
  }
  const bundle = parsedBundle.data;
  const parsedManifest = PluginManifest.safeParse(bundle.manifest);
  if (!parsedManifest.success) {
    const [issue] = parsedManifest.error.issues;
    const param = zodParam(`${root}.manifest`, issue.path);
    throw new ValidationError(`${param}: ${issue.message}.`, param, 'invalid_manifest');
  }
  const manifest = parsedManifest.data;
  manifest.capabilities.forEach((capability, index) => {
    for (const field of ['input', 'output'] as const) {
      const schema = capability[field];
      const problem = schema ? schemaProblem(schema) : null;
      if (problem) {
        throw new ValidationError(`Invalid JSON Schema: ${problem}`, `${root}.manifest.capabilities.${index}.${field}`, 'invalid_manifest');
      }
    }
  });
  if (manifest.kind === 'code' && !bundle.code.trim()) {
    throw new ValidationError('A code plugin needs its code.', `${root}.code`, 'invalid_bundle');
  }
  if (!satisfiesRange(ATRIUM_VERSION, manifest.engines.atrium)) {
    throw new ValidationError(
      `This plugin needs Atrium ${manifest.engines.atrium}; this server is ${ATRIUM_VERSION}.`,
      `${root}.manifest.engines.atrium`,
      'incompatible_version',
    );
  }
  let verification = verifyBundle(bundle, options.trustedKeys);
  if (options.firstParty && verification.status === 'unsigned') {
    verification = { status: 'trusted', keyId: options.firstParty, digest: verification.digest };
  }
  switch (verification.status) {
    case 'digest_mismatch':
      throw new ValidationError(
        'The bundle’s digest does not match its content: it was changed after packing.',
        `${root}.digest`,
        'digest_mismatch',
      );
    case 'bad_signature':
      throw new ValidationError('The signature does not verify with the publisher’s key.', `${root}.signature`, 'bad_signature');
    case 'untrusted_key':
      throw new ValidationError(
        `The bundle is signed by ${verification.keyId}, which this server does not trust.`,
        `${root}.signature.key_id`,
        'untrusted_publisher',
      );
    case 'unsigned':
      if (!options.developerMode) {
        throw new ValidationError(
          'The bundle is not signed. Unsigned plugins install only where the organization turned on developer mode.',
          `${root}.signature`,
          'unsigned_bundle',
        );
      }
  }
  return { bundle, manifest, verification, source: options.firstParty ? 'catalog' : (input.url ?? 'upload') };
}
