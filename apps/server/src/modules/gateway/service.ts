import { and, asc, desc, eq, gte, lt, sql } from 'drizzle-orm';
import { newId } from '../../kernel/crypto/ids.ts';
import { asSystem, withTenant } from '../../kernel/db/tenant.ts';
import { ConflictError, NotFoundError, pgErrorCode, ValidationError } from '../../kernel/errors.ts';
import type { EventActor } from '../../kernel/events/events.ts';
import { assertOutboundUrl } from '../../kernel/http/outbound.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { ConnectionSettings, ProviderAdapter, ProviderType } from './adapters/types.ts';
import { GatewayError } from './adapters/types.ts';
import type { Price } from './prices.ts';
import { gatewayPolicies, gatewayRequestBodies, gatewayRequests, gatewayRoutes, modelPrices, providerConnections } from './schema.ts';
import { DEFAULT_BASE_URLS, type GatewayStore, type PolicyScope, type RouteTarget } from './store.ts';

export type ConnectionRow = typeof providerConnections.$inferSelect;
export type RouteRow = typeof gatewayRoutes.$inferSelect;
export type PolicyRow = typeof gatewayPolicies.$inferSelect;
export type RequestRow = typeof gatewayRequests.$inferSelect;

export interface ConnectionInput {
  name: string;
  type: ProviderType;
  api_key?: string | null;
  base_url?: string | null;
  workspace_id?: string | null;
  settings?: ConnectionSettings;
  enabled?: boolean;
}

export interface RouteInput {
  model: string;
  strategy: 'fallback' | 'loadbalance';
  targets: Array<{ provider: string; model: string; weight?: number }>;
  retries?: number;
  timeout_ms?: number | null;
}

export interface PolicyInput {
  requests_per_minute?: number | null;
  tokens_per_minute?: number | null;
  requests_per_day?: number | null;
  budget_micros?: number | null;
  budget_period?: 'day' | 'month' | null;
  allowed_models?: string[] | null;
  cache_ttl_seconds?: number | null;
  log_bodies?: boolean | null;
}

