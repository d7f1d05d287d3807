import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../app.ts';
import { testClient } from '../../testing/client.ts';
import { createTestAtrium } from '../../testing/harness.ts';
import { createMeteringService } from './service.ts';

let atrium: Atrium;
let client: ReturnType<typeof testClient>;
beforeAll(async () => {
  atrium = await createTestAtrium();
  client = testClient(atrium);
});
afterAll(() => atrium?.close());

const usageOf = async (token: string, metric: string) => {
  const response = await client.request('GET', `/api/v1/usage?group_by=metric&metric=${metric}`, { token });
  return (response.body.data[0]?.quantity as number | undefined) ?? 0;
};

describe('metering: usage events', () => {
  it('records a custom metric once per idempotency key, however often and however concurrently it is posted', async () => {
    const owner = await client.signup();
    const key = await client.createKey(owner.token, owner.workspace.id);
    const event = { metric: 'documents.scanned', quantity: 3, idempotency_key: 'scan-1', dimensions: { source: 'inbox' } };
    const first = await client.request('POST', '/api/v1/usage/events', { token: key.key, body: event });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ metric: 'documents.scanned', quantity: 3, duplicate: false, workspace_id: owner.workspace.id });
    const replay = await client.request('POST', '/api/v1/usage/events', { token: key.key, body: event });
    expect(replay.status).toBe(200);
    expect(replay.body.duplicate).toBe(true);
    const racing = await Promise.all(
      Array.from({ length: 20 }, () =>
        client.request('POST', '/api/v1/usage/events', { token: owner.token, body: { ...event, idempotency_key: 'scan-2' } }),
      ),
    );
    expect(racing.filter((response) => response.status === 201)).toHaveLength(1);
    expect(await usageOf(owner.token, 'documents.scanned')).toBe(6);
  });

  it('counts an event once when two servers ingest it at the same moment', async () => {
    const owner = await client.signup();
    const orgId = owner.organization.id;
    // Two independent ingest paths on the same database, as two nodes would have.
    const nodes = [createMeteringService(atrium.kernel, { onThreshold() {} }), createMeteringService(atrium.kernel, { onThreshold() {} })];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 40 }), async (keys) => {
        const before = await usageOf(owner.token, 'pages');
        const at = new Date();
        const events = keys.map((key) => ({
          orgId,
          metric: 'pages',
          quantity: 1,
          idempotencyKey: `page-${key}-${at.getTime()}`,
          at,
          source: 'system' as const,
        }));
        const results = await Promise.all([nodes[0].record(events), nodes[1].record([...events].reverse())]);
        const inserted = results.flat().filter((event) => event.inserted).length;
        const distinct = new Set(keys).size;
        expect(inserted).toBe(distinct);
        expect((await usageOf(owner.token, 'pages')) - before).toBe(distinct);
      }),
      { numRuns: 15 },
    );
  });

  it('refuses Atrium’s own metrics, bad names and stale timestamps, naming the field', async () => {
    const owner = await client.signup();
    const cases: Array<[object, string]> = [
      [{ metric: 'tokens', quantity: 1, idempotency_key: 'a' }, 'metric'],
      [{ metric: 'Bad Name', quantity: 1, idempotency_key: 'a' }, 'metric'],
      [{ metric: 'ok', quantity: -1, idempotency_key: 'a' }, 'quantity'],
      [{ metric: 'ok', quantity: 1, idempotency_key: 'a', timestamp: '2020-01-01T00:00:00Z' }, 'timestamp'],
    ];
    for (const [body, param] of cases) {
      const response = await client.request('POST', '/api/v1/usage/events', { token: owner.token, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.param).toBe(param);
    }
    const batch = await client.request('POST', '/api/v1/usage/events/batch', {
      token: owner.token,
      body: {
        events: [
          { metric: 'ok', quantity: 1, idempotency_key: 'b1' },
          { metric: 'seats', quantity: 1, idempotency_key: 'b2' },
        ],
      },
    });
    expect(batch.body.error.param).toBe('events[1].metric');
    expect(await usageOf(owner.token, 'ok')).toBe(0);
  });
});

describe('metering: quotas', () => {
  it('answers 402 quota_exceeded at a hard limit, with used, limit and upgrade_url, and raises 80% and 100% notices', async () => {
    const owner = await client.signup();
    const orgId = owner.organization.id;
    const key = await client.createKey(owner.token, owner.workspace.id);
    const metering = atrium.modules.metering.service;
    // The Spark trial includes 1,000,000 tokens, a hard limit.
    await metering.record([{ orgId, metric: 'tokens', quantity: 850_000, idempotencyKey: 'load-1', at: new Date(), source: 'system' }]);
    expect(await metering.check(orgId, 'tokens', 1)).toMatchObject({ allowed: true, used: 850_000, limit: 1_000_000, hard: true });
    await metering.record([{ orgId, metric: 'tokens', quantity: 150_000, idempotencyKey: 'load-2', at: new Date(), source: 'system' }]);
    const call = await client.request('POST', '/v1/chat/completions', {
      token: key.key,
      body: { model: 'any/model', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(call.status).toBe(402);
    expect(call.body).toMatchObject({
      code: 'quota_exceeded',
      used: 1_000_000,
      limit: 1_000_000,
      error: { code: 'quota_exceeded', metric: 'tokens' },
    });
    expect(call.body.upgrade_url).toMatch(/\/billing$/);
    const quotas = await client.request('GET', '/api/v1/usage/quotas', { token: owner.token });
    expect(quotas.body.data.find((quota: { metric: string }) => quota.metric === 'tokens')).toMatchObject({
      used: 1_000_000,
      percent: 100,
      hard: true,
    });
    // Both thresholds were crossed and each is announced once.
    await expect
      .poll(async () => {
        const audit = await client.request('GET', '/api/v1/audit-logs?action=usage.threshold_reached', { token: owner.token });
        return audit.body.data.length;
      })
      .toBe(2);
  });

  it('reconciles a drifted counter from the events', async () => {
    const owner = await client.signup();
    const orgId = owner.organization.id;
    const metering = atrium.modules.metering.service;
    await metering.record([{ orgId, metric: 'requests', quantity: 10, idempotencyKey: 'r1', at: new Date(), source: 'system' }]);
    const quota = await metering.entitlements.quota(orgId, 'requests');
    await atrium.kernel.cache.set(`meter:${orgId}:requests:${quota.periodStart.getTime()}`, '999');
    expect((await metering.check(orgId, 'requests', 0)).used).toBe(999);
    await metering.reconcileRecent(new Date(Date.now() - 60_000));
    expect((await metering.check(orgId, 'requests', 0)).used).toBe(10);
  });
});
