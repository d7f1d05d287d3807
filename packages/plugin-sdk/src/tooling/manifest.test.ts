import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PluginToolingError } from './errors.ts';
import { FIXTURE_MANIFEST, writeFixturePlugin } from './fixtures.ts';
import { readManifest, validateManifest } from './manifest.ts';

const paths = (json: unknown) => validateManifest(json).issues.map((issue) => issue.path);

describe('validateManifest', () => {
  it('accepts a good manifest and fills in the defaults', () => {
    const result = validateManifest(FIXTURE_MANIFEST);
    expect(result.valid).toBe(true);
    expect(result.manifest).toMatchObject({ kind: 'code', categories: [], prompts: [] });
    expect(result.manifest?.capabilities[0]).toMatchObject({ requires_approval: false, ui: false });
  });

  it('names each bad field by its path', () => {
    const result = validateManifest({
      ...FIXTURE_MANIFEST,
      id: 'Acme Notes',
      version: '1.2',
      permissions: ['data:read', 'filesystem'],
      capabilities: [FIXTURE_MANIFEST.capabilities[0], { ...FIXTURE_MANIFEST.capabilities[1], name: 'Look Up' }],
    });
    expect(result.valid).toBe(false);
    expect(result.issues.map((issue) => issue.path).sort()).toEqual([
      'capabilities[1].name',
      'hooks[0]',
      'id',
      'permissions[1]',
      'version',
    ]);
    expect(result.issues.find((issue) => issue.path === 'hooks[0]')?.message).toContain('events:workspace.created');
  });

  it('reports missing required fields, duplicates and kind mismatches', () => {
    const { author: _author, ...withoutAuthor } = FIXTURE_MANIFEST;
    expect(paths(withoutAuthor)).toEqual(['author']);
    const duplicated = { ...FIXTURE_MANIFEST, capabilities: [FIXTURE_MANIFEST.capabilities[0], FIXTURE_MANIFEST.capabilities[0]] };
    expect(paths(duplicated)).toEqual(['capabilities[1].name']);
    expect(paths({ ...FIXTURE_MANIFEST, kind: 'prompt' })).toEqual(['capabilities', 'hooks']);
    expect(paths([])).toEqual(['(root)']);
  });

  it('checks the engines range and setting defaults', () => {
    expect(paths({ ...FIXTURE_MANIFEST, engines: { atrium: 'latest' } })).toEqual(['engines.atrium']);
    const settings = [
      { key: 'mode', label: 'Mode', type: 'select' },
      { key: 'limit', label: 'Limit', type: 'number', default: '10' },
      { key: 'tone', label: 'Tone', type: 'select', options: ['warm', 'dry'], default: 'loud' },
    ];
    expect(paths({ ...FIXTURE_MANIFEST, settings })).toEqual(['settings[0].options', 'settings[1].default', 'settings[2].default']);
  });
});

describe('readManifest', () => {
  it('throws invalid_manifest with the issues, and not_found without a manifest', async () => {
    const dir = writeFixturePlugin({ manifest: { ...FIXTURE_MANIFEST, version: 'one' } });
    const error = await readManifest(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PluginToolingError);
    expect(error).toMatchObject({ code: 'invalid_manifest', issues: [{ path: 'version' }] });
    writeFileSync(join(dir, 'atrium.plugin.json'), '{ nope');
    await expect(readManifest(dir)).rejects.toMatchObject({ code: 'invalid_manifest', issues: [{ path: '(root)' }] });
    await expect(readManifest(join(dir, 'missing'))).rejects.toMatchObject({ code: 'not_found' });
  });
});
