import { eq } from 'drizzle-orm';
import { asSystem, withTenant } from '../../kernel/db/tenant.ts';
import { createOutboundAgent } from '../../kernel/http/outbound.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Connection, ConnectionSettings, ProviderType } from './adapters/types.ts';
import { type Price, PriceTable } from './prices.ts';
import { gatewayPolicies, gatewayRoutes, modelPrices, providerConnections } from './schema.ts';

export const DEFAULT_BASE_URLS: Partial<Record<ProviderType, string>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com/v1',
  gemini: 'https://generativelanguage.googleapis.com/v1beta',
};

export interface ConnectionEntry extends Connection {
  workspaceId: string | null;
  enabled: boolean;
  /** Offered by the operator (ATRIUM_SHARED_PROVIDERS_FILE): usable, not editable, key never shown. */
  shared: boolean;
}

/** The id a shared connection goes by in routes and usage. */
export const sharedConnectionId = (name: string) => `shared_${name}`;

export interface RouteTarget {
  connection_id: string;
  model: string;
  weight: number;
}

export interface RouteEntry {
  id: string;
  model: string;
  strategy: 'fallback' | 'loadbalance';
  targets: RouteTarget[];
  retries: number;
  timeoutMs: number | null;
}

export type PolicyScope = 'organization' | 'workspace' | 'api_key';

export interface Policy {
  /** `plan`: the limits of the organisation's billing plan, applied beside its own policies. */
  scope: PolicyScope | 'plan';
  scopeId: string;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  requestsPerDay: number | null;
  budgetMicros: number | null;
  budgetPeriod: 'day' | 'month' | null;
  allowedModels: string[] | null;
  cacheTtlSeconds: number | null;
  logBodies: boolean | null;
}

/** Everything the hot path needs about one organisation, held in memory. */
export interface OrgGatewayConfig {
  orgId: string;
  connectionsById: Map<string, ConnectionEntry>;
  connectionsByName: Map<string, ConnectionEntry>;
  routes: Map<string, RouteEntry>;
  policies: Map<string, Policy>;
}

export const policyKey = (scope: PolicyScope, scopeId: string) => `${scope}:${scopeId}`;

const CHANGED_CHANNEL = 'gateway:changed';
const PRICES_CHANNEL = 'gateway:prices';
const REFRESH_AFTER_MS = 60_000;

/**
 * The gateway's view of each organisation's connections (secrets opened), routes and policies,
 * and the price table, kept in memory. A change publishes the organisation's id and every node
 * drops its copy; entries also refresh in the background after a minute. The database is read
 * only on a cold organisation, never per request.
 */