export const USAGE_GROUPS = ['day', 'model', 'key', 'workspace', 'provider'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

const NEEDS_BASE_URL: ProviderType[] = ['azure-openai', 'openai-compatible'];

/** Provider connections, routes, policies, prices and the usage and request-log reads behind the API. */
export function createGatewayService(kernel: Kernel, deps: { store: GatewayStore; adapters: Record<ProviderType, ProviderAdapter> }) {
  const { database, events, vault, config } = kernel;
  const { store } = deps;

  async function checkBaseUrl(type: ProviderType, baseUrl: string | null | undefined) {
    if (!baseUrl) {
      if (NEEDS_BASE_URL.includes(type)) throw new ValidationError(`A ${type} connection needs base_url.`, 'base_url', 'required');
      return;
    }
    await assertOutboundUrl(baseUrl, { allowPrivateNetworks: config.allowPrivateNetworks, param: 'base_url' });
  }

  async function connectionByRef(orgId: string, ref: string, param: string) {
    const config = await store.get(orgId);
    const connection = config.connectionsByName.get(ref) ?? config.connectionsById.get(ref);
    if (!connection) throw new ValidationError(`No provider connection named '${ref}'.`, param, 'unknown_provider');
    return connection;
  }

  async function resolveTargets(orgId: string, targets: RouteInput['targets']): Promise<RouteTarget[]> {
    const resolved: RouteTarget[] = [];
    for (const [index, target] of targets.entries()) {
      const connection = await connectionByRef(orgId, target.provider, `targets[${index}].provider`);
      resolved.push({ connection_id: connection.id, model: target.model, weight: target.weight ?? 1 });
    }
    return resolved;
  }

  function uniqueName<T>(work: Promise<T>, message: string, param: string): Promise<T> {
    return work.catch((error) => {
      if (pgErrorCode(error) === '23505') throw new ConflictError(message, 'already_exists', param);
      throw error;
    });
  }

  return {
    // --- Provider connections ---------------------------------------------------------------
    listConnections(orgId: string) {
      return withTenant(database, orgId, (tx) =>
        tx.select().from(providerConnections).where(eq(providerConnections.orgId, orgId)).orderBy(asc(providerConnections.name)),
      );
    },

    async getConnection(orgId: string, id: string) {
      const [row] = await withTenant(database, orgId, (tx) =>
        tx
          .select()
          .from(providerConnections)
          .where(and(eq(providerConnections.orgId, orgId), eq(providerConnections.id, id))),
      );
      if (!row) throw new NotFoundError('Provider connection');
      return row;
    },

    async createConnection(orgId: string, input: ConnectionInput, actor: EventActor) {
      await checkBaseUrl(input.type, input.base_url);
      const apiKey = input.api_key ? await vault.encrypt(orgId, input.api_key) : null;
      const row = await uniqueName(
        withTenant(database, orgId, async (tx) => {
          const [created] = await tx
            .insert(providerConnections)
            .values({
              id: newId('prov'),
              orgId,
              workspaceId: input.workspace_id ?? null,
              name: input.name,
              type: input.type,
              baseUrl: input.base_url ?? null,
              apiKey,
              settings: input.settings ?? {},
              enabled: input.enabled ?? true,
            })
            .returning();
          await events.emit(tx, {
            type: 'provider.created',
            orgId,
            actor,
            payload: { provider_id: created.id, name: created.name, type: created.type, workspace_id: created.workspaceId },
          });
          return created;
        }),
        `A provider connection named '${input.name}' already exists.`,
        'name',
      );
      await store.changed(orgId);
      return row;
    },

    async updateConnection(orgId: string, id: string, patch: Partial<Omit<ConnectionInput, 'type'>>, actor: EventActor) {
      const current = await this.getConnection(orgId, id);
      if (patch.base_url !== undefined) await checkBaseUrl(current.type as ProviderType, patch.base_url);
      const values: Partial<typeof providerConnections.$inferInsert> = { updatedAt: kernel.clock() };
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.base_url !== undefined) values.baseUrl = patch.base_url;
      if (patch.api_key !== undefined) values.apiKey = patch.api_key ? await vault.encrypt(orgId, patch.api_key) : null;
      if (patch.settings !== undefined) values.settings = patch.settings;
      if (patch.enabled !== undefined) values.enabled = patch.enabled;
      if (patch.workspace_id !== undefined) values.workspaceId = patch.workspace_id;
      const row = await uniqueName(
        withTenant(database, orgId, async (tx) => {
          const [updated] = await tx
            .update(providerConnections)
            .set(values)
            .where(and(eq(providerConnections.orgId, orgId), eq(providerConnections.id, id)))
            .returning();
          if (!updated) throw new NotFoundError('Provider connection');
          await events.emit(tx, {
            type: 'provider.updated',
            orgId,
            actor,
            payload: {
              provider_id: id,
              name: updated.name,
              changes: Object.keys(patch).filter((key) => (patch as Record<string, unknown>)[key] !== undefined),
            },
          });
          return updated;
        }),
        `A provider connection named '${patch.name}' already exists.`,
        'name',
      );
      await store.changed(orgId);
      return row;
    },

    async removeConnection(orgId: string, id: string, actor: EventActor) {
      await withTenant(database, orgId, async (tx) => {
        const routes = await tx.select().from(gatewayRoutes).where(eq(gatewayRoutes.orgId, orgId));
        const using = routes.filter((route) => (route.targets as RouteTarget[]).some((target) => target.connection_id === id));
        if (using.length) {
          throw new ConflictError(
            `Routes still use this connection: ${using.map((route) => route.model).join(', ')}. Change them first.`,
            'in_use',
          );
        }
        const [removed] = await tx
          .delete(providerConnections)
          .where(and(eq(providerConnections.orgId, orgId), eq(providerConnections.id, id)))
          .returning();
        if (!removed) throw new NotFoundError('Provider connection');
        await events.emit(tx, { type: 'provider.deleted', orgId, actor, payload: { provider_id: id, name: removed.name } });
      });
      await store.changed(orgId);
    },

    /** Calls the provider (lists its models) with the stored credentials. */
    async testConnection(orgId: string, id: string) {
      await this.getConnection(orgId, id);
      const connection = (await store.get(orgId)).connectionsById.get(id);
      if (!connection) throw new NotFoundError('Provider connection');
      const started = performance.now();
      try {
        const models = await deps.adapters[connection.type].listModels(connection, { signal: AbortSignal.timeout(10_000) });
        return { ok: true, latency_ms: Math.round(performance.now() - started), models: models.slice(0, 200), error: null };
      } catch (error) {
        const message = error instanceof GatewayError ? error.message : 'The provider could not be reached.';
        return { ok: false, latency_ms: Math.round(performance.now() - started), models: [], error: message };
      }
    },

    defaultBaseUrl: (type: ProviderType) => DEFAULT_BASE_URLS[type] ?? null,

    // --- Routes ---------------------------------------------------------------------------
    listRoutes(orgId: string) {
      return withTenant(database, orgId, (tx) =>
        tx.select().from(gatewayRoutes).where(eq(gatewayRoutes.orgId, orgId)).orderBy(asc(gatewayRoutes.model)),
      );
    },

    async getRoute(orgId: string, id: string) {
      const [row] = await withTenant(database, orgId, (tx) =>
        tx
          .select()
          .from(gatewayRoutes)
          .where(and(eq(gatewayRoutes.orgId, orgId), eq(gatewayRoutes.id, id))),
      );
      if (!row) throw new NotFoundError('Route');
      return row;
    },

    async createRoute(orgId: string, input: RouteInput, actor: EventActor) {
      const targets = await resolveTargets(orgId, input.targets);
      const row = await uniqueName(
        withTenant(database, orgId, async (tx) => {
          const [created] = await tx
            .insert(gatewayRoutes)
            .values({
              id: newId('route'),
              orgId,
              model: input.model,
              strategy: input.strategy,
              targets,
              retries: input.retries ?? 0,
              timeoutMs: input.timeout_ms ?? null,
            })
            .returning();
          await events.emit(tx, {
            type: 'gateway_route.created',
            orgId,
            actor,
            payload: { route_id: created.id, model: created.model, strategy: created.strategy },
          });
          return created;
        }),
        `A route for '${input.model}' already exists.`,
        'model',
      );
      await store.changed(orgId);
      return row;
    },

    async updateRoute(orgId: string, id: string, patch: Partial<RouteInput>, actor: EventActor) {
      const values: Partial<typeof gatewayRoutes.$inferInsert> = { updatedAt: kernel.clock() };
      if (patch.model !== undefined) values.model = patch.model;
      if (patch.strategy !== undefined) values.strategy = patch.strategy;
      if (patch.targets !== undefined) values.targets = await resolveTargets(orgId, patch.targets);
      if (patch.retries !== undefined) values.retries = patch.retries;
      if (patch.timeout_ms !== undefined) values.timeoutMs = patch.timeout_ms;
      const row = await uniqueName(
        withTenant(database, orgId, async (tx) => {
          const [updated] = await tx
            .update(gatewayRoutes)
            .set(values)
            .where(and(eq(gatewayRoutes.orgId, orgId), eq(gatewayRoutes.id, id)))
            .returning();
          if (!updated) throw new NotFoundError('Route');
          await events.emit(tx, {
            type: 'gateway_route.updated',
            orgId,
            actor,
            payload: { route_id: id, model: updated.model, strategy: updated.strategy },
          });
          return updated;
        }),
        `A route for '${patch.model}' already exists.`,
        'model',
      );
      await store.changed(orgId);
      return row;
    },

    async removeRoute(orgId: string, id: string, actor: EventActor) {
      await withTenant(database, orgId, async (tx) => {
        const [removed] = await tx
          .delete(gatewayRoutes)
          .where(and(eq(gatewayRoutes.orgId, orgId), eq(gatewayRoutes.id, id)))
          .returning();
        if (!removed) throw new NotFoundError('Route');
        await events.emit(tx, { type: 'gateway_route.deleted', orgId, actor, payload: { route_id: id, model: removed.model } });
      });
      await store.changed(orgId);
    },

    // --- Policies -------------------------------------------------------------------------
    async getPolicy(orgId: string, scope: PolicyScope, scopeId: string): Promise<PolicyRow | undefined> {
      const [row] = await withTenant(database, orgId, (tx) =>
        tx
          .select()
          .from(gatewayPolicies)
          .where(and(eq(gatewayPolicies.orgId, orgId), eq(gatewayPolicies.scope, scope), eq(gatewayPolicies.scopeId, scopeId))),
      );
      return row;
    },

    async putPolicy(orgId: string, scope: PolicyScope, scopeId: string, input: PolicyInput, actor: EventActor) {
      if ((input.budget_micros ?? null) !== null && !input.budget_period) input.budget_period = 'month';
      const values = {
        requestsPerMinute: input.requests_per_minute ?? null,
        tokensPerMinute: input.tokens_per_minute ?? null,
        requestsPerDay: input.requests_per_day ?? null,
        budgetMicros: input.budget_micros ?? null,
        budgetPeriod: input.budget_micros == null ? null : (input.budget_period ?? 'month'),
        allowedModels: input.allowed_models?.length ? input.allowed_models : null,
        cacheTtlSeconds: input.cache_ttl_seconds ?? null,
        logBodies: input.log_bodies ?? null,
        updatedAt: kernel.clock(),
      };
      const row = await withTenant(database, orgId, async (tx) => {
        const [saved] = await tx
          .insert(gatewayPolicies)
          .values({ orgId, scope, scopeId, ...values })
          .onConflictDoUpdate({ target: [gatewayPolicies.orgId, gatewayPolicies.scope, gatewayPolicies.scopeId], set: values })
          .returning();
        await events.emit(tx, { type: 'gateway_policy.updated', orgId, actor, payload: { scope, scope_id: scopeId } });
        return saved;
      });
      await store.changed(orgId);
      return row;
    },

    // --- Prices ---------------------------------------------------------------------------
    /** Every price version visible to the organisation (the platform's and its own), newest first. */
    listPrices(orgId: string, model?: string) {
      return withTenant(database, orgId, (tx) =>
        tx
          .select()
          .from(modelPrices)
          .where(model ? eq(modelPrices.model, model) : undefined)
          .orderBy(asc(modelPrices.model), desc(modelPrices.effectiveFrom)),
      ) as Promise<Price[]>;
    },

    async createPrice(
      orgId: string,
      input: {
        provider: string;
        model: string;
        input_per_m: number;
        output_per_m: number;
        cached_input_per_m?: number | null;
        effective_from?: string;
      },
      actor: EventActor,
    ) {
      const row = await withTenant(database, orgId, async (tx) => {
        const [created] = await tx
          .insert(modelPrices)
          .values({
            id: newId('price'),
            orgId,
            provider: input.provider,
            model: input.model,
            inputPerM: input.input_per_m,
            outputPerM: input.output_per_m,
            cachedInputPerM: input.cached_input_per_m ?? null,
            effectiveFrom: input.effective_from ? new Date(input.effective_from) : kernel.clock(),
          })
          .returning();
        await events.emit(tx, {
          type: 'model_price.created',
          orgId,
          actor,
          payload: { price_id: created.id, provider: created.provider, model: created.model },
        });
        return created;
      });
      await store.pricesChanged();
      return row as Price;
    },

    // --- Usage and request logs -----------------------------------------------------------
    async usage(
      orgId: string,
      query: { group_by: UsageGroup; from?: string; to?: string; workspace_id?: string; api_key_id?: string; model?: string },
    ) {
      const column = {
        day: sql<string>`to_char(date_trunc('day', ${gatewayRequests.createdAt} at time zone 'UTC'), 'YYYY-MM-DD')`,
        model: sql<string>`coalesce(${gatewayRequests.model}, ${gatewayRequests.requestedModel})`,
        key: sql<string>`coalesce(${gatewayRequests.apiKeyId}, 'session')`,
        workspace: sql<string>`coalesce(${gatewayRequests.workspaceId}, '-')`,
        provider: sql<string>`coalesce(${gatewayRequests.provider}, 'cache')`,
      }[query.group_by];
      const filters = [eq(gatewayRequests.orgId, orgId)];
      if (query.from) filters.push(gte(gatewayRequests.createdAt, new Date(query.from)));
      if (query.to) filters.push(lt(gatewayRequests.createdAt, new Date(query.to)));
      if (query.workspace_id) filters.push(eq(gatewayRequests.workspaceId, query.workspace_id));
      if (query.api_key_id) filters.push(eq(gatewayRequests.apiKeyId, query.api_key_id));
      if (query.model) filters.push(eq(gatewayRequests.model, query.model));
      const rows = await withTenant(database, orgId, (tx) =>
        tx
          .select({
            group: column,
            requests: sql<string>`count(*)`,
            errors: sql<string>`count(*) filter (where ${gatewayRequests.status} >= 400)`,
            cache_hits: sql<string>`count(*) filter (where ${gatewayRequests.cache} = 'hit')`,
            input_tokens: sql<string>`coalesce(sum(${gatewayRequests.inputTokens}), 0)`,
            output_tokens: sql<string>`coalesce(sum(${gatewayRequests.outputTokens}), 0)`,
            cached_tokens: sql<string>`coalesce(sum(${gatewayRequests.cachedTokens}), 0)`,
            cost_micros: sql<string>`coalesce(sum(${gatewayRequests.costMicros}), 0)`,
            avg_latency_ms: sql<string>`coalesce(round(avg(${gatewayRequests.latencyMs})), 0)`,
          })
          .from(gatewayRequests)
          .where(and(...filters))
          .groupBy(column)
          .orderBy(column),
      );
      return rows.map((row) => ({
        group: row.group,
        requests: Number(row.requests),
        errors: Number(row.errors),
        cache_hits: Number(row.cache_hits),
        input_tokens: Number(row.input_tokens),
        output_tokens: Number(row.output_tokens),
        cached_tokens: Number(row.cached_tokens),
        cost_micros: Number(row.cost_micros),
        cost: Number(row.cost_micros) / 1_000_000,
        avg_latency_ms: Number(row.avg_latency_ms),
      }));
    },

    async requestLogs(
      orgId: string,
      query: { limit: number; cursor?: string; model?: string; status?: 'success' | 'error'; api_key_id?: string },
    ) {
      const filters = [eq(gatewayRequests.orgId, orgId)];
      if (query.cursor) filters.push(lt(gatewayRequests.id, query.cursor));
      if (query.model) filters.push(sql`(${gatewayRequests.model} = ${query.model} or ${gatewayRequests.requestedModel} = ${query.model})`);
      if (query.status === 'success') filters.push(lt(gatewayRequests.status, 400));
      if (query.status === 'error') filters.push(gte(gatewayRequests.status, 400));
      if (query.api_key_id) filters.push(eq(gatewayRequests.apiKeyId, query.api_key_id));
      const rows = await withTenant(database, orgId, (tx) =>
        tx
          .select()
          .from(gatewayRequests)
          .where(and(...filters))
          .orderBy(desc(gatewayRequests.id))
          .limit(query.limit + 1),
      );
      const page = rows.slice(0, query.limit);
      return { data: page, nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null };
    },

    async requestLog(orgId: string, id: string) {
      return withTenant(database, orgId, async (tx) => {
        const [row] = await tx
          .select()
          .from(gatewayRequests)
          .where(and(eq(gatewayRequests.orgId, orgId), eq(gatewayRequests.id, id)));
        if (!row) throw new NotFoundError('Request log');
        const [sealed] = await tx.select().from(gatewayRequestBodies).where(eq(gatewayRequestBodies.requestId, id));
        return { row, sealed };
      }).then(async ({ row, sealed }) => ({
        row,
        bodies: sealed && {
          request: sealed.request === null ? null : await vault.decrypt(orgId, sealed.request),
          response: sealed.response === null ? null : await vault.decrypt(orgId, sealed.response),
        },
      }));
    },

    /** Removes kept bodies older than the retention (usage rows stay: they are billing records). */
    async pruneBodies(now: Date, retentionDays: number) {
      if (retentionDays <= 0) return 0;
      const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
      // A system job across organisations: it only ever deletes by age.
      const removed = await asSystem(database, (db) =>
        db.delete(gatewayRequestBodies).where(lt(gatewayRequestBodies.createdAt, cutoff)).returning({ id: gatewayRequestBodies.requestId }),
      );
      return removed.length;
    },
  };
}

export type GatewayService = ReturnType<typeof createGatewayService>;
