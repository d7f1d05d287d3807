import type { PluginManifest, PluginSettingField } from '@atrium/contracts';
import { and, count, eq, inArray, ne } from 'drizzle-orm';
import { newId } from '../../kernel/crypto/ids.ts';
import type { Tx } from '../../kernel/db/database.ts';
import { withTenant } from '../../kernel/db/tenant.ts';
import { ConflictError, NotFoundError, PermissionError, ValidationError } from '../../kernel/errors.ts';
import type { EventActor } from '../../kernel/events/events.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { type Catalog, FIRST_PARTY } from './catalog.ts';
import { type LoadedBundle, loadBundle } from './packages.ts';
import { pluginInstallations, pluginOrgSettings, pluginPackages, pluginStore } from './schema.ts';

export type InstallationRow = typeof pluginInstallations.$inferSelect;
export type PackageRow = typeof pluginPackages.$inferSelect;

export interface PluginsDependencies {
  /** Throws NotFoundError unless the workspace belongs to the organisation. */
  workspaceExists(orgId: string, workspaceId: string): Promise<void>;
  /** The slug of the organisation's current plan (a manifest's `plans` must include it). */
  planOf(orgId: string): Promise<string>;
}

/** An installation with the package it runs and the one waiting for consent. */
export interface Installation extends InstallationRow {
  package: PackageRow;
  pendingPackage: PackageRow | null;
}

export const manifestOf = (row: PackageRow) => row.manifest as PluginManifest;

/** Permissions in `wanted` that `granted` does not cover. */
export function addedPermissions(granted: readonly string[], wanted: readonly string[]) {
  const have = new Set(granted);
  return wanted.filter((permission) => !have.has(permission));
}

function settingValue(field: PluginSettingField, value: unknown, param: string): string | number | boolean {
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string' || value.length > 10_000) throw new ValidationError(`${param} must be a string.`, param);
      return value;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValidationError(`${param} must be a number.`, param);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new ValidationError(`${param} must be true or false.`, param);
      return value;
    case 'select':
      if (typeof value !== 'string' || !field.options?.includes(value)) {
        throw new ValidationError(`${param} must be one of ${(field.options ?? []).join(', ')}.`, param);
      }
      return value;
  }
}

/**
 * Plugin lifecycle per workspace: install a verified bundle, record consent to its permissions,
 * settings (secret ones sealed), enable and disable, update (new permissions wait for consent
 * while the current version keeps running), uninstall (its stored data purged).
 */
/** Where a bundle comes from: uploaded, downloaded from a registry URL, or the first-party catalogue. */
export interface BundleSource {
  bundle?: unknown;
  url?: string;
  catalog?: string;
}

