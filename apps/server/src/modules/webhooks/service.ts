import { and, desc, eq, gte } from 'drizzle-orm';
import { newId } from '../../kernel/crypto/ids.ts';
import { withTenant } from '../../kernel/db/tenant.ts';
import { NotFoundError, ValidationError } from '../../kernel/errors.ts';
import type { DomainEvent } from '../../kernel/events/events.ts';
import { assertOutboundUrl, createOutboundAgent } from '../../kernel/http/outbound.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { webhookAttempts, webhookEndpoints, webhookMessages } from './schema.ts';
import { matchesEventType, newWebhookSecret, RETRY_SCHEDULE_SECONDS, signatureHeaders } from './signing.ts';

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export const DELIVER_QUEUE = 'webhooks.deliver';
const TIMEOUT_MS = 15_000;
const DISABLE_AFTER_MS = 5 * 86_400_000;
const ROTATION_OVERLAP_MS = 86_400_000;

export interface EndpointInput {
  url: string;
  event_types: string[];
  workspace_id?: string;
  description?: string;
  enabled?: boolean;
  filter?: Record<string, string | number | boolean> | null;
  rate_limit?: number | null;
}

/** Whether an event reaches an endpoint: its types, its workspace and its payload filter. */
export function endpointWants(
  endpoint: Pick<EndpointRow, 'eventTypes' | 'workspaceId' | 'filter'>,
  event: Pick<DomainEvent, 'type' | 'payload'>,
): boolean {
  if (!matchesEventType(endpoint.eventTypes, event.type)) return false;
  const workspaceId = event.payload.workspace_id;
  // A workspace's endpoint hears that workspace's events and organization-wide ones.
  if (endpoint.workspaceId && typeof workspaceId === 'string' && workspaceId !== endpoint.workspaceId) return false;
  const filter = (endpoint.filter ?? {}) as Record<string, unknown>;
  return Object.entries(filter).every(([field, value]) => event.payload[field] === value);
}

