import { eventMatches } from '@atrium/contracts';
import { createSandbox, type HostCall, SandboxError } from '@atrium/plugin-sdk/sandbox';
import { grantedHostFunctions, networkAllowed } from '@atrium/plugin-sdk/tooling';
import { and, asc, count, eq, like } from 'drizzle-orm';
import { request } from 'undici';
import {
  type Capability,
  type CapabilityCall,
  CapabilityError,
  type CapabilityScope,
  type ExecutionRecord,
} from '../../kernel/capabilities/capabilities.ts';
import { withTenant } from '../../kernel/db/tenant.ts';
import { AppError } from '../../kernel/errors.ts';
import type { DomainEvent } from '../../kernel/events/events.ts';
import { assertOutboundUrl, createOutboundAgent } from '../../kernel/http/outbound.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { pluginStore } from './schema.ts';
import { type Installation, manifestOf, type PluginsService } from './service.ts';

const CACHE_MS = 5_000;
const FORGET_CHANNEL = 'plugins:forget';
const MAX_FETCH_BYTES = 5 * 1024 * 1024;
const MAX_FETCH_MS = 10_000;
const MAX_STORE_KEY = 256;
const MAX_STORE_VALUE = 64 * 1024;
const MAX_STORE_KEYS = 10_000;
const HOOK_QUEUE = 'plugins.hook';
/** Failures that count against a plugin's health (a bad input or a quota refusal does not). */
const UNHEALTHY = new Set(['timeout', 'out_of_memory', 'plugin_error', 'invalid_output', 'invalid_bundle', 'crashed']);

export interface PluginRuntimeDependencies {
  service: PluginsService;
  /** A chat completion through the gateway, metered to the organisation. */
  llmChat?(
    scope: { orgId: string; workspaceId: string; installationId: string; userId: string },
    body: Record<string, unknown>,
  ): Promise<unknown>;
  /** Tells the organisation's admins that an installation was disabled. */
  notifyDisabled(installation: Installation, reason: string): Promise<void>;
}

class HostDenied extends Error {}

/**
 * Runs installed plugins: their capabilities join the registry, their hooks receive domain
 * events through jobs, and every host call a plugin makes is checked against what it was granted.
 */
