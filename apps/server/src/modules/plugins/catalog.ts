import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PluginBundle, PluginManifest } from '@atrium/contracts';
import { buildPlugin, createBundle, readManifest } from '@atrium/plugin-sdk/tooling';
import { NotFoundError } from '../../kernel/errors.ts';
import type { Logger } from '../../kernel/telemetry/logger.ts';

/** The publisher name first-party bundles carry as `signed_by`. */
export const FIRST_PARTY = 'atrium';

/**
 * The first-party plugins this server ships (`plugins/<name>/` in the repository), offered to every
 * organisation. Manifests are read once; a plugin is built into a bundle the first time someone
 * installs it. They come from the server's own files, so they need no publisher signature.
 */
export function createCatalog(dir: string, log: Logger) {
  let manifests: Promise<Map<string, { manifest: PluginManifest; dir: string }>> | undefined;
  const bundles = new Map<string, Promise<PluginBundle>>();

  async function load() {
    const found = new Map<string, { manifest: PluginManifest; dir: string }>();
    let entries: string[] = [];
    try {
      entries = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    } catch {
      return found;
    }
    for (const name of entries.sort()) {
      try {
        const manifest = await readManifest(join(dir, name));
        found.set(manifest.id, { manifest, dir: join(dir, name) });
      } catch (error) {
        log.warn({ err: error, plugin: name }, 'skipping a first-party plugin whose manifest does not load');
      }
    }
    return found;
  }

  const all = () => {
    manifests ??= load();
    return manifests;
  };

  return {
    async list(): Promise<PluginManifest[]> {
      return [...(await all()).values()].map((entry) => entry.manifest);
    },
    /** The plugin built into a bundle (cached). */
    async bundle(id: string): Promise<PluginBundle> {
      const entry = (await all()).get(id);
      if (!entry) throw new NotFoundError('Catalogue plugin', 'catalog_plugin_not_found');
      let built = bundles.get(id);
      if (!built) {
        built = buildPlugin({ dir: entry.dir }).then(({ manifest, code }) => createBundle(manifest, code));
        built.catch(() => bundles.delete(id));
        bundles.set(id, built);
      }
      return built;
    },
  };
}

export type Catalog = ReturnType<typeof createCatalog>;
