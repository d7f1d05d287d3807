import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../app.ts';
import { eventually, testClient } from '../../testing/client.ts';
import { createTestAtrium } from '../../testing/harness.ts';
import { asSystem, withTenant } from '../db/tenant.ts';
import { outboxEvents } from '../schema.ts';
import type { DomainEvent } from './events.ts';

let atrium: Atrium;
let client: ReturnType<typeof testClient>;
/** Every delivery to the `workspace.*` subscriber, duplicates included. */
const workspaceDeliveries: DomainEvent[] = [];
/** Every delivery to the `*` subscriber, registered after it. */
const allDeliveries: DomainEvent[] = [];

beforeAll(async () => {
  atrium = await createTestAtrium();
  client = testClient(atrium);
  // Subscribers are read at dispatch time, so registering after start works.
  atrium.kernel.events.subscribe('workspace.*', 'test.workspace-recorder', async (event) => {
    workspaceDeliveries.push(event);
  });
  atrium.kernel.events.subscribe('*', 'test.everything-recorder', async (event) => {
    allDeliveries.push(event);
  });
});
afterAll(() => atrium?.close());

const outboxRow = async (eventId: string) =>
  (await asSystem(atrium.kernel.database, (db) => db.select().from(outboxEvents).where(eq(outboxEvents.id, eventId))))[0];

describe('domain events', () => {
  it('delivers workspace.created to a workspace.* subscriber with the organization, actor and payload', async () => {
    const owner = await client.signup();
    const created = await client.request('POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'Research' } });
    expect(created.status).toBe(201);

    const event = await eventually(async () => workspaceDeliveries.find((candidate) => candidate.payload.workspace_id === created.body.id));
    expect(event).toMatchObject({
      type: 'workspace.created',
      orgId: owner.organization.id,
      payload: { workspace_id: created.body.id, name: 'Research' },
      actor: { type: 'user', id: owner.user.id },
    });
    expect(event.id).toMatch(/^evt_/);
    expect(event.createdAt).toBeInstanceOf(Date);
    await eventually(async () => (await outboxRow(event.id))?.dispatchedAt);
  });

  it('delivers to a subscriber only the types its pattern matches', async () => {
    const owner = await client.signup();
    const orgId = owner.organization.id;
    // Sign-up emits organization.created and workspace.created; the `*` subscriber, registered
    // after the `workspace.*` one, has seen both once both dispatches are done.
    await eventually(async () => {
      const types = allDeliveries.filter((event) => event.orgId === orgId).map((event) => event.type);
      return types.includes('organization.created') && types.includes('workspace.created');
    });
    expect(workspaceDeliveries.filter((event) => event.orgId === orgId).map((event) => event.type)).toEqual(['workspace.created']);
  });

  it('delivers again, at least once, after a subscriber fails', { timeout: 20_000 }, async () => {
    const owner = await client.signup();
    const attempts: string[] = [];
    atrium.kernel.events.subscribe('workspace.created', 'test.fails-once', async (event) => {
      if (event.payload.name !== 'Flaky subscriber') return;
      attempts.push(event.id);
      if (attempts.length === 1) throw new Error('temporary failure');
    });
    const created = await client.request('POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'Flaky subscriber' } });
    expect(created.status).toBe(201);

    await eventually(async () => attempts.length >= 2, 15_000);
    expect(new Set(attempts).size).toBe(1);
    const row = await eventually(async () => {
      const current = await outboxRow(attempts[0]);
      return current?.dispatchedAt ? current : undefined;
    });
    expect(row.attempts).toBe(1);
    // The retry runs the whole event again, so the subscriber that had succeeded sees it twice.
    expect(workspaceDeliveries.filter((event) => event.id === attempts[0])).toHaveLength(2);
  });

  it('never delivers an event emitted in a transaction that rolls back', async () => {
    const owner = await client.signup();
    const orgId = owner.organization.id;
    const startedAt = Date.now();
    let rolledBackId: string | undefined;
    await expect(
      withTenant(atrium.kernel.database, orgId, async (tx) => {
        rolledBackId = await atrium.kernel.events.emit(tx, {
          type: 'workspace.created',
          orgId,
          payload: { workspace_id: 'ws_rolled_back', name: 'Never committed' },
        });
        throw new Error('rollback');
      }),
    ).rejects.toThrow();
    expect(rolledBackId).toMatch(/^evt_/);

    // A committed event emitted afterwards is delivered…
    const committedId = await withTenant(atrium.kernel.database, orgId, (tx) =>
      atrium.kernel.events.emit(tx, { type: 'workspace.created', orgId, payload: { workspace_id: 'ws_committed', name: 'Committed' } }),
    );
    await eventually(async () => workspaceDeliveries.some((event) => event.id === committedId));
    // …while the rolled-back one never is, nor left in the outbox for the sweep.
    await sleep(Math.max(0, 1_500 - (Date.now() - startedAt)));
    expect(allDeliveries.some((event) => event.id === rolledBackId)).toBe(false);
    expect(workspaceDeliveries.some((event) => event.payload.workspace_id === 'ws_rolled_back')).toBe(false);
    expect(await outboxRow(rolledBackId as string)).toBeUndefined();
  });
});