/** Endpoints, fan-out of domain events to them, and signed delivery with retries. */
export function createWebhooksService(kernel: Kernel) {
  const { database, vault, jobs, config, events } = kernel;
  // Deliveries go through the outbound policy: each connection's address is checked when it is made.
  const outbound = createOutboundAgent({ allowPrivateNetworks: config.allowPrivateNetworks, connections: 32 });

  function checkEventTypes(types: string[]) {
    const known = new Set(events.catalog().map((entry) => entry.type));
    for (const [index, type] of types.entries()) {
      const prefix = type.endsWith('.*') ? type.slice(0, -1) : null;
      const ok = type === '*' || known.has(type) || (prefix !== null && [...known].some((entry) => entry.startsWith(prefix)));
      if (!ok)
        throw new ValidationError(
          `Unknown event type '${type}'. See GET /api/v1/webhooks/event-types.`,
          `event_types[${index}]`,
          'unknown_event_type',
        );
    }
  }

  async function enqueue(orgId: string, endpointId: string, eventType: string, data: Record<string, unknown>, eventId: string | null) {
    const id = newId('msg');
    const body = JSON.stringify({ type: eventType, timestamp: kernel.clock().toISOString(), data });
    await withTenant(database, orgId, async (tx) => {
      await tx.insert(webhookMessages).values({ id, orgId, endpointId, eventId, eventType, body });
      await jobs.send(DELIVER_QUEUE, { orgId, messageId: id }, { tx });
    });
    return id;
  }

  async function deliver({ orgId, messageId }: { orgId: string; messageId: string }) {
    const [row] = await withTenant(database, orgId, (tx) =>
      tx
        .select({ message: webhookMessages, endpoint: webhookEndpoints })
        .from(webhookMessages)
        .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookMessages.endpointId))
        .where(eq(webhookMessages.id, messageId)),
    );
    if (!row || row.message.status !== 'pending') return;
    const { message, endpoint } = row;
    if (endpoint.rateLimit) {
      const limit = await kernel.cache.rateLimit(`webhooks:rate:${endpoint.id}`, endpoint.rateLimit, 1000);
      if (!limit.allowed) {
        // Over the endpoint's rate: try again next second without spending an attempt.
        await jobs.send(DELIVER_QUEUE, { orgId, messageId }, { startAfterSeconds: 1 });
        return;
      }
    }
    const attempt = message.attempts + 1;
    const secrets = [await vault.decrypt(orgId, endpoint.secret)];
    // During a rotation both secrets sign, so receivers can switch at their own pace.
    if (endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > kernel.clock()) {
      secrets.push(await vault.decrypt(orgId, endpoint.previousSecret));
    }
    const headers = signatureHeaders({
      id: message.id,
      timestamp: Math.floor(kernel.clock().getTime() / 1000),
      body: message.body,
      secrets,
    });
    const started = performance.now();
    let statusCode: number | null = null;
    let excerpt: string | null = null;
    let error: string | null = null;
    try {
      await assertOutboundUrl(endpoint.url, { allowPrivateNetworks: config.allowPrivateNetworks });
      const target = new URL(endpoint.url);
      // No redirects are followed: a 3xx is the endpoint's answer.
      const response = await outbound.request({
        origin: target.origin,
        path: target.pathname + target.search,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Atrium-Webhooks/1', ...headers },
        body: message.body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      statusCode = response.statusCode;
      excerpt = (await response.body.text()).slice(0, 1024);
    } catch (caught) {
      error = caught instanceof Error ? caught.message.slice(0, 500) : String(caught);
    }
    const succeeded = statusCode !== null && statusCode >= 200 && statusCode < 300;
    const delay = RETRY_SCHEDULE_SECONDS[attempt];
    const status = succeeded ? 'succeeded' : delay === undefined ? 'failed' : 'pending';
    await withTenant(database, orgId, async (tx) => {
      await tx.insert(webhookAttempts).values({
        id: newId('att'),
        orgId,
        endpointId: endpoint.id,
        messageId,
        attempt,
        statusCode,
        latencyMs: Math.round(performance.now() - started),
        responseExcerpt: excerpt,
        error,
      });
      await tx
        .update(webhookMessages)
        .set({ attempts: attempt, status, nextAttemptAt: status === 'pending' ? new Date(kernel.clock().getTime() + delay * 1000) : null })
        .where(eq(webhookMessages.id, messageId));
      if (status === 'pending') await jobs.send(DELIVER_QUEUE, { orgId, messageId }, { tx, startAfterSeconds: delay });
      const now = kernel.clock();
      if (succeeded) {
        if (endpoint.failingSince)
          await tx.update(webhookEndpoints).set({ failingSince: null }).where(eq(webhookEndpoints.id, endpoint.id));
      } else if (!endpoint.failingSince) {
        await tx.update(webhookEndpoints).set({ failingSince: now }).where(eq(webhookEndpoints.id, endpoint.id));
      } else if (now.getTime() - endpoint.failingSince.getTime() >= DISABLE_AFTER_MS && endpoint.enabled) {
        const reason = `Disabled automatically: every delivery failed for ${DISABLE_AFTER_MS / 86_400_000} days.`;
        await tx
          .update(webhookEndpoints)
          .set({ enabled: false, disabledReason: reason, updatedAt: now })
          .where(eq(webhookEndpoints.id, endpoint.id));
        await events.emit(tx, {
          type: 'webhook.endpoint_disabled',
          orgId,
          payload: { endpoint_id: endpoint.id, url: endpoint.url, reason },
        });
      }
    });
  }

  /** Puts messages back in the queue for another full round of attempts. */
  async function requeue(orgId: string, endpointId: string, messageIds: string[]) {
    await withTenant(database, orgId, async (tx) => {
      for (const messageId of messageIds) {
        await tx
          .update(webhookMessages)
          .set({ status: 'pending', attempts: 0, nextAttemptAt: null })
          .where(and(eq(webhookMessages.id, messageId), eq(webhookMessages.endpointId, endpointId)));
        await jobs.send(DELIVER_QUEUE, { orgId, messageId }, { tx });
      }
    });
  }

  return {
    /** Closes the delivery connections (at shutdown). */
    close: () => outbound.close(),
    deliver,

    /** Fans a domain event out to every enabled endpoint of its organization that subscribes to it. */
    async fanOut(event: DomainEvent) {
      const endpoints = await withTenant(database, event.orgId, (tx) =>
        tx
          .select()
          .from(webhookEndpoints)
          .where(and(eq(webhookEndpoints.orgId, event.orgId), eq(webhookEndpoints.enabled, true))),
      );
      for (const endpoint of endpoints) {
        if (!endpointWants(endpoint, event)) continue;
        const [already] = await withTenant(database, event.orgId, (tx) =>
          tx
            .select({ id: webhookMessages.id })
            .from(webhookMessages)
            .where(and(eq(webhookMessages.endpointId, endpoint.id), eq(webhookMessages.eventId, event.id))),
        );
        if (!already) await enqueue(event.orgId, endpoint.id, event.type, { id: event.id, ...event.payload }, event.id);
      }
    },

    async create(orgId: string, input: EndpointInput) {
      await assertOutboundUrl(input.url, { allowPrivateNetworks: config.allowPrivateNetworks });
      checkEventTypes(input.event_types);
      const secret = newWebhookSecret();
      const sealed = await vault.encrypt(orgId, secret);
      const [row] = await withTenant(database, orgId, (tx) =>
        tx
          .insert(webhookEndpoints)
          .values({
            id: newId('whe'),
            orgId,
            workspaceId: input.workspace_id ?? null,
            url: input.url,
            description: input.description ?? null,
            eventTypes: [...new Set(input.event_types)],
            enabled: input.enabled ?? true,
            filter: input.filter ?? null,
            rateLimit: input.rate_limit ?? null,
            secret: sealed,
          })
          .returning(),
      );
      return { row, secret };
    },

    list(orgId: string) {
      return withTenant(database, orgId, (tx) =>
        tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.orgId, orgId)).orderBy(desc(webhookEndpoints.id)),
      );
    },

    async get(orgId: string, id: string) {
      const [row] = await withTenant(database, orgId, (tx) =>
        tx
          .select()
          .from(webhookEndpoints)
          .where(and(eq(webhookEndpoints.orgId, orgId), eq(webhookEndpoints.id, id))),
      );
      if (!row) throw new NotFoundError('Webhook endpoint');
      return row;
    },

    async update(orgId: string, id: string, patch: Partial<EndpointInput>) {
      if (patch.url) await assertOutboundUrl(patch.url, { allowPrivateNetworks: config.allowPrivateNetworks });
      if (patch.event_types) checkEventTypes(patch.event_types);
      const [row] = await withTenant(database, orgId, (tx) =>
        tx
          .update(webhookEndpoints)
          .set({
            ...(patch.url !== undefined ? { url: patch.url } : {}),
            ...(patch.event_types !== undefined ? { eventTypes: [...new Set(patch.event_types)] } : {}),
            ...(patch.description !== undefined ? { description: patch.description } : {}),
            ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
            ...(patch.filter !== undefined ? { filter: patch.filter } : {}),
            ...(patch.rate_limit !== undefined ? { rateLimit: patch.rate_limit } : {}),
            ...(patch.enabled ? { disabledReason: null, failingSince: null } : {}),
            updatedAt: kernel.clock(),
          })
          .where(and(eq(webhookEndpoints.orgId, orgId), eq(webhookEndpoints.id, id)))
          .returning(),
      );
      if (!row) throw new NotFoundError('Webhook endpoint');
      return row;
    },

    async remove(orgId: string, id: string) {
      const deleted = await withTenant(database, orgId, (tx) =>
        tx
          .delete(webhookEndpoints)
          .where(and(eq(webhookEndpoints.orgId, orgId), eq(webhookEndpoints.id, id)))
          .returning({ id: webhookEndpoints.id }),
      );
      if (!deleted.length) throw new NotFoundError('Webhook endpoint');
    },

    /** Sends a `webhook.test` message to one endpoint now. */
    async sendTest(orgId: string, id: string) {
      const endpoint = await this.get(orgId, id);
      return enqueue(orgId, endpoint.id, 'webhook.test', { endpoint_id: endpoint.id, message: 'This is a test event from Atrium.' }, null);
    },

    /** A new secret; the previous one keeps signing too for 24 hours. */
    async rotateSecret(orgId: string, id: string) {
      const endpoint = await this.get(orgId, id);
      const secret = newWebhookSecret();
      const sealed = await vault.encrypt(orgId, secret);
      const [row] = await withTenant(database, orgId, (tx) =>
        tx
          .update(webhookEndpoints)
          .set({
            secret: sealed,
            previousSecret: endpoint.secret,
            previousSecretExpiresAt: new Date(kernel.clock().getTime() + ROTATION_OVERLAP_MS),
            updatedAt: kernel.clock(),
          })
          .where(eq(webhookEndpoints.id, id))
          .returning(),
      );
      return { row, secret };
    },

    /** Replays one message (any state) to its endpoint. */
    async replayMessage(orgId: string, endpointId: string, messageId: string) {
      await this.get(orgId, endpointId);
      const [message] = await withTenant(database, orgId, (tx) =>
        tx
          .select({ id: webhookMessages.id })
          .from(webhookMessages)
          .where(and(eq(webhookMessages.id, messageId), eq(webhookMessages.endpointId, endpointId))),
      );
      if (!message) throw new NotFoundError('Webhook message');
      await requeue(orgId, endpointId, [messageId]);
    },

    /** Replays every failed message of an endpoint created since `since`. */
    async replayFailed(orgId: string, endpointId: string, since: Date) {
      await this.get(orgId, endpointId);
      const failed = await withTenant(database, orgId, (tx) =>
        tx
          .select({ id: webhookMessages.id })
          .from(webhookMessages)
          .where(
            and(eq(webhookMessages.endpointId, endpointId), eq(webhookMessages.status, 'failed'), gte(webhookMessages.createdAt, since)),
          )
          .limit(10_000),
      );
      await requeue(
        orgId,
        endpointId,
        failed.map((row) => row.id),
      );
      return failed.length;
    },

    async deliveries(orgId: string, endpointId: string) {
      await this.get(orgId, endpointId);
      return withTenant(database, orgId, (tx) =>
        tx
          .select({ attempt: webhookAttempts, eventType: webhookMessages.eventType, messageStatus: webhookMessages.status })
          .from(webhookAttempts)
          .innerJoin(webhookMessages, eq(webhookMessages.id, webhookAttempts.messageId))
          .where(and(eq(webhookAttempts.orgId, orgId), eq(webhookAttempts.endpointId, endpointId)))
          .orderBy(desc(webhookAttempts.id))
          .limit(100),
      );
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
