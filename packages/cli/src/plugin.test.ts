import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHarness } from '@atrium/plugin-sdk/testing';
import { readBundleFile, verifyBundle } from '@atrium/plugin-sdk/tooling';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/atrium.mjs', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'atrium-cli-plugin-'));
const dir = join(work, 'weather-bot');
const bundleFile = join(dir, 'dist', 'weather-bot-0.1.0.atrium-plugin.json');

const collect = async (stream: AsyncIterable<Buffer>) => {
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
};

/** Runs the real bin in `work` with a clean environment: these commands never need a server. */
async function cli(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: work, env: { HOME: work, ATRIUM_CONFIG_DIR: join(work, 'config') } });
  child.stdin.end();
  const exited = new Promise<number | null>((resolve, reject) => child.on('error', reject).on('close', resolve));
  const [stdout, stderr, code] = await Promise.all([collect(child.stdout), collect(child.stderr), exited]);
  return { code, stdout, stderr };
}

describe('atrium plugin (real bin, no server)', () => {
  let publicKeyLine: string;

  it('scaffolds a code plugin, and refuses to overwrite it', async () => {
    const result = await cli(['plugin', 'init', 'weather-bot']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('created code plugin weather-bot in weather-bot');
    const manifest = JSON.parse(readFileSync(join(dir, 'atrium.plugin.json'), 'utf8'));
    expect(manifest).toMatchObject({ id: 'weather-bot', name: 'Weather Bot', kind: 'code', engines: { atrium: '^0.1' } });
    expect(readFileSync(join(dir, 'src', 'index.ts'), 'utf8')).toContain('definePlugin({ capabilities: { greet } })');
    expect(readFileSync(join(dir, 'src', 'index.test.ts'), 'utf8')).toContain("from '@atrium/plugin-sdk/testing'");
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).devDependencies).toHaveProperty('@atrium/plugin-sdk');

    const again = await cli(['plugin', 'init', 'weather-bot']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/atrium\.plugin\.json.* already exist/);
    expect((await cli(['plugin', 'init', join(work, 'Bad Name!'), '--id', 'Nope'])).code).toBe(2);
  });

  it('builds the script the sandbox runs', async () => {
    const result = await cli(['plugin', 'build', 'weather-bot', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      id: 'weather-bot',
      kind: 'code',
      file: join(dir, 'dist', 'plugin.js'),
      warnings: [],
    });
    expect(readFileSync(join(dir, 'dist', 'plugin.js'), 'utf8')).toContain('__atrium_plugin');
  });

  it('scaffolds code that does what its own test expects, in the sandbox', async () => {
    const harness = await createHarness({ dir });
    try {
      expect(await harness.invoke('greet', { name: 'Ada' })).toEqual({ message: 'Hello, Ada!', count: 1 });
      expect(await harness.invoke('greet', { name: 'Grace' })).toEqual({ message: 'Hello, Grace!', count: 2 });
      expect(harness.store.get('greetings')).toBe(2);
    } finally {
      await harness.close();
    }
  });

  it('validates manifests, naming each bad field', async () => {
    expect(await cli(['plugin', 'validate', 'weather-bot'])).toMatchObject({
      code: 0,
      stdout: 'weather-bot/atrium.plugin.json: a valid manifest\n',
    });
    const broken = join(work, 'broken.json');
    const manifest = JSON.parse(readFileSync(join(dir, 'atrium.plugin.json'), 'utf8'));
    writeFileSync(broken, JSON.stringify({ ...manifest, version: 'one', permissions: ['everything'], engines: { atrium: 'newest' } }));
    const result = await cli(['plugin', 'validate', broken]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ {2}version: /m);
    expect(result.stderr).toMatch(/^ {2}permissions\[0\]: expected network:<host>/m);
    expect(result.stderr).toMatch(/^ {2}engines\.atrium: "newest" is not a version range/m);
    expect(result.stderr).toMatch(/^error: broken\.json is invalid \(3 issues\)$/m);
    const json = await cli(['plugin', 'validate', broken, '--json']);
    expect(JSON.parse(json.stdout).issues.map((issue: { path: string }) => issue.path)).toEqual([
      'version',
      'permissions[0]',
      'engines.atrium',
    ]);
  });

  it('creates a signing key readable by its owner only', async () => {
    const result = await cli(['plugin', 'keygen', 'acme-2026', '--out', 'keys']);
    expect(result.code).toBe(0);
    publicKeyLine = result.stdout.trim();
    expect(publicKeyLine).toMatch(/^acme-2026:[A-Za-z0-9+/]{43}=$/);
    expect(result.stderr).toContain('ATRIUM_PLUGIN_TRUSTED_KEYS');
    expect(statSync(join(work, 'keys', 'acme-2026.pem')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(work, 'keys', 'acme-2026.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect((await cli(['plugin', 'keygen', 'acme-2026', '--out', 'keys'])).stderr).toContain('already exists');
    expect((await cli(['plugin', 'keygen', 'acme:2026'])).code).toBe(2);
  });

  it('packs, signs and verifies the bundle', async () => {
    const packed = await cli(['plugin', 'pack', 'weather-bot']);
    expect(packed.code).toBe(0);
    expect(packed.stdout).toMatch(/^bundle\s+weather-bot\/dist\/weather-bot-0\.1\.0\.atrium-plugin\.json$/m);
    expect(verifyBundle(await readBundleFile(bundleFile), {}).status).toBe('unsigned');

    const signed = await cli(['plugin', 'sign', bundleFile, '--key', 'keys/acme-2026.pem', '--key-id', 'acme-2026']);
    expect(signed.code).toBe(0);
    const [keyId, publicKey] = publicKeyLine.split(':');
    const bundle = await readBundleFile(bundleFile);
    expect(verifyBundle(bundle, { [keyId]: publicKey })).toEqual({ status: 'trusted', keyId: 'acme-2026', digest: bundle.digest });
    expect(bundle.manifest).toMatchObject({ id: 'weather-bot', version: '0.1.0' });

    const verified = await cli(['plugin', 'verify', bundleFile, '--trusted-key', publicKeyLine]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^status\s+trusted$/m);
    const untrusted = await cli(['plugin', 'verify', bundleFile]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stdout).toMatch(/^status\s+untrusted_key$/m);

    writeFileSync(bundleFile, JSON.stringify({ ...bundle, code: `${bundle.code}\n;globalThis.extra = 1;` }));
    const tampered = await cli(['plugin', 'verify', bundleFile, '--trusted-key', publicKeyLine, '--json']);
    expect(tampered.code).toBe(1);
    expect(JSON.parse(tampered.stdout)).toMatchObject({ status: 'digest_mismatch', issues: [{ path: 'digest' }] });
    expect((await cli(['plugin', 'sign', bundleFile, '--key', 'keys/acme-2026.pem', '--key-id', 'acme-2026'])).code).toBe(1);
  });

  it('packs and signs in one step, and packs prompt plugins without code', async () => {
    const out = join(work, 'signed.atrium-plugin.json');
    const packed = await cli([
      'plugin',
      'pack',
      'weather-bot',
      '--out',
      out,
      '--key',
      'keys/acme-2026.pem',
      '--key-id',
      'acme-2026',
      '--json',
    ]);
    expect(JSON.parse(packed.stdout)).toMatchObject({ file: out, signed_by: 'acme-2026' });
    const [keyId, publicKey] = publicKeyLine.split(':');
    expect(verifyBundle(await readBundleFile(out), { [keyId]: publicKey }).status).toBe('trusted');
    expect((await cli(['plugin', 'pack', 'weather-bot', '--key', 'keys/acme-2026.pem'])).code).toBe(2);

    expect((await cli(['plugin', 'init', 'prompt-pack', '--kind', 'prompt'])).code).toBe(0);
    expect(existsSync(join(work, 'prompt-pack', 'src'))).toBe(false);
    expect((await cli(['plugin', 'pack', 'prompt-pack'])).code).toBe(0);
    const prompts = await readBundleFile(join(work, 'prompt-pack', 'dist', 'prompt-pack-0.1.0.atrium-plugin.json'));
    expect(prompts).toMatchObject({ code: '', manifest: { kind: 'prompt', prompts: [{ name: 'summarize' }] } });
  });
});