export function createPluginRuntime(kernel: Kernel, deps: PluginRuntimeDependencies) {
  const { database, config, log, events, cache: sharedCache } = kernel;
  const sandbox = createSandbox({
    workers: config.plugins.workers,
    limits: { memoryBytes: config.plugins.memoryBytes, deadlineMs: config.plugins.deadlineMs },
  });
  const agent = createOutboundAgent({ allowPrivateNetworks: config.allowPrivateNetworks, connections: 32 });
  const enabled = new Map<string, { at: number; value: Promise<Installation[]> }>();
  const failures = new Map<string, number>();

  /** Enabled installations of an organisation, cached briefly; lifecycle changes clear it everywhere. */
  function enabledIn(orgId: string): Promise<Installation[]> {
    const hit = enabled.get(orgId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
    const value = deps.service.list(orgId).then((all) => all.filter((item) => item.status === 'enabled'));
    value.catch(() => enabled.delete(orgId));
    enabled.set(orgId, { at: Date.now(), value });
    return value;
  }

  function forgetLocally(orgId: string, installationId?: string) {
    enabled.delete(orgId);
    sandbox.evict(installationId ? `${orgId}:${installationId}:` : `${orgId}:`);
  }

  let unsubscribe: (() => Promise<void>) | undefined;

  async function host(installation: Installation, call: HostCall, context: CapabilityCall | null): Promise<unknown> {
    const { orgId, id: installationId } = installation;
    const granted = installation.grantedPermissions;
    const args = call.args;
    switch (call.fn) {
      case 'log': {
        const [level, message] = args as [string, unknown];
        const normalised = (['debug', 'info', 'warn', 'error'].includes(level) ? level : 'info') as 'info';
        context?.log(normalised, typeof message === 'string' ? message : JSON.stringify(message));
        return null;
      }
      case 'fetch':
        return hostFetch(granted, args, context);
      case 'store.get':
      case 'store.list':
      case 'store.set':
      case 'store.delete':
        return hostStore(orgId, installationId, granted, call.fn, args);
      case 'secrets.get': {
        if (!granted.includes('secrets')) throw new HostDenied('secrets is not granted');
        const [key] = args;
        if (typeof key !== 'string') throw new HostDenied('secrets.get(key) needs a string key');
        const fresh = await deps.service.get(orgId, installationId);
        if (!fresh.secrets) return null;
        const values = JSON.parse(await kernel.vault.decrypt(orgId, fresh.secrets)) as Record<string, unknown>;
        return values[key] ?? null;
      }
      case 'llm.chat': {
        if (!granted.includes('llm')) throw new HostDenied('llm is not granted');
        if (!deps.llmChat) throw new HostDenied('the gateway is not available');
        const [body] = args;
        if (!body || typeof body !== 'object') throw new HostDenied('llm.chat(body) needs a chat completion body');
        // The call is logged and limited as the workspace's, on behalf of whoever installed the plugin.
        return deps.llmChat(
          { orgId, workspaceId: installation.workspaceId, installationId, userId: installation.installedBy },
          body as Record<string, unknown>,
        );
      }
      case 'emit': {
        if (!granted.includes('events:emit')) throw new HostDenied('events:emit is not granted');
        const [type, payload] = args;
        if (typeof type !== 'string' || !/^[a-z0-9_.-]{1,64}$/.test(type))
          throw new HostDenied('emit(type, payload): type must be a-z, 0-9, _ . -');
        const text = JSON.stringify(payload ?? {});
        if (text.length > MAX_STORE_VALUE) throw new HostDenied('emit payload is larger than 64 KiB');
        const data = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload : { value: payload };
        await withTenant(database, orgId, (tx) =>
          events.emit(tx, {
            type: `plugin.${installation.pluginId}.${type}`,
            orgId,
            actor: { type: 'system', id: `plugin:${installationId}` },
            payload: { ...data, workspace_id: installation.workspaceId, installation_id: installationId },
          }),
        );
        return null;
      }
      default:
        throw new HostDenied(`${call.fn} is not a host function`);
    }
  }

  async function hostFetch(granted: readonly string[], args: unknown[], context: CapabilityCall | null) {
    const [url, init = {}] = args as [unknown, { method?: string; headers?: Record<string, string>; body?: string }];
    if (typeof url !== 'string') throw new HostDenied('fetch(url, init) needs a string URL');
    if (!networkAllowed(granted, url)) throw new HostDenied(`network access to ${safeHost(url)} is not granted`);
    try {
      await assertOutboundUrl(url, { allowPrivateNetworks: config.allowPrivateNetworks });
    } catch (error) {
      throw new HostDenied(error instanceof AppError ? error.message : 'the URL is not allowed');
    }
    const method = (init.method ?? 'GET').toUpperCase();
    if (!/^(GET|POST|PUT|PATCH|DELETE|HEAD)$/.test(method)) throw new HostDenied(`method ${method} is not allowed`);
    const signals = [AbortSignal.timeout(Math.min(MAX_FETCH_MS, context?.timeoutMs ?? MAX_FETCH_MS))];
    if (context) signals.push(context.signal);
    try {
      const response = await request(url, {
        method: method as 'GET',
        headers: init.headers ?? {},
        body: typeof init.body === 'string' ? init.body : undefined,
        dispatcher: agent,
        signal: AbortSignal.any(signals),
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += chunk.length;
        if (size > MAX_FETCH_BYTES) {
          response.body.destroy();
          throw new HostDenied('the response is larger than 5 MiB');
        }
        chunks.push(chunk as Buffer);
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      return { status: response.statusCode, headers, body: Buffer.concat(chunks).toString('utf8') };
    } catch (error) {
      if (error instanceof HostDenied) throw error;
      throw new HostDenied(`fetch failed: ${(error as Error).message}`);
    }
  }

  async function hostStore(orgId: string, installationId: string, granted: readonly string[], fn: string, args: unknown[]) {
    const writing = fn === 'store.set' || fn === 'store.delete';
    if (writing ? !granted.includes('data:write') : !granted.includes('data:read') && !granted.includes('data:write')) {
      throw new HostDenied(`${writing ? 'data:write' : 'data:read'} is not granted`);
    }
    const [key, value] = args;
    const scope = and(eq(pluginStore.orgId, orgId), eq(pluginStore.installationId, installationId));
    if (fn === 'store.list') {
      const prefix = typeof key === 'string' ? key : '';
      const rows = await withTenant(database, orgId, (tx) =>
        tx
          .select({ key: pluginStore.key, value: pluginStore.value })
          .from(pluginStore)
          .where(and(scope, prefix ? like(pluginStore.key, `${prefix.replace(/[\\%_]/g, '\\$&')}%`) : undefined))
          .orderBy(asc(pluginStore.key))
          .limit(100),
      );
      return rows;
    }
    if (typeof key !== 'string' || !key || key.length > MAX_STORE_KEY)
      throw new HostDenied('a store key is a string of 1 to 256 characters');
    if (fn === 'store.get') {
      const [row] = await withTenant(database, orgId, (tx) =>
        tx
          .select({ value: pluginStore.value })
          .from(pluginStore)
          .where(and(scope, eq(pluginStore.key, key))),
      );
      return row?.value ?? null;
    }
    if (fn === 'store.delete') {
      const removed = await withTenant(database, orgId, (tx) =>
        tx
          .delete(pluginStore)
          .where(and(scope, eq(pluginStore.key, key)))
          .returning({ key: pluginStore.key }),
      );
      return removed.length > 0;
    }
    const text = JSON.stringify(value ?? null);
    if (text.length > MAX_STORE_VALUE) throw new HostDenied('a stored value is at most 64 KiB of JSON');
    await withTenant(database, orgId, async (tx) => {
      const [existing] = await tx
        .select({ key: pluginStore.key })
        .from(pluginStore)
        .where(and(scope, eq(pluginStore.key, key)));
      if (!existing) {
        const [row] = await tx.select({ keys: count() }).from(pluginStore).where(scope);
        if ((row?.keys ?? 0) >= MAX_STORE_KEYS) throw new HostDenied(`the store holds at most ${MAX_STORE_KEYS} keys`);
      }
      await tx
        .insert(pluginStore)
        .values({ orgId, installationId, key, value: value ?? null })
        .onConflictDoUpdate({
          target: [pluginStore.orgId, pluginStore.installationId, pluginStore.key],
          set: { value: value ?? null, updatedAt: kernel.clock() },
        });
    });
    return true;
  }

  async function run(
    installation: Installation,
    kind: 'capability' | 'hook',
    name: string,
    input: unknown,
    context: CapabilityCall | null,
  ): Promise<unknown> {
    const manifest = manifestOf(installation.package);
    const settings = installation.settings as Record<string, unknown>;
    const missing = manifest.settings.find((field) => field.required && !field.secret && settings[field.key] === undefined);
    if (missing) throw new CapabilityError('settings_required', `Set ${missing.key} in the plugin’s settings first.`);
    try {
      return await sandbox.invoke(
        {
          key: `${installation.orgId}:${installation.id}:${installation.package.digest}`,
          code: installation.package.code,
          kind,
          name,
          input,
          context: {
            workspace_id: installation.workspaceId,
            installation_id: installation.id,
            plugin_id: installation.pluginId,
            settings,
          },
          host: grantedHostFunctions(installation.grantedPermissions),
        },
        (call) =>
          host(installation, call, context).catch((error) => {
            // The guest sees the message only; an unexpected host failure is logged here.
            if (!(error instanceof HostDenied)) log.warn({ err: error, plugin: installation.pluginId }, 'plugin host call failed');
            throw new Error(error instanceof HostDenied ? error.message : 'the host call failed');
          }),
      );
    } catch (error) {
      if (error instanceof SandboxError) throw new CapabilityError(error.code, error.message);
      throw error;
    }
  }

  function capabilitiesOf(installation: Installation): Capability[] {
    const manifest = manifestOf(installation.package);
    return manifest.capabilities.map((definition) => ({
      id: `${installation.pluginId}.${definition.name}`,
      description: definition.description,
      provider: 'plugin' as const,
      ownerId: installation.id,
      ownerName: manifest.name,
      input: definition.input,
      output: definition.output,
      requiresApproval: definition.requires_approval,
      ui: definition.ui,
      // The sandbox's own deadline answers first, with its precise reason.
      timeoutMs: (definition.timeout_ms ?? config.plugins.deadlineMs) + 1_000,
      invoke: (input: unknown, call: CapabilityCall) => run(installation, 'capability', definition.name, input, call),
    }));
  }

  const source = {
    name: 'plugins',
    async list(scope: CapabilityScope) {
      if (!scope.workspaceId) return [];
      const installed = (await enabledIn(scope.orgId)).filter((item) => item.workspaceId === scope.workspaceId);
      return installed.flatMap(capabilitiesOf);
    },
    async resolve(scope: CapabilityScope, id: string) {
      if (!scope.workspaceId) return undefined;
      const dot = id.indexOf('.');
      if (dot < 0) return undefined;
      const pluginId = id.slice(0, dot);
      const installation = (await enabledIn(scope.orgId)).find(
        (item) => item.workspaceId === scope.workspaceId && item.pluginId === pluginId,
      );
      return installation ? capabilitiesOf(installation).find((capability) => capability.id === id) : undefined;
    },
  };

  /** Health: consecutive failures disable an installation, with a notice to its admins. */
  async function onExecution(execution: ExecutionRecord) {
    if (execution.provider !== 'plugin' || !execution.ownerId) return;
    const key = execution.ownerId;
    if (execution.status === 'succeeded') {
      if (failures.has(key)) {
        failures.delete(key);
        await sharedCache.del(`plugins:failures:${key}`);
      }
      return;
    }
    if (execution.status !== 'failed' || !execution.error || !UNHEALTHY.has(execution.error.code)) return;
    failures.set(key, (failures.get(key) ?? 0) + 1);
    const total = await sharedCache.incr(`plugins:failures:${key}`, 1, 86_400_000);
    if (total < config.plugins.failureLimit) return;
    await sharedCache.del(`plugins:failures:${key}`);
    failures.delete(key);
    const reason = `Disabled after ${total} consecutive failed calls; the last: ${execution.error.message}`;
    const disabled = await deps.service.autoDisable(execution.scope.orgId, key, reason);
    if (disabled) await deps.notifyDisabled(disabled, reason);
  }

  /** Fans a domain event out to the hooks of enabled installations that subscribed and were granted it. */
  async function fanOut(event: DomainEvent) {
    const installed = await enabledIn(event.orgId);
    const workspaceId = typeof event.payload.workspace_id === 'string' ? event.payload.workspace_id : null;
    for (const installation of installed) {
      // A plugin's own events reach other plugins' hooks, never its own.
      if (event.actor?.id === `plugin:${installation.id}`) continue;
      if (workspaceId && workspaceId !== installation.workspaceId) continue;
      const manifest = manifestOf(installation.package);
      const hook = manifest.hooks.find((pattern) => eventMatches(pattern, event.type));
      const granted = installation.grantedPermissions.some(
        (permission) => permission.startsWith('events:') && eventMatches(permission.slice(7), event.type),
      );
      if (!hook || !granted) continue;
      await kernel.jobs.send(
        HOOK_QUEUE,
        {
          orgId: event.orgId,
          installationId: installation.id,
          hook,
          event: { id: event.id, type: event.type, payload: event.payload, created_at: event.createdAt.toISOString() },
        },
        { singletonKey: `${installation.id}:${event.id}` },
      );
    }
  }

  kernel.jobs.define<{ orgId: string; installationId: string; hook: string; event: { id: string; type: string } }>(HOOK_QUEUE, {
    retryLimit: 2,
    retryDelaySeconds: 5,
    handler: async ({ orgId, installationId, hook, event: body }) => {
      const installation = (await enabledIn(orgId)).find((item) => item.id === installationId);
      if (!installation) return;
      const eventId = body.id;
      const started = performance.now();
      let status: 'succeeded' | 'failed' = 'succeeded';
      let failure: { code: string; message: string } | null = null;
      try {
        await run(installation, 'hook', hook, body, null);
      } catch (error) {
        status = 'failed';
        failure =
          error instanceof CapabilityError ? { code: error.code, message: error.message } : { code: 'hook_error', message: String(error) };
      }
      await onExecution({
        id: `hook:${eventId}`,
        capabilityId: `${installation.pluginId}.hook:${hook}`,
        status,
        output: null,
        error: failure,
        durationMs: Math.round(performance.now() - started),
        logs: [],
        scope: { orgId, workspaceId: installation.workspaceId },
        provider: 'plugin',
        ownerId: installation.id,
        via: 'hook',
        at: kernel.clock(),
      });
      if (failure && failure.code !== 'settings_required') throw new Error(`${installation.pluginId} hook ${hook}: ${failure.message}`);
    },
  });

  return {
    source,
    fanOut,
    onExecution,
    /** A lifecycle change: drop caches and warm sandboxes here and on every other node. */
    changed(orgId: string, installationId: string) {
      forgetLocally(orgId, installationId);
      void sharedCache.publish(FORGET_CHANNEL, `${orgId}:${installationId}`).catch(() => {});
    },
    async start() {
      unsubscribe = await sharedCache.subscribe(FORGET_CHANNEL, (message) => {
        const [orgId, installationId] = message.split(':');
        forgetLocally(orgId, installationId);
      });
    },
    async stop() {
      await unsubscribe?.();
      await sandbox.close();
      await agent.close();
    },
    sandbox,
  };
}

function safeHost(url: string) {
  try {
    return new URL(url).host;
  } catch {
    return 'that URL';
  }
}

export type PluginRuntime = ReturnType<typeof createPluginRuntime>;