export function createPluginsService(
  kernel: Kernel,
  deps: PluginsDependencies,
  hooks: { changed(orgId: string, installationId: string): void },
  catalog: Catalog,
) {
  const { database, events, vault, config } = kernel;

  async function developerMode(orgId: string) {
    const [row] = await withTenant(database, orgId, (tx) => tx.select().from(pluginOrgSettings).where(eq(pluginOrgSettings.orgId, orgId)));
    return row?.developerMode ?? false;
  }

  async function load(orgId: string, input: BundleSource): Promise<LoadedBundle> {
    const sources = [input.bundle, input.url, input.catalog].filter((value) => value !== undefined).length;
    if (sources !== 1) {
      throw new ValidationError(
        'Give one of bundle (the bundle document), url (where to download it) or catalog (a first-party plugin id).',
        'bundle',
      );
    }
    const firstParty = input.catalog !== undefined;
    const loaded = await loadBundle(firstParty ? { bundle: await catalog.bundle(input.catalog as string) } : input, {
      trustedKeys: config.plugins.trustedKeys,
      developerMode: await developerMode(orgId),
      allowPrivateNetworks: config.allowPrivateNetworks,
      firstParty: firstParty ? FIRST_PARTY : undefined,
    });
    if (loaded.manifest.plans.length) {
      const plan = await deps.planOf(orgId);
      if (!loaded.manifest.plans.includes(plan)) {
        throw new PermissionError(`This plugin needs one of the plans ${loaded.manifest.plans.join(', ')}.`, 'plan_required');
      }
    }
    return loaded;
  }

  async function storePackage(tx: Tx, orgId: string, loaded: LoadedBundle): Promise<PackageRow> {
    const [existing] = await tx
      .select()
      .from(pluginPackages)
      .where(and(eq(pluginPackages.orgId, orgId), eq(pluginPackages.digest, loaded.verification.digest)));
    if (existing) return existing;
    const [row] = await tx
      .insert(pluginPackages)
      .values({
        id: newId('ppk'),
        orgId,
        pluginId: loaded.manifest.id,
        version: loaded.manifest.version,
        digest: loaded.verification.digest,
        manifest: loaded.manifest,
        code: loaded.bundle.code,
        signedBy: loaded.verification.status === 'trusted' ? loaded.verification.keyId : null,
        source: loaded.source,
      })
      .returning();
    return row;
  }

  async function withPackages(tx: Tx, row: InstallationRow): Promise<Installation> {
    const ids = [row.packageId, row.pendingPackageId].filter((id): id is string => Boolean(id));
    const packages = await tx
      .select()
      .from(pluginPackages)
      .where(and(eq(pluginPackages.orgId, row.orgId), inArray(pluginPackages.id, ids)));
    const byId = new Map(packages.map((item) => [item.id, item]));
    const current = byId.get(row.packageId);
    if (!current) throw new Error(`plugin package ${row.packageId} is missing`);
    return { ...row, package: current, pendingPackage: row.pendingPackageId ? (byId.get(row.pendingPackageId) ?? null) : null };
  }

  async function installationIn(tx: Tx, orgId: string, id: string): Promise<Installation> {
    const [row] = await tx
      .select()
      .from(pluginInstallations)
      .where(and(eq(pluginInstallations.orgId, orgId), eq(pluginInstallations.id, id)));
    if (!row) throw new NotFoundError('Plugin installation');
    return withPackages(tx, row);
  }

  const payloadOf = (row: InstallationRow, pkg: PackageRow) => ({
    installation_id: row.id,
    plugin_id: row.pluginId,
    version: pkg.version,
    workspace_id: row.workspaceId,
  });

  async function cleanup(tx: Tx, orgId: string) {
    // Packages no installation uses any more (an update replaced them) are dropped.
    const used = await tx
      .select({ packageId: pluginInstallations.packageId, pendingPackageId: pluginInstallations.pendingPackageId })
      .from(pluginInstallations)
      .where(eq(pluginInstallations.orgId, orgId));
    const keep = new Set(used.flatMap((row) => [row.packageId, row.pendingPackageId]).filter(Boolean) as string[]);
    const all = await tx.select({ id: pluginPackages.id }).from(pluginPackages).where(eq(pluginPackages.orgId, orgId));
    const drop = all.map((row) => row.id).filter((id) => !keep.has(id));
    if (drop.length) await tx.delete(pluginPackages).where(and(eq(pluginPackages.orgId, orgId), inArray(pluginPackages.id, drop)));
  }

  const service = {
    developerMode,

    async setDeveloperMode(orgId: string, enabled: boolean) {
      await withTenant(database, orgId, (tx) =>
        tx
          .insert(pluginOrgSettings)
          .values({ orgId, developerMode: enabled })
          .onConflictDoUpdate({ target: pluginOrgSettings.orgId, set: { developerMode: enabled, updatedAt: kernel.clock() } }),
      );
      return { developerMode: enabled };
    },

    async list(orgId: string, workspaceId?: string): Promise<Installation[]> {
      return withTenant(database, orgId, async (tx) => {
        const rows = await tx
          .select()
          .from(pluginInstallations)
          .where(and(eq(pluginInstallations.orgId, orgId), workspaceId ? eq(pluginInstallations.workspaceId, workspaceId) : undefined))
          .orderBy(pluginInstallations.createdAt);
        return Promise.all(rows.map((row) => withPackages(tx, row)));
      });
    },

    async get(orgId: string, id: string): Promise<Installation> {
      return withTenant(database, orgId, (tx) => installationIn(tx, orgId, id));
    },

    /** Installs a verified bundle; it waits for consent unless it asks for no permission at all. */
    async install(orgId: string, workspaceId: string, input: BundleSource, actor: EventActor): Promise<Installation> {
      await deps.workspaceExists(orgId, workspaceId);
      const loaded = await load(orgId, input);
      const installation = await withTenant(database, orgId, async (tx) => {
        const [taken] = await tx
          .select({ id: pluginInstallations.id })
          .from(pluginInstallations)
          .where(
            and(
              eq(pluginInstallations.orgId, orgId),
              eq(pluginInstallations.workspaceId, workspaceId),
              eq(pluginInstallations.pluginId, loaded.manifest.id),
            ),
          );
        if (taken) {
          throw new ConflictError(`${loaded.manifest.id} is already installed in this workspace; update it instead.`, 'already_installed');
        }
        const pkg = await storePackage(tx, orgId, loaded);
        const needsConsent = loaded.manifest.permissions.length > 0;
        const [row] = await tx
          .insert(pluginInstallations)
          .values({
            id: newId('pin'),
            orgId,
            workspaceId,
            pluginId: loaded.manifest.id,
            packageId: pkg.id,
            status: needsConsent ? 'pending_consent' : 'enabled',
            settings: Object.fromEntries(
              loaded.manifest.settings
                .filter((field) => !field.secret && field.default !== undefined)
                .map((field) => [field.key, field.default]),
            ),
            installedBy: actor.id,
          })
          .returning();
        await events.emit(tx, {
          type: 'plugin.installed',
          orgId,
          actor,
          payload: { ...payloadOf(row, pkg), permissions: loaded.manifest.permissions, signed_by: pkg.signedBy },
        });
        return withPackages(tx, row);
      });
      hooks.changed(orgId, installation.id);
      return installation;
    },

    /**
     * Grants exactly the permissions the plugin asks for (the list must match, so a consent
     * screen that showed less cannot grant more). Promotes a pending update.
     */
    async consent(orgId: string, id: string, permissions: string[], actor: EventActor): Promise<Installation> {
      const result = await withTenant(database, orgId, async (tx) => {
        const current = await installationIn(tx, orgId, id);
        const target = current.pendingPackage ?? current.package;
        const wanted = manifestOf(target).permissions;
        const given = [...new Set(permissions)];
        if (current.status !== 'pending_consent' && !current.pendingPackage) {
          throw new ConflictError('This plugin is not waiting for consent.', 'not_pending');
        }
        if (given.length !== wanted.length || addedPermissions(given, wanted).length) {
          throw new ValidationError(
            `permissions must list exactly what the plugin asks for: ${wanted.join(', ') || '(none)'}.`,
            'permissions',
            'consent_mismatch',
          );
        }
        const [row] = await tx
          .update(pluginInstallations)
          .set({
            grantedPermissions: wanted,
            consentedBy: actor.id,
            consentedAt: kernel.clock(),
            packageId: target.id,
            pendingPackageId: null,
            status: current.status === 'pending_consent' ? 'enabled' : current.status,
            updatedAt: kernel.clock(),
          })
          .where(and(eq(pluginInstallations.orgId, orgId), eq(pluginInstallations.id, id)))
          .returning();
        await events.emit(tx, { type: 'plugin.consented', orgId, actor, payload: { ...payloadOf(row, target), permissions: wanted } });
        if (current.pendingPackage) {
          await events.emit(tx, {
            type: 'plugin.updated',
            orgId,
            actor,
            payload: {
              ...payloadOf(row, target),
              from_version: current.package.version,
              added_permissions: addedPermissions(current.grantedPermissions, wanted),
              pending_consent: false,
            },
          });
          await cleanup(tx, orgId);
        }
        return withPackages(tx, row);
      });
      hooks.changed(orgId, id);
      return result;
    },

    /** Moves to a new version. Asking for new permissions holds the update until someone consents. */
    async update(orgId: string, id: string, input: BundleSource, actor: EventActor): Promise<Installation> {
      const loaded = await load(orgId, input);
      const result = await withTenant(database, orgId, async (tx) => {
        const current = await installationIn(tx, orgId, id);
        if (loaded.manifest.id !== current.pluginId) {
          throw new ValidationError(`This bundle is ${loaded.manifest.id}, not ${current.pluginId}.`, 'bundle.manifest.id', 'wrong_plugin');
        }
        if (loaded.verification.digest === current.package.digest) {
          throw new ConflictError(`Version ${current.package.version} is already installed.`, 'same_version');
        }
        const pkg = await storePackage(tx, orgId, loaded);
        const added = addedPermissions(current.grantedPermissions, loaded.manifest.permissions);
        const waiting = added.length > 0 || current.status === 'pending_consent';
        const [row] = await tx
          .update(pluginInstallations)
          .set(
            waiting
              ? { pendingPackageId: pkg.id, updatedAt: kernel.clock() }
              : {
                  packageId: pkg.id,
                  pendingPackageId: null,
                  // Permissions the new version dropped are no longer granted.
                  grantedPermissions: loaded.manifest.permissions,
                  updatedAt: kernel.clock(),
                },
          )
          .where(and(eq(pluginInstallations.orgId, orgId), eq(pluginInstallations.id, id)))
          .returning();
        await events.emit(tx, {
          type: 'plugin.updated',
          orgId,
          actor,
          payload: { ...payloadOf(row, pkg), from_version: current.package.version, added_permissions: added, pending_consent: waiting },
        });
        if (!waiting) await cleanup(tx, orgId);
        return withPackages(tx, row);
      });
      hooks.changed(orgId, id);
      return result;
    },

    /** Changes settings (validated against the manifest; secret values sealed) and/or enables or disables. */
    async configure(
      orgId: string,
      id: string,
      patch: { enabled?: boolean; settings?: Record<string, unknown> },
      actor: EventActor,
    ): Promise<Installation> {
      // Secrets are opened and sealed outside the transaction (the vault may use the database);
      // the update then applies only if nobody changed the installation meanwhile.
      const before = await service.get(orgId, id);
      const changes: Partial<typeof pluginInstallations.$inferInsert> = { updatedAt: kernel.clock() };
      const changedFields: string[] = [];
      if (patch.settings) {
        const manifest = manifestOf(before.package);
        const settings = { ...(before.settings as Record<string, unknown>) };
        const secrets: Record<string, unknown> = before.secrets ? JSON.parse(await vault.decrypt(orgId, before.secrets)) : {};
        for (const [key, value] of Object.entries(patch.settings)) {
          const field = manifest.settings.find((candidate) => candidate.key === key);
          const param = `settings.${key}`;
          if (!field) throw new ValidationError(`${param} is not a setting of this plugin.`, param);
          const target = field.secret ? secrets : settings;
          if (value === null) delete target[key];
          else target[key] = settingValue(field, value, param);
          changedFields.push(key);
        }
        changes.settings = settings;
        changes.secrets = Object.keys(secrets).length ? await vault.encrypt(orgId, JSON.stringify(secrets)) : null;
      }
      const result = await withTenant(database, orgId, async (tx) => {
        const current = await installationIn(tx, orgId, id);
        if (current.updatedAt.getTime() !== before.updatedAt.getTime()) {
          throw new ConflictError('The plugin changed while you were editing it; try again.', 'conflict');
        }
        if (patch.enabled !== undefined) {
          if (patch.enabled && current.status === 'pending_consent') {
            throw new ConflictError('Consent to the plugin’s permissions first.', 'consent_required');
          }
          if (current.status !== 'pending_consent') {
            changes.status = patch.enabled ? 'enabled' : 'disabled';
            if (patch.enabled) changes.disabledReason = null;
          }
        }
        const [row] = await tx
          .update(pluginInstallations)
          .set(changes)
          .where(and(eq(pluginInstallations.orgId, orgId), eq(pluginInstallations.id, id)))
          .returning();
        if (changedFields.length) {
          await events.emit(tx, {
            type: 'plugin.settings_updated',
            orgId,
            actor,
            payload: { ...payloadOf(row, current.package), fields: changedFields },
          });
        }
        if (changes.status && changes.status !== current.status) {
          await events.emit(tx, {
            type: changes.status === 'enabled' ? 'plugin.enabled' : 'plugin.disabled',
            orgId,
            actor,
            payload: { ...payloadOf(row, current.package), ...(changes.status === 'disabled' ? { reason: null } : {}) },
          });
        }
        return withPackages(tx, row);
      });
      hooks.changed(orgId, id);
      return result;
    },

    /** Disables an installation that keeps failing (health), with the reason shown to its admins. */
    async autoDisable(orgId: string, id: string, reason: string): Promise<Installation | null> {
      const result = await withTenant(database, orgId, async (tx) => {
        const [row] = await tx
          .update(pluginInstallations)
          .set({ status: 'disabled', disabledReason: reason, lastError: reason, updatedAt: kernel.clock() })
          .where(and(eq(pluginInstallations.orgId, orgId), eq(pluginInstallations.id, id), eq(pluginInstallations.status, 'enabled')))
          .returning();
        if (!row) return null;
        const installation = await withPackages(tx, row);
        await events.emit(tx, {
          type: 'plugin.disabled',
          orgId,
          actor: { type: 'system', id: 'plugins' },
          payload: { ...payloadOf(row, installation.package), reason },
        });
        return installation;
      });
      hooks.changed(orgId, id);
      return result;
    },

    /** Uninstalls and purges the plugin's stored data. `confirm` must repeat the plugin id. */
    async uninstall(orgId: string, id: string, confirm: string | undefined, actor: EventActor) {
      const purged = await withTenant(database, orgId, async (tx) => {
        const current = await installationIn(tx, orgId, id);
        if (confirm !== current.pluginId) {
          throw new ValidationError(
            `Uninstalling deletes everything ${current.pluginId} stored. Confirm with confirm=${current.pluginId}.`,
            'confirm',
            'confirmation_required',
          );
        }
        const removed = await tx
          .delete(pluginStore)
          .where(and(eq(pluginStore.orgId, orgId), eq(pluginStore.installationId, id)))
          .returning({ key: pluginStore.key });
        await tx.delete(pluginInstallations).where(and(eq(pluginInstallations.orgId, orgId), eq(pluginInstallations.id, id)));
        await events.emit(tx, {
          type: 'plugin.uninstalled',
          orgId,
          actor,
          payload: { ...payloadOf(current, current.package), purged_records: removed.length },
        });
        await cleanup(tx, orgId);
        return removed.length;
      });
      hooks.changed(orgId, id);
      return { purgedRecords: purged };
    },

    /** Setting values with secrets masked: what the console shows. */
    async secretKeys(orgId: string, row: InstallationRow): Promise<string[]> {
      if (!row.secrets) return [];
      return Object.keys(JSON.parse(await vault.decrypt(orgId, row.secrets)));
    },

    async storeSize(orgId: string, id: string) {
      const [row] = await withTenant(database, orgId, (tx) =>
        tx
          .select({ records: count() })
          .from(pluginStore)
          .where(and(eq(pluginStore.orgId, orgId), eq(pluginStore.installationId, id), ne(pluginStore.key, ''))),
      );
      return row?.records ?? 0;
    },
  };
  return service;
}

export type PluginsService = ReturnType<typeof createPluginsService>;
