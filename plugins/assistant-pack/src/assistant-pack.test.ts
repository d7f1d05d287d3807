import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlugin, packPlugin, readBundleFile, validateBundle, validateManifest } from '@atrium/plugin-sdk/tooling';
import { afterAll, describe, expect, it } from 'vitest';

const PLUGIN_DIR = fileURLToPath(new URL('..', import.meta.url));
const PLUGINS_DIR = join(PLUGIN_DIR, '..');
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

describe('assistant-pack (prompt plugin)', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'atrium-assistant-pack-'));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('has a valid prompt manifest and packs without code', async () => {
    const result = validateManifest(readJson(join(PLUGIN_DIR, 'atrium.plugin.json')));
    expect(result.issues).toEqual([]);
    const built = await buildPlugin({ dir: PLUGIN_DIR });
    expect(built).toMatchObject({ code: '', manifest: { id: 'assistant-pack', kind: 'prompt', capabilities: [], permissions: [] } });

    const { file, bundle } = await packPlugin({ dir: PLUGIN_DIR, out: join(workDir, 'assistant-pack.atrium-plugin.json') });
    expect(bundle).toMatchObject({ format: 'atrium-plugin/1', code: '', digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(validateBundle(await readBundleFile(file))).toMatchObject({ valid: true });
  });

  it('declares exactly the variables each template uses', async () => {
    const { manifest } = await buildPlugin({ dir: PLUGIN_DIR });
    expect(manifest.prompts.map((prompt) => prompt.name)).toEqual(['daily_plan', 'weekly_review', 'meeting_brief', 'spending_checkin']);
    for (const prompt of manifest.prompts) {
      const used = [...new Set(Array.from(prompt.template.matchAll(/\{\{\s*([a-z0-9_]+)\s*\}\}/g), (match) => match[1]))];
      expect(used.sort(), prompt.name).toEqual([...prompt.variables].sort());
    }
  });

  it('gives agents only capabilities the first-party calendar and expenses plugins declare', async () => {
    const { manifest } = await buildPlugin({ dir: PLUGIN_DIR });
    const available = new Set(
      ['calendar', 'expenses'].flatMap((id) => {
        const sibling = readJson(join(PLUGINS_DIR, id, 'atrium.plugin.json')) as { id: string; capabilities: Array<{ name: string }> };
        return sibling.capabilities.map((capability) => `${sibling.id}.${capability.name}`);
      }),
    );
    expect(manifest.agents.map((agent) => agent.name)).toEqual(['time_coach', 'finance_helper', 'weekly_reviewer']);
    for (const agent of manifest.agents) {
      expect(agent.capabilities.length, agent.name).toBeGreaterThan(0);
      for (const capability of agent.capabilities) expect(available, `${agent.name} → ${capability}`).toContain(capability);
    }
    // Deleting records is left to the user.
    expect(manifest.agents.flatMap((agent) => agent.capabilities)).not.toContain('expenses.delete_expense');
  });
});
