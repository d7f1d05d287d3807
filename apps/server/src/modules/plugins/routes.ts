import { IdParams } from '@atrium/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../kernel/http/auth-hook.ts';
import { typed } from '../../kernel/http/server.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { ExecutionEntryDto, executionEntryDto, registerCapabilityRoutes } from './capability-routes.ts';
import type { Catalog } from './catalog.ts';
import { actorOf, errors, type WorkspaceResolver } from './route-helpers.ts';
import { type Installation, manifestOf, type PluginsService } from './service.ts';

const BUNDLE_LIMIT = 6 * 1024 * 1024;

const PackageSummary = z.object({
  version: z.string(),
  digest: z.string(),
  signed_by: z.string().nullable().describe('The trusted publisher key that signed it; null: unsigned (developer mode)'),
  source: z.string(),
  permissions: z.array(z.string()),
});

const InstallationDto = z
  .object({
    id: z.string(),
    workspace_id: z.string(),
    plugin_id: z.string(),
    name: z.string(),
    description: z.string(),
    kind: z.enum(['code', 'prompt']),
    version: z.string(),
    status: z.enum(['pending_consent', 'enabled', 'disabled']),
    manifest: z.record(z.string(), z.unknown()),
    package: PackageSummary,
    granted_permissions: z.array(z.string()),
    pending_update: PackageSummary.extend({ added_permissions: z.array(z.string()) }).nullable(),
    consent_required: z.array(z.string()).describe('What a consent must list now (empty when nothing waits for consent)'),
    settings: z.record(z.string(), z.unknown()).describe('Non-secret values'),
    secrets_set: z.array(z.string()).describe('Secret settings that have a value (values are never returned)'),
    disabled_reason: z.string().nullable(),
    consented_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'PluginInstallation' });

const BundleSource = {
  bundle: z.unknown().optional().describe('The bundle document (`*.atrium-plugin.json`, from `atrium plugin pack`)'),
  url: z.string().max(2048).optional().describe('Or where to download it (a registry URL)'),
  catalog: z.string().max(100).optional().describe('Or the id of a first-party plugin from `GET /api/v1/plugin-catalog`'),
};

const CatalogEntry = z
  .object({
    id: z.string(),
    name: z.string(),
    version: z.string(),
    description: z.string(),
    kind: z.enum(['code', 'prompt']),
    categories: z.array(z.string()),
    permissions: z.array(z.string()),
    capabilities: z.array(z.object({ name: z.string(), description: z.string(), requires_approval: z.boolean() })),
    settings: z.array(z.object({ key: z.string(), label: z.string(), secret: z.boolean(), required: z.boolean() })),
  })
  .meta({ id: 'PluginCatalogEntry' });

