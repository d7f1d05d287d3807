import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Atrium } from '../../app.ts';
import { testClient } from '../../testing/client.ts';
import { createTestAtrium } from '../../testing/harness.ts';

const DAY = 86_400_000;
// The clock starts at the real time (organisations are stamped by the database) and is moved by hand.
let now = new Date();
let atrium: Atrium;
let client: ReturnType<typeof testClient>;
beforeAll(async () => {
  atrium = await createTestAtrium({ clock: () => now, env: { ATRIUM_OPERATOR_EMAILS: 'ops@atrium.test' } });
  client = testClient(atrium);
});
afterAll(() => atrium?.close());

const advance = async (days: number) => {
  now = new Date(now.getTime() + days * DAY);
  await atrium.modules.billing.service.subscriptions.advance(now);
};

describe('billing: plans, trial and subscription changes', () => {
  it('starts every new organization on the Spark trial and lists the plans', async () => {
    const owner = await client.signup();
    const subscription = await client.request('GET', '/api/v1/subscription', { token: owner.token });
    expect(subscription.status).toBe(200);
    expect(subscription.body).toMatchObject({ status: 'trialing', plan: { slug: 'spark' }, days_left_in_trial: 30, restricted: false });
    const plans = await client.request('GET', '/api/v1/plans', { token: owner.token });
    expect(plans.body.data.map((plan: { slug: string }) => plan.slug)).toEqual(['spark', 'solo', 'team', 'enterprise']);
    const team = plans.body.data.find((plan: { slug: string }) => plan.slug === 'team');
    expect(team).toMatchObject({ prices: { month: 9900, year: 99000 }, seat_amount: 1900, min_seats: 2, max_seats: 7 });
    expect(team.quotas.tokens).toEqual({ included: 20_000_000, overage: { unit_amount: 150, unit_size: 1_000_000 } });
  });

  it('upgrades with an invoice billed from today, numbered without gaps, as a PDF; billing sees it, a member does not', async () => {
    const owner = await client.signup();
    const change = await client.request('POST', '/api/v1/subscription/change', { token: owner.token, body: { plan: 'team', seats: 3 } });
    expect(change.status).toBe(200);
    expect(change.body.subscription).toMatchObject({
      status: 'active',
      plan: { slug: 'team' },
      seats: 3,
      interval: 'month',
      trial_end: null,
    });
    const invoice = change.body.invoice;
    expect(invoice.lines.map((line: { amount: number }) => line.amount)).toEqual([9900, 1900]);
    expect(invoice).toMatchObject({ status: 'open', subtotal: 11_800, total: 11_800, credits: 0, tax: 0 });
    expect(invoice.number).toMatch(/^ATR-\d{6}$/);

    const second = await client.request('POST', '/api/v1/subscription/change', { token: owner.token, body: { plan: 'team', seats: 4 } });
    const numbers = [invoice.number, second.body.invoice.number].map((number: string) => Number(number.slice(4)));
    expect(numbers[1]).toBe(numbers[0] + 1);

    const pdf = await atrium.http.inject({
      method: 'GET',
      url: `/api/v1/invoices/${invoice.id}/pdf`,
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    const billing = await client.addMember(owner.token, 'billing');
    const member = await client.addMember(owner.token, 'member');
    expect((await client.request('GET', '/api/v1/invoices', { token: billing.token })).body.data).toHaveLength(2);
    expect((await client.request('GET', '/api/v1/invoices', { token: member.token })).status).toBe(403);
  });

  it('prorates a mid-period upgrade: unused time credited, the rest of the period charged at the new price', async () => {
    const owner = await client.signup();
    await client.request('POST', '/api/v1/subscription/change', { token: owner.token, body: { plan: 'solo' } });
    const subscription = (await client.request('GET', '/api/v1/subscription', { token: owner.token })).body;
    const length = Date.parse(subscription.current_period_end) - Date.parse(subscription.current_period_start);
    now = new Date(Date.parse(subscription.current_period_start) + length / 2);
    const change = await client.request('POST', '/api/v1/subscription/change', { token: owner.token, body: { plan: 'team', seats: 2 } });
    expect(change.body.invoice.lines.map((line: { amount: number; kind: string }) => [line.kind, line.amount])).toEqual([
      ['proration', -1450],
      ['proration', 4950],
    ]);
    expect(change.body.invoice.total).toBe(3500);
    // A downgrade at the same moment credits more than it charges: the difference becomes a refund credit.
    const down = await client.request('POST', '/api/v1/subscription/change', { token: owner.token, body: { plan: 'solo' } });
    expect(down.body.invoice.total).toBe(0);
    const credits = await client.request('GET', '/api/v1/credits', { token: owner.token });
    expect(credits.body.data[0]).toMatchObject({ kind: 'refund', amount: 3500, remaining: 3500 });
    expect(credits.body.balance).toBe(3500);
    // The credit pays the next invoice first.
    const upcoming = await client.request('GET', '/api/v1/invoices/upcoming', { token: owner.token });
    expect(upcoming.body).toMatchObject({ subtotal: 2900, credits: 2900, total: 0, currency: 'USD' });
  });

  it('refuses bad changes naming the field', async () => {
    const owner = await client.signup();
    const tooMany = await client.request('POST', '/api/v1/subscription/change', { token: owner.token, body: { plan: 'team', seats: 8 } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatchObject({ code: 'seats_out_of_range', param: 'seats' });
    const unknown = await client.request('POST', '/api/v1/subscription/change', { token: owner.token, body: { plan: 'platinum' } });
    expect(unknown.status).toBe(404);
    const trial = await client.request('POST', '/api/v1/subscription/change', { token: owner.token, body: { plan: 'spark' } });
    expect(trial.body.error).toMatchObject({ code: 'trial_unavailable', param: 'plan' });
  });
});

describe('billing: lifecycles on the clock', () => {
  beforeEach(() => {
    now = new Date();
  });

  it('walks a trial through its notices and end into a read-only archive, then back to full access with a plan', async () => {
    const owner = await client.signup();
    expect((await client.request('GET', '/api/v1/subscription', { token: owner.token })).body.status).toBe('trialing');
    await advance(23.01);
    let row = await atrium.modules.billing.service.subscriptions.get(owner.organization.id);
    expect(row.notices).toEqual(['trial_7d']);
    await advance(4);
    row = await atrium.modules.billing.service.subscriptions.get(owner.organization.id);
    expect(row.notices).toEqual(['trial_7d', 'trial_3d']);
    const subscription = (await client.request('GET', '/api/v1/subscription', { token: owner.token })).body;
    expect(subscription).toMatchObject({ status: 'trialing', days_left_in_trial: 3 });
    await advance(3.1);
    const ended = (await client.request('GET', '/api/v1/subscription', { token: owner.token })).body;
    expect(ended).toMatchObject({ status: 'expired', restricted: true, restricted_reason: 'trial_ended' });
    const write = await client.request('POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'After the trial' } });
    expect(write.status).toBe(402);
    expect(write.body).toMatchObject({ code: 'organization_restricted', error: { code: 'organization_restricted' } });
    expect((await client.request('GET', '/api/v1/workspaces', { token: owner.token })).status).toBe(200);

    const upgrade = await client.request('POST', '/api/v1/subscription/change', { token: owner.token, body: { plan: 'solo' } });
    expect(upgrade.body.subscription).toMatchObject({ status: 'active', restricted: false });
    expect((await client.request('POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'Back' } })).status).toBe(201);
  });

  it('renews a paid period: the next period in advance and usage beyond the plan in arrears', async () => {
    const owner = await client.signup();
    await client.request('POST', '/api/v1/subscription/change', { token: owner.token, body: { plan: 'solo' } });
    const orgId = owner.organization.id;
    await atrium.modules.metering.service.record([
      { orgId, metric: 'tokens', quantity: 6_500_000, idempotencyKey: 'bulk-tokens', at: new Date(now.getTime() + 1000), source: 'system' },
    ]);
    await advance(31);
    const invoices = (await client.request('GET', '/api/v1/invoices', { token: owner.token })).body.data;
    expect(invoices).toHaveLength(2);
    const renewal = invoices[0];
    expect(
      renewal.lines.map((line: { kind: string; amount: number; metric: string | null }) => [line.kind, line.metric, line.amount]),
    ).toEqual([
      ['base', null, 2900],
      ['overage', 'tokens', 300],
    ]);
    expect(renewal.total).toBe(3200);
    // Advancing again in the same period issues nothing more.
    await advance(0);
    expect((await client.request('GET', '/api/v1/invoices', { token: owner.token })).body.data).toHaveLength(2);
  });

  it('gives a yearly plan its included usage every month, and bills each month’s overage on its own', async () => {
    const owner = await client.signup();
    await client.request('POST', '/api/v1/subscription/change', { token: owner.token, body: { plan: 'solo', interval: 'year' } });
    const orgId = owner.organization.id;
    const start = new Date((await client.request('GET', '/api/v1/subscription', { token: owner.token })).body.current_period_start);
    const record = (quantity: number, key: string, at: Date) =>
      atrium.modules.metering.service.record([{ orgId, metric: 'tokens', quantity, idempotencyKey: key, at, source: 'system' }]);
    // Month one goes 1.5M tokens over the 5M included; month two stays within its own 5M.
    await record(6_500_000, 'month-1', new Date(start.getTime() + DAY));
    await advance(35);
    const quotas = (await client.request('GET', '/api/v1/usage/quotas', { token: owner.token })).body.data;
    const tokens = quotas.find((quota: { metric: string }) => quota.metric === 'tokens');
    // The second month's quota: a full 5M again, none of month one's usage, ending within a month.
    expect(tokens).toMatchObject({ limit: 5_000_000, used: 0 });
    expect(new Date(tokens.period_end).getTime() - now.getTime()).toBeLessThanOrEqual(31 * DAY);
    await record(4_000_000, 'month-2', new Date(start.getTime() + 40 * DAY));
    await advance(331);
    const renewal = (await client.request('GET', '/api/v1/invoices', { token: owner.token })).body.data[0];
    const overage = renewal.lines.filter((line: { kind: string }) => line.kind === 'overage');
    expect(overage.map((line: { metric: string; quantity: number; amount: number }) => [line.metric, line.quantity, line.amount])).toEqual([
      ['tokens', 1_500_000, 300],
    ]);
  });
});

describe('billing: operator', () => {
  it('lets only operators edit plans (as a new version) and see revenue; subscribers keep their version', async () => {
    const ops = await client.signup({ email: 'ops@atrium.test' });
    const tenant = await client.signup();
    await client.request('POST', '/api/v1/subscription/change', { token: tenant.token, body: { plan: 'solo' } });
    expect((await client.request('GET', '/api/v1/admin/revenue', { token: tenant.token })).status).toBe(403);
    const edit = await client.request('PUT', '/api/v1/admin/plans/plan_solo', { token: ops.token, body: { prices: { month: 3900 } } });
    expect(edit.status).toBe(200);
    expect(edit.body).toMatchObject({ version: 2, prices: { month: 3900 } });
    const mine = (await client.request('GET', '/api/v1/subscription', { token: tenant.token })).body;
    expect(mine.plan).toMatchObject({ slug: 'solo', version: 1 });
    const revenue = await client.request('GET', '/api/v1/admin/revenue', { token: ops.token });
    expect(revenue.status).toBe(200);
    expect(revenue.body.mrr).toBeGreaterThanOrEqual(2900);
    await client.request('PUT', '/api/v1/admin/plans/plan_solo', { token: ops.token, body: { prices: { month: 2900 } } });
  });

  it('keeps a hidden plan out of reach of organisations, even by its slug', async () => {
    const login = await client.request('POST', '/api/v1/auth/login', {
      body: { email: 'ops@atrium.test', password: 'correct horse battery' },
    });
    const ops = { token: login.body.access_token as string };
    const tenant = await client.signup();
    const hide = await client.request('PUT', '/api/v1/admin/plans/plan_team', { token: ops.token, body: { public: false } });
    expect(hide.status).toBe(200);
    try {
      const listed = await client.request('GET', '/api/v1/plans', { token: tenant.token });
      expect(listed.body.data.map((plan: { slug: string }) => plan.slug)).not.toContain('team');
      const attempt = await client.request('POST', '/api/v1/subscription/change', { token: tenant.token, body: { plan: 'team' } });
      expect(attempt.status).toBe(400);
      expect(attempt.body.error).toMatchObject({ code: 'plan_unavailable', param: 'plan' });
    } finally {
      await client.request('PUT', '/api/v1/admin/plans/plan_team', { token: ops.token, body: { public: true } });
    }
  });
});
