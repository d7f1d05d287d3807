import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PluginBundle } from '@atrium/contracts';
import { describe, expect, it } from 'vitest';
import { buildPlugin } from './build.ts';
import { generateSigningKey, verifyBundle } from './bundle.ts';
import { FIXTURE_MANIFEST, writeFixturePlugin } from './fixtures.ts';
import { packPlugin, readBundleFile, signPluginFile, validateBundle } from './pack.ts';

describe('buildPlugin', () => {
  it('bundles src/index.ts with the SDK into one script that registers the plugin', async () => {
    const { manifest, code, warnings } = await buildPlugin({ dir: writeFixturePlugin() });
    expect(manifest.id).toBe('acme-notes');
    expect(warnings).toEqual([]);
    expect(code).toMatch(/^\(\(\) => \{\n/);
    expect(code).toContain('__atrium_plugin');
    expect(code).not.toMatch(/\bimport\b|\brequire\(/);
    // Nothing of the contracts' run-time code (zod) is dragged into the sandbox.
    expect(code).not.toContain('zod');
    const registered = new Function(`${code}; return globalThis.__atrium_plugin;`)();
    expect(Object.keys(registered.capabilities)).toEqual(['remember', 'lookup', 'greet']);
    expect(Object.keys(registered.hooks)).toEqual(['workspace.created']);
  });

  it('refuses Node.js modules and reports build errors with their location', async () => {
    const nodeImport = writeFixturePlugin({ source: `import { readFileSync } from 'node:fs';\nreadFileSync('/etc/passwd');\n` });
    await expect(buildPlugin({ dir: nodeImport })).rejects.toMatchObject({ code: 'build_failed', message: /node:fs is a Node\.js module/ });
    const bareBuiltin = writeFixturePlugin({ source: `import { createHash } from 'crypto';\ncreateHash('sha1');\n` });
    await expect(buildPlugin({ dir: bareBuiltin })).rejects.toMatchObject({ code: 'build_failed', message: /crypto is a Node\.js module/ });
    const syntax = writeFixturePlugin({ source: 'const x = ;\n' });
    await expect(buildPlugin({ dir: syntax })).rejects.toMatchObject({ code: 'build_failed', message: /src\/index\.ts:1:11/ });
    await expect(buildPlugin({ dir: writeFixturePlugin({ source: null }) })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('warns when the code never calls definePlugin', async () => {
    const { warnings } = await buildPlugin({ dir: writeFixturePlugin({ source: 'export const x = 1;\n' }) });
    expect(warnings).toEqual([expect.stringContaining('never calls definePlugin')]);
  });
});

describe('packPlugin, signPluginFile, verifyBundle', () => {
  it('packs, signs and verifies; a changed bundle is a digest mismatch', async () => {
    const dir = writeFixturePlugin();
    const { file, bundle } = await packPlugin({ dir });
    expect(file).toBe(join(dir, 'dist', 'acme-notes-1.2.0.atrium-plugin.json'));
    expect(PluginBundle.parse(JSON.parse(readFileSync(file, 'utf8')))).toEqual(bundle);
    expect(bundle.manifest).toMatchObject({ id: 'acme-notes', kind: 'code', plans: [] });
    expect(verifyBundle(bundle, {})).toMatchObject({ status: 'unsigned' });
    expect(validateBundle(bundle)).toMatchObject({ valid: true });

    const key = generateSigningKey('acme-2026');
    const signed = await signPluginFile(file, key.privateKeyPem, key.keyId);
    expect(signed.signature).toMatchObject({ algorithm: 'ed25519', key_id: 'acme-2026' });
    const onDisk = await readBundleFile(file);
    expect(verifyBundle(onDisk, { [key.keyId]: key.publicKey })).toEqual({ status: 'trusted', keyId: 'acme-2026', digest: bundle.digest });
    expect(verifyBundle(onDisk, {})).toMatchObject({ status: 'untrusted_key' });
    const other = generateSigningKey('acme-2026');
    expect(verifyBundle(onDisk, { [key.keyId]: other.publicKey })).toMatchObject({ status: 'bad_signature' });

    const tampered = { ...onDisk, code: onDisk.code.replace('remembered', 'forgotten') };
    expect(verifyBundle(tampered, { [key.keyId]: key.publicKey })).toMatchObject({ status: 'digest_mismatch' });
    expect(validateBundle(tampered).issues).toEqual([{ path: 'digest', message: expect.any(String) }]);
    writeFileSync(file, JSON.stringify(tampered));
    await expect(signPluginFile(file, key.privateKeyPem, key.keyId)).rejects.toMatchObject({ code: 'invalid_bundle' });
  });

  it('signs while packing, to a chosen file', async () => {
    const dir = writeFixturePlugin();
    const key = generateSigningKey('ci');
    const out = join(dir, 'out', 'notes.atrium-plugin.json');
    const { file, bundle } = await packPlugin({ dir, out, signing: { privateKeyPem: key.privateKeyPem, keyId: 'ci' } });
    expect(file).toBe(out);
    expect(statSync(out).isFile()).toBe(true);
    expect(verifyBundle(bundle, { ci: key.publicKey }).status).toBe('trusted');
  });

  it('packs prompt plugins with empty code', async () => {
    const manifest = {
      id: 'acme-prompts',
      name: 'Acme Prompts',
      version: '0.1.0',
      author: { name: 'Acme' },
      engines: { atrium: '*' },
      kind: 'prompt',
      prompts: [{ name: 'summarize', template: 'Summarize {{text}}', variables: ['text'] }],
    };
    const { bundle } = await packPlugin({ dir: writeFixturePlugin({ manifest, source: null }) });
    expect(bundle.code).toBe('');
    expect(validateBundle(bundle)).toMatchObject({ valid: true });
    expect(validateBundle({ ...bundle, code: 'x' }).issues.map((issue) => issue.path)).toEqual(['code', 'digest']);
  });

  it('names manifest issues inside a bundle under manifest.', () => {
    const result = validateBundle({
      format: 'atrium-plugin/1',
      manifest: { ...FIXTURE_MANIFEST, id: 'X' },
      code: 'x',
      digest: '0'.repeat(64),
    });
    expect(result.issues.map((issue) => issue.path)).toEqual(['manifest.id', 'digest']);
    expect(validateBundle({ format: 'zip' }).issues.map((issue) => issue.path)).toEqual(['format', 'manifest', 'digest']);
  });
});