export async function installationDto(service: PluginsService, row: Installation) {
  const manifest = manifestOf(row.package);
  const summary = (pkg: Installation['package']) => ({
    version: pkg.version,
    digest: pkg.digest,
    signed_by: pkg.signedBy,
    source: pkg.source,
    permissions: manifestOf(pkg).permissions,
  });
  const pendingPermissions = row.pendingPackage ? manifestOf(row.pendingPackage).permissions : [];
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    plugin_id: row.pluginId,
    name: manifest.name,
    description: manifest.description,
    kind: manifest.kind,
    version: row.package.version,
    status: row.status as 'pending_consent' | 'enabled' | 'disabled',
    manifest: manifest as unknown as Record<string, unknown>,
    package: summary(row.package),
    granted_permissions: row.grantedPermissions,
    pending_update: row.pendingPackage
      ? {
          ...summary(row.pendingPackage),
          added_permissions: pendingPermissions.filter((permission) => !row.grantedPermissions.includes(permission)),
        }
      : null,
    consent_required: row.pendingPackage ? pendingPermissions : row.status === 'pending_consent' ? manifest.permissions : [],
    settings: row.settings as Record<string, unknown>,
    secrets_set: await service.secretKeys(row.orgId, row),
    disabled_reason: row.disabledReason,
    consented_at: row.consentedAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function registerPluginRoutes(
  root: FastifyInstance,
  kernel: Kernel,
  service: PluginsService,
  workspaceOf: WorkspaceResolver,
  catalog: Catalog,
) {
  const app = typed(root);
  const tags = ['Plugins'];
  const dto = (row: Installation) => installationDto(service, row);
  const sourceOf = (body: { bundle?: unknown; url?: string; catalog?: string }) => ({
    bundle: body.bundle,
    url: body.url,
    catalog: body.catalog,
  });

  app.get(
    '/api/v1/plugin-catalog',
    {
      config: { permission: 'plugins:read' },
      schema: {
        tags,
        summary: 'The first-party plugins this server offers (install one with `{"catalog": id}`)',
        response: { 200: z.object({ data: z.array(CatalogEntry) }), ...errors },
      },
    },
    async () => ({
      data: (await catalog.list()).map((manifest) => ({
        id: manifest.id,
        name: manifest.name,
        version: manifest.version,
        description: manifest.description,
        kind: manifest.kind,
        categories: manifest.categories,
        permissions: manifest.permissions,
        capabilities: manifest.capabilities.map((capability) => ({
          name: capability.name,
          description: capability.description,
          requires_approval: capability.requires_approval,
        })),
        settings: manifest.settings.map((field) => ({
          key: field.key,
          label: field.label,
          secret: field.secret,
          required: field.required,
        })),
      })),
    }),
  );

  app.get(
    '/api/v1/plugins',
    {
      config: { permission: 'plugins:read' },
      schema: {
        tags,
        summary: 'Installed plugins (of one workspace with `workspace_id`)',
        querystring: z.object({ workspace_id: z.string().max(64).optional() }),
        response: { 200: z.object({ data: z.array(InstallationDto) }), ...errors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const workspaceId = principal.workspaceId ?? request.query.workspace_id;
      return { data: await Promise.all((await service.list(principal.orgId, workspaceId)).map(dto)) };
    },
  );

  app.post(
    '/api/v1/plugins',
    {
      config: { permission: 'plugins:write' },
      bodyLimit: BUNDLE_LIMIT,
      schema: {
        tags,
        summary: 'Install a plugin from a bundle, a registry URL or the first-party catalogue; it waits for consent to its permissions',
        body: z.object({ workspace_id: z.string().max(64).optional(), ...BundleSource }),
        response: { 201: InstallationDto, ...errors },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const workspaceId = await workspaceOf(request, request.body.workspace_id);
      const row = await service.install(principal.orgId, workspaceId, sourceOf(request.body), actorOf(request));
      return reply.code(201).send(await dto(row));
    },
  );

  app.get(
    '/api/v1/plugin-settings',
    {
      config: { permission: 'plugins:read' },
      schema: {
        tags,
        summary: 'The organization’s plugin settings, and the publisher keys this server trusts',
        response: { 200: z.object({ developer_mode: z.boolean(), trusted_publishers: z.array(z.string()) }), ...errors },
      },
    },
    async (request) => ({
      developer_mode: await service.developerMode(principalOf(request).orgId),
      trusted_publishers: Object.keys(kernel.config.plugins.trustedKeys),
    }),
  );

  app.patch(
    '/api/v1/plugin-settings',
    {
      config: { permission: 'org:write' },
      schema: {
        tags,
        summary: 'Turn developer mode (installing unsigned bundles) on or off',
        body: z.object({ developer_mode: z.boolean() }),
        response: { 200: z.object({ developer_mode: z.boolean(), trusted_publishers: z.array(z.string()) }), ...errors },
      },
    },
    async (request) => {
      const result = await service.setDeveloperMode(principalOf(request).orgId, request.body.developer_mode);
      return { developer_mode: result.developerMode, trusted_publishers: Object.keys(kernel.config.plugins.trustedKeys) };
    },
  );

  app.get(
    '/api/v1/plugins/:id',
    {
      config: { permission: 'plugins:read' },
      schema: { tags, summary: 'An installed plugin', params: IdParams, response: { 200: InstallationDto, ...errors } },
    },
    async (request) => dto(await service.get(principalOf(request).orgId, request.params.id)),
  );

  app.patch(
    '/api/v1/plugins/:id',
    {
      config: { permission: 'plugins:write' },
      schema: {
        tags,
        summary: 'Enable or disable a plugin, or change its settings (null clears a value)',
        params: IdParams,
        body: z.object({
          enabled: z.boolean().optional(),
          settings: z.record(z.string().max(64), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
        }),
        response: { 200: InstallationDto, ...errors },
      },
    },
    async (request) => dto(await service.configure(principalOf(request).orgId, request.params.id, request.body, actorOf(request))),
  );

  app.post(
    '/api/v1/plugins/:id/consent',
    {
      config: { permission: 'plugins:write' },
      schema: {
        tags,
        summary: 'Grant the permissions the plugin (or its pending update) asks for; list them exactly',
        params: IdParams,
        body: z.object({ permissions: z.array(z.string().max(200)).max(50) }),
        response: { 200: InstallationDto, ...errors },
      },
    },
    async (request) =>
      dto(await service.consent(principalOf(request).orgId, request.params.id, request.body.permissions, actorOf(request))),
  );

  app.post(
    '/api/v1/plugins/:id/update',
    {
      config: { permission: 'plugins:write' },
      bodyLimit: BUNDLE_LIMIT,
      schema: {
        tags,
        summary: 'Update to another version; new permissions wait for consent while this version keeps running',
        params: IdParams,
        body: z.object(BundleSource),
        response: { 200: InstallationDto, ...errors },
      },
    },
    async (request) => dto(await service.update(principalOf(request).orgId, request.params.id, sourceOf(request.body), actorOf(request))),
  );

  app.delete(
    '/api/v1/plugins/:id',
    {
      config: { permission: 'plugins:write' },
      schema: {
        tags,
        summary: 'Uninstall and delete everything the plugin stored (confirm with the plugin id)',
        params: IdParams,
        querystring: z.object({ confirm: z.string().max(100).optional() }),
        response: { 200: z.object({ id: z.string(), deleted: z.literal(true), purged_records: z.number() }), ...errors },
      },
    },
    async (request) => {
      const result = await service.uninstall(principalOf(request).orgId, request.params.id, request.query.confirm, actorOf(request));
      return { id: request.params.id, deleted: true as const, purged_records: result.purgedRecords };
    },
  );

  app.get(
    '/api/v1/plugins/:id/executions',
    {
      config: { permission: 'plugins:read' },
      schema: {
        tags,
        summary: 'The plugin’s execution log, newest first',
        params: IdParams,
        querystring: z.object({ status: z.string().max(30).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ data: z.array(ExecutionEntryDto) }), ...errors },
      },
    },
    async (request) => {
      const orgId = principalOf(request).orgId;
      await service.get(orgId, request.params.id);
      const rows = await kernel.capabilities.executions(orgId, {
        ownerId: request.params.id,
        status: request.query.status,
        limit: request.query.limit,
      });
      return { data: rows.map(executionEntryDto) };
    },
  );

  registerCapabilityRoutes(root, kernel, workspaceOf);
}
