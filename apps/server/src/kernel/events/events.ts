import { eq, sql } from 'drizzle-orm';
import { newId } from '../crypto/ids.ts';
import type { Database, Tx } from '../db/database.ts';
import { asSystem } from '../db/tenant.ts';
import { currentRequestContext } from '../http/request-context.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { outboxEvents } from '../schema.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { Metrics } from '../telemetry/metrics.ts';

/** Who caused an event: a user, an API key or the system. */
export interface EventActor {
  type: 'user' | 'api_key' | 'system';
  id: string;
}

/** A domain event as stored and delivered. `type` is noun.verb past tense: `api_key.created`. */
export interface DomainEvent<Payload = Record<string, unknown>> {
  id: string;
  type: string;
  orgId: string;
  payload: Payload;
  actor: EventActor | null;
  context: { request_id: string; ip: string; user_agent?: string } | null;
  createdAt: Date;
}

export type Subscriber = (event: DomainEvent) => Promise<void>;

/** One entry of the event catalogue: what an event type means and what its payload holds. */
export interface EventTypeDefinition {
  type: string;
  description: string;
  /** JSON Schema of the payload. */
  schema: Record<string, unknown>;
}

export interface Events {
  /** Adds event types to the catalogue (webhook subscribers and docs list them). */
  declare(...definitions: EventTypeDefinition[]): void;
  catalog(): EventTypeDefinition[];
  /** Writes the event to the outbox inside `tx`; it is delivered only if `tx` commits. */
  emit(tx: Tx, event: { type: string; orgId: string; payload: object; actor?: EventActor | null }): Promise<string>;
  /** Registers an in-process subscriber. `pattern` is a type, `prefix.*` or `*`. At-least-once: be idempotent. */
  subscribe(pattern: string, name: string, subscriber: Subscriber): void;
}

const DISPATCH_QUEUE = 'events.dispatch';

function requestContextJson(): DomainEvent['context'] {
  const context = currentRequestContext();
  return context
    ? { request_id: context.requestId, ip: context.ip, ...(context.userAgent ? { user_agent: context.userAgent } : {}) }
    : null;
}
const SWEEP_QUEUE = 'events.sweep';

/**
 * The transactional outbox. `emit` inserts the event and enqueues its dispatch job in the same
 * transaction; the job runs every matching subscriber and marks the event dispatched. A subscriber
 * that throws fails the job, which retries the whole event later (so subscribers must be
 * idempotent). A sweep re-enqueues anything left undispatched.
 */
export function createEvents(options: { database: Database; jobs: Jobs; log: Logger; metrics?: Metrics }): Events {
  const { database, jobs, log } = options;
  const subscribers: Array<{ pattern: string; name: string; subscriber: Subscriber }> = [];
  const catalog = new Map<string, EventTypeDefinition>();

  function matches(pattern: string, type: string): boolean {
    if (pattern === '*') return true;
    if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
    return pattern === type;
  }

  async function dispatch(eventId: string): Promise<void> {
    // System context: the dispatcher serves every organisation.
    const [row] = await asSystem(database, (db) => db.select().from(outboxEvents).where(eq(outboxEvents.id, eventId)));
    if (!row || row.dispatchedAt) return;
    const event: DomainEvent = {
      id: row.id,
      type: row.type,
      orgId: row.orgId,
      payload: row.payload as Record<string, unknown>,
      actor: row.actor as EventActor | null,
      context: row.context as DomainEvent['context'],
      createdAt: row.createdAt,
    };
    for (const { pattern, name, subscriber } of subscribers) {
      if (!matches(pattern, event.type)) continue;
      try {
        await subscriber(event);
      } catch (error) {
        log.warn({ err: error, subscriber: name, eventId, type: event.type }, 'event subscriber failed');
        await asSystem(database, (db) =>
          db
            .update(outboxEvents)
            .set({ attempts: sql`${outboxEvents.attempts} + 1` })
            .where(eq(outboxEvents.id, eventId)),
        );
        throw error;
      }
    }
    await asSystem(database, (db) => db.update(outboxEvents).set({ dispatchedAt: new Date() }).where(eq(outboxEvents.id, eventId)));
    options.metrics?.eventsDispatched.inc({ type: event.type });
  }

  jobs.define<{ eventId: string }>(DISPATCH_QUEUE, { handler: ({ eventId }) => dispatch(eventId), retryLimit: 8 });
  jobs.define(SWEEP_QUEUE, {
    retryLimit: 0,
    handler: async () => {
      const stale = await asSystem(database, (db) =>
        db
          .select({ id: outboxEvents.id })
          .from(outboxEvents)
          .where(sql`${outboxEvents.dispatchedAt} is null and ${outboxEvents.createdAt} < now() - interval '5 minutes'`)
          .limit(500),
      );
      for (const { id } of stale) await jobs.send(DISPATCH_QUEUE, { eventId: id }, { singletonKey: id });
    },
  });
  jobs.schedule(SWEEP_QUEUE, '*/10 * * * *');

  return {
    declare(...definitions) {
      for (const definition of definitions) catalog.set(definition.type, definition);
    },
    catalog() {
      return [...catalog.values()].sort((a, b) => a.type.localeCompare(b.type));
    },
    async emit(tx, event) {
      const id = newId('evt');
      await tx.insert(outboxEvents).values({
        id,
        orgId: event.orgId,
        type: event.type,
        payload: event.payload,
        actor: event.actor ?? null,
        context: requestContextJson(),
      });
      await jobs.send(DISPATCH_QUEUE, { eventId: id }, { tx });
      return id;
    },
    subscribe(pattern, name, subscriber) {
      subscribers.push({ pattern, name, subscriber });
    },
  };
}
