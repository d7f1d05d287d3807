import { describe, expect, it } from 'vitest';
import { AtriumError, createClient } from './index.ts';

interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A client whose fetch records each call and answers with `respond`'s response. */
function recordingClient(respond: (call: Call) => Response = () => Response.json({})) {
  const calls: Call[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const call: Call = {
      method: init?.method ?? 'GET',
      url: String(input),
      headers,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    return respond(call);
  };
  const client = createClient({ baseUrl: 'http://atrium.test/', token: 'atr_live_test', fetch: fetchImpl });
  return { client, calls };
}

describe('billing, metering and admin groups (no server)', () => {
  it('calls the billing endpoints with the documented methods and bodies', async () => {
    const { client, calls } = recordingClient();
    await client.billing.plans();
    await client.billing.subscription.get();
    await client.billing.subscription.change({ plan: 'team', interval: 'year', seats: 4 }, { idempotencyKey: 'change-1' });
    await client.billing.subscription.cancel({ at_period_end: true });
    await client.billing.invoices.list();
    await client.billing.invoices.upcoming();
    await client.billing.credits.list();
    await client.billing.profile.get();
    await client.billing.profile.put({ legal_name: 'Acme Ltd', tax_id: null });
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      'GET http://atrium.test/api/v1/plans',
      'GET http://atrium.test/api/v1/subscription',
      'POST http://atrium.test/api/v1/subscription/change',
      'POST http://atrium.test/api/v1/subscription/cancel',
      'GET http://atrium.test/api/v1/invoices',
      'GET http://atrium.test/api/v1/invoices/upcoming',
      'GET http://atrium.test/api/v1/credits',
      'GET http://atrium.test/api/v1/billing/profile',
      'PUT http://atrium.test/api/v1/billing/profile',
    ]);
    expect(calls[2]).toMatchObject({ body: { plan: 'team', interval: 'year', seats: 4 }, headers: { 'idempotency-key': 'change-1' } });
    expect(calls[3].body).toEqual({ at_period_end: true });
    expect(calls[8].body).toEqual({ legal_name: 'Acme Ltd', tax_id: null });
    expect(calls[0].headers.authorization).toBe('Bearer atr_live_test');
  });

  it('downloads an invoice PDF as bytes', async () => {
    const pdf = new TextEncoder().encode('%PDF-1.7 test');
    const { client, calls } = recordingClient(() => new Response(pdf, { headers: { 'content-type': 'application/pdf' } }));
    const bytes = await client.billing.invoices.pdf('inv/1');
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(bytes)).toBe('%PDF-1.7 test');
    expect(calls[0]).toMatchObject({ method: 'GET', url: 'http://atrium.test/api/v1/invoices/inv%2F1/pdf' });
    expect(calls[0].headers.accept).toBe('application/pdf');
  });

  it('reads metered usage and quotas, and records events', async () => {
    const { client, calls } = recordingClient(() => Response.json({ data: [], inserted: 0, duplicates: 0 }));
    await client.metering.usage();
    await client.metering.usage({ group_by: 'day', metric: 'tokens', from: '2026-01-01T00:00:00.000Z' });
    await client.metering.quotas();
    await client.metering.record({ metric: 'documents_indexed', quantity: 3, idempotency_key: 'job-1' });
    await client.metering.recordBatch([{ metric: 'emails_sent', quantity: 1, idempotency_key: 'mail-1' }]);
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      'GET http://atrium.test/api/v1/usage',
      'GET http://atrium.test/api/v1/usage?group_by=day&metric=tokens&from=2026-01-01T00%3A00%3A00.000Z',
      'GET http://atrium.test/api/v1/usage/quotas',
      'POST http://atrium.test/api/v1/usage/events',
      'POST http://atrium.test/api/v1/usage/events/batch',
    ]);
    expect(calls[3].body).toEqual({ metric: 'documents_indexed', quantity: 3, idempotency_key: 'job-1' });
    expect(calls[4].body).toEqual({ events: [{ metric: 'emails_sent', quantity: 1, idempotency_key: 'mail-1' }] });
  });

  it('keeps the gateway report under gatewayUsage at its new address (usage stays as an alias)', async () => {
    const { client, calls } = recordingClient(() => new Response('model,requests\n', { headers: { 'content-type': 'text/csv' } }));
    await client.gatewayUsage.get({ group_by: 'model' }).catch(() => undefined);
    expect(await client.gatewayUsage.csv({ group_by: 'model' })).toBe('model,requests\n');
    await client.usage.get().catch(() => undefined);
    expect(calls.map((call) => call.url)).toEqual([
      'http://atrium.test/api/v1/gateway/usage?group_by=model',
      'http://atrium.test/api/v1/gateway/usage?group_by=model&format=csv',
      'http://atrium.test/api/v1/gateway/usage',
    ]);
  });

  it('calls the operator endpoints', async () => {
    const { client, calls } = recordingClient();
    await client.admin.plans.list();
    await client.admin.plans.update('plan_solo', { prices: { month: 3900 }, public: false });
    await client.admin.revenue();
    await client.admin.invoices.markPaid('inv_1');
    await client.admin.credits.grant('org_1', { kind: 'promotional', amount: 5000 });
    await client.admin.invoices.void('inv_2', { reason: 'Billed twice' });
    await client.admin.invoices.markUncollectible('inv_3', { reason: 'Insolvent' });
    await client.admin.plans.assign('org_1', { plan: 'enterprise', seats: 40 });
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      'GET http://atrium.test/api/v1/admin/plans',
      'PUT http://atrium.test/api/v1/admin/plans/plan_solo',
      'GET http://atrium.test/api/v1/admin/revenue',
      'POST http://atrium.test/api/v1/admin/invoices/inv_1/mark-paid',
      'POST http://atrium.test/api/v1/admin/organizations/org_1/credits',
      'POST http://atrium.test/api/v1/admin/invoices/inv_2/void',
      'POST http://atrium.test/api/v1/admin/invoices/inv_3/mark-uncollectible',
      'PUT http://atrium.test/api/v1/admin/organizations/org_1/plan',
    ]);
    expect(calls[1].body).toEqual({ prices: { month: 3900 }, public: false });
    expect(calls[4].body).toEqual({ kind: 'promotional', amount: 5000 });
    expect(calls[5].body).toEqual({ reason: 'Billed twice' });
    expect(calls[7].body).toEqual({ plan: 'enterprise', seats: 40 });
  });

  it('throws a hard quota as an AtriumError with the 402 envelope', async () => {
    const { client } = recordingClient(() =>
      Response.json(
        {
          error: {
            type: 'insufficient_quota',
            code: 'quota_exceeded',
            message: 'The plan’s tokens quota is used up.',
            request_id: 'req_1',
          },
        },
        { status: 402 },
      ),
    );
    const error = await client.metering.record({ metric: 'x', quantity: 1, idempotency_key: 'k' }).catch((caught) => caught);
    expect(error).toBeInstanceOf(AtriumError);
    expect(error).toMatchObject({ status: 402, code: 'quota_exceeded', requestId: 'req_1' });
  });
});