export function createGatewayStore(kernel: Kernel) {
  const { database, vault, cache, log } = kernel;
  const entries = new Map<string, { loadedAt: number; value: Promise<OrgGatewayConfig> }>();
  const prices = new PriceTable();
  // Tenants' providers go through the outbound policy; the operator's shared connections do not.
  const tenantAgent = createOutboundAgent({ allowPrivateNetworks: kernel.config.allowPrivateNetworks });
  const operatorAgent = kernel.config.allowPrivateNetworks ? tenantAgent : createOutboundAgent({ allowPrivateNetworks: true });
  let unsubscribe: Array<() => Promise<void>> = [];

  async function load(orgId: string): Promise<OrgGatewayConfig> {
    const { connections, routes, policies } = await withTenant(database, orgId, async (tx) => ({
      connections: await tx.select().from(providerConnections).where(eq(providerConnections.orgId, orgId)),
      routes: await tx.select().from(gatewayRoutes).where(eq(gatewayRoutes.orgId, orgId)),
      policies: await tx.select().from(gatewayPolicies).where(eq(gatewayPolicies.orgId, orgId)),
    }));
    const config: OrgGatewayConfig = {
      orgId,
      connectionsById: new Map(),
      connectionsByName: new Map(),
      routes: new Map(),
      policies: new Map(),
    };
    for (const row of connections) {
      const entry: ConnectionEntry = {
        id: row.id,
        name: row.name,
        type: row.type as ProviderType,
        baseUrl: (row.baseUrl ?? DEFAULT_BASE_URLS[row.type as ProviderType] ?? '').replace(/\/+$/, ''),
        apiKey: row.apiKey ? await vault.decrypt(orgId, row.apiKey) : undefined,
        settings: row.settings as ConnectionSettings,
        workspaceId: row.workspaceId,
        enabled: row.enabled,
        shared: false,
        dispatcher: tenantAgent,
      };
      config.connectionsById.set(entry.id, entry);
      config.connectionsByName.set(entry.name, entry);
    }
    // The operator's shared connections, unless the organisation has its own by that name.
    for (const shared of kernel.config.sharedProviders) {
      if (shared.organizations !== '*' && !shared.organizations.includes(orgId)) continue;
      if (config.connectionsByName.has(shared.name)) continue;
      const entry: ConnectionEntry = {
        id: sharedConnectionId(shared.name),
        name: shared.name,
        type: shared.type,
        baseUrl: (shared.baseUrl ?? DEFAULT_BASE_URLS[shared.type] ?? '').replace(/\/+$/, ''),
        apiKey: shared.apiKey,
        settings: { api_version: shared.apiVersion, headers: shared.headers, models: shared.models },
        workspaceId: null,
        enabled: true,
        shared: true,
        dispatcher: operatorAgent,
      };
      config.connectionsById.set(entry.id, entry);
      config.connectionsByName.set(entry.name, entry);
    }
    for (const row of routes) {
      config.routes.set(row.model, {
        id: row.id,
        model: row.model,
        strategy: row.strategy as RouteEntry['strategy'],
        targets: row.targets as RouteTarget[],
        retries: row.retries,
        timeoutMs: row.timeoutMs,
      });
    }
    for (const row of policies) {
      const policy = { ...row, budgetPeriod: row.budgetPeriod as Policy['budgetPeriod'], scope: row.scope as PolicyScope };
      config.policies.set(policyKey(policy.scope, policy.scopeId), policy);
    }
    return config;
  }

  async function loadPrices() {
    // The price table spans organisations (the platform's rows and every override): a system read.
    const rows = await asSystem(database, (db) => db.select().from(modelPrices));
    prices.replace(rows as Price[]);
  }

  return {
    prices,

    /** The organisation's gateway configuration; loads it on first use. */
    get(orgId: string): Promise<OrgGatewayConfig> {
      const now = Date.now();
      const entry = entries.get(orgId);
      if (entry) {
        if (now - entry.loadedAt > REFRESH_AFTER_MS) {
          // Serve the copy we have; swap in a fresh one when it is ready.
          entry.loadedAt = now;
          load(orgId).then(
            (fresh) => entries.set(orgId, { loadedAt: Date.now(), value: Promise.resolve(fresh) }),
            (error) => log.warn({ err: error, orgId }, 'could not refresh gateway configuration'),
          );
        }
        return entry.value;
      }
      const value = load(orgId);
      entries.set(orgId, { loadedAt: now, value });
      value.catch(() => entries.delete(orgId));
      return value;
    },

    /** Tells every node that the organisation's configuration changed. */
    async changed(orgId: string) {
      entries.delete(orgId);
      await cache.publish(CHANGED_CHANNEL, orgId);
    },

    async pricesChanged() {
      await loadPrices();
      await cache.publish(PRICES_CHANNEL, '');
    },

    async start() {
      await loadPrices();
      unsubscribe = await Promise.all([
        cache.subscribe(CHANGED_CHANNEL, (orgId) => entries.delete(orgId)),
        cache.subscribe(PRICES_CHANNEL, () => {
          loadPrices().catch((error) => log.warn({ err: error }, 'could not reload prices'));
        }),
      ]);
    },

    async stop() {
      await Promise.all(unsubscribe.map((stop) => stop()));
      unsubscribe = [];
      await Promise.all([tenantAgent.close(), operatorAgent === tenantAgent ? undefined : operatorAgent.close()]);
    },
  };
}

export type GatewayStore = ReturnType<typeof createGatewayStore>;
