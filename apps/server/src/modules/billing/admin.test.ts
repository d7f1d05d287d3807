import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Atrium } from '../../app.ts';
import { eventually, testClient } from '../../testing/client.ts';
import { createTestAtrium } from '../../testing/harness.ts';
import { createStripeProvider } from './payments/stripe.ts';
import { type FakeStripe, startFakeStripe } from './testing/fake-stripe.ts';

const DAY = 86_400_000;
const OPERATOR = 'ops@atrium.test';
// One clock for both installs; each test starts it at the real time (organisations are stamped by the database).
let now = new Date();
let manual: Atrium;
let withStripe: Atrium;
let stripe: FakeStripe;
beforeAll(async () => {
  stripe = await startFakeStripe();
  [manual, withStripe] = await Promise.all([
    createTestAtrium({ clock: () => now, env: { ATRIUM_OPERATOR_EMAILS: OPERATOR } }),
    createTestAtrium({
      clock: () => now,
      env: { ATRIUM_OPERATOR_EMAILS: OPERATOR },
      paymentProvider: createStripeProvider({ secretKey: stripe.secretKey, webhookSecret: stripe.webhookSecret, apiBase: stripe.url }),
    }),
  ]);
});
afterAll(async () => {
  await manual?.close();
  await withStripe?.close();
  await stripe?.close();
});
beforeEach(() => {
  now = new Date();
});

/** A client for `atrium`, its operator's session, and the helpers the tests share. */
async function install(atrium: Atrium) {
  const client = testClient(atrium);
  const login = await client.request('POST', '/api/v1/auth/login', { body: { email: OPERATOR, password: 'correct horse battery' } });
  const ops = login.status === 200 ? (login.body.access_token as string) : (await client.signup({ email: OPERATOR })).token;
  const tenant = async () => {
    const owner = await client.signup();
    const get = (url: string) => client.request('GET', url, { token: owner.token }).then((response) => response.body);
    return {
      owner,
      orgId: owner.organization.id as string,
      subscription: () => get('/api/v1/subscription'),
      invoices: () => get('/api/v1/invoices').then((body) => body.data),
      credits: () => get('/api/v1/credits'),
      write: (name: string) => client.request('POST', '/api/v1/workspaces', { token: owner.token, body: { name } }),
    };
  };
  const operate = (method: string, url: string, body: unknown = {}, token = ops) => client.request(method, url, { token, body });
  const advance = async (days: number) => {
    now = new Date(now.getTime() + days * DAY);
    await atrium.modules.billing.service.subscriptions.advance(now);
  };
  const audited = (token: string, action: string) =>
    eventually(async () => (await client.request('GET', `/api/v1/audit-logs?action=${action}`, { token })).body.data[0]);
  return { client, ops, tenant, operate, advance, audited };
}

describe('operator: voiding and writing off invoices (manual payments)', () => {
  it('voids an overdue invoice: credits come back, the organization recovers, the number stays', async () => {
    const { client, tenant, operate, advance, audited } = await install(manual);
    const org = await tenant();
    const grant = await operate('POST', `/api/v1/admin/organizations/${org.orgId}/credits`, { kind: 'promotional', amount: 1000 });
    expect(grant.status).toBe(201);
    const change = await client.request('POST', '/api/v1/subscription/change', { token: org.owner.token, body: { plan: 'solo' } });
    const invoice = change.body.invoice;
    expect(invoice).toMatchObject({ status: 'open', subtotal: 2900, credits: 1000, total: 1900 });
    expect((await org.credits()).balance).toBe(0);

    // Unpaid past its due date (14 days) and the grace period (7 days): read-only.
    await advance(15);
    await advance(7.1);
    expect(await org.subscription()).toMatchObject({ status: 'past_due', restricted: true, restricted_reason: 'payment_overdue' });
    expect((await org.write('Overdue')).status).toBe(402);

    const voided = await operate('POST', `/api/v1/admin/invoices/${invoice.id}/void`, { reason: 'Billed in error' });
    expect(voided.status).toBe(200);
    expect(voided.body).toMatchObject({ id: invoice.id, number: invoice.number, status: 'void', amount_due: 0, total: 1900 });
    expect(voided.body.voided_at).toBe(now.toISOString());

    const credits = await org.credits();
    expect(credits.balance).toBe(1000);
    expect(credits.data[0]).toMatchObject({ amount: 1000, remaining: 1000 });
    expect(await org.subscription()).toMatchObject({ status: 'active', restricted: false, past_due_since: null });
    expect((await org.write('Back')).status).toBe(201);
    expect((await org.invoices()).map((row: { status: string; number: string }) => [row.status, row.number])).toEqual([
      ['void', invoice.number],
    ]);

    const entry = await audited(org.owner.token, 'invoice.voided');
    expect(entry).toMatchObject({
      actor: { type: 'user' },
      changes: { invoice_id: invoice.id, number: invoice.number, reason: 'Billed in error', credits_restored: 1000 },
    });
    expect(await audited(org.owner.token, 'subscription.restored')).toMatchObject({ changes: { status: 'active' } });

    // Again: nothing changes, and the credit is not given back twice.
    const again = await operate('POST', `/api/v1/admin/invoices/${invoice.id}/void`, { reason: 'Billed in error' });
    expect(again.status).toBe(200);
    expect((await org.credits()).balance).toBe(1000);

    // The sequence goes on after the voided number: no gap, no reuse.
    const next = await client.request('POST', '/api/v1/subscription/change', { token: org.owner.token, body: { plan: 'team' } });
    expect(Number(next.body.invoice.number.slice(4))).toBeGreaterThan(Number(invoice.number.slice(4)));
    const pdf = await manual.http.inject({
      method: 'GET',
      url: `/api/v1/invoices/${invoice.id}/pdf`,
      headers: { authorization: `Bearer ${org.owner.token}` },
    });
    expect(pdf.statusCode).toBe(200);
  });

  it('writes off an invoice: never collected or overdue after that, still owed, and it can still be paid or voided', async () => {
    const { client, tenant, operate, advance, audited } = await install(manual);
    const org = await tenant();
    const { invoice } = (await client.request('POST', '/api/v1/subscription/change', { token: org.owner.token, body: { plan: 'solo' } }))
      .body;
    const written = await operate('POST', `/api/v1/admin/invoices/${invoice.id}/mark-uncollectible`, { reason: 'Customer insolvent' });
    expect(written.status).toBe(200);
    expect(written.body).toMatchObject({ status: 'uncollectible', number: invoice.number, amount_due: 2900, attempts: 1 });
    expect(await audited(org.owner.token, 'invoice.uncollectible')).toMatchObject({
      changes: { invoice_id: invoice.id, reason: 'Customer insolvent' },
    });

    // Past its due date it is no longer pursued: not collected, and the subscription is not made past due.
    await advance(15);
    expect((await org.invoices())[0]).toMatchObject({ status: 'uncollectible', attempts: 1 });
    expect(await org.subscription()).toMatchObject({ status: 'active', restricted: false });

    // Writing off twice changes nothing; a written-off invoice cannot be written off from void, but can be voided.
    expect((await operate('POST', `/api/v1/admin/invoices/${invoice.id}/mark-uncollectible`, { reason: 'again' })).status).toBe(200);
    const voided = await operate('POST', `/api/v1/admin/invoices/${invoice.id}/void`, { reason: 'Settled out of court' });
    expect(voided.body.status).toBe('void');
    const back = await operate('POST', `/api/v1/admin/invoices/${invoice.id}/mark-uncollectible`, { reason: 'too late' });
    expect(back.status).toBe(409);
    expect(back.body.error).toMatchObject({ code: 'invoice_status_conflict', invoice_status: 'void' });
    const paid = await operate('POST', `/api/v1/admin/invoices/${invoice.id}/mark-paid`);
    expect(paid.status).toBe(400);
    expect(paid.body.error.code).toBe('invoice_not_open');
  });

  it('keeps a written-off debt: the organization stays read-only until that invoice is paid or voided', async () => {
    const { client, tenant, operate, advance } = await install(manual);
    const org = await tenant();
    const { invoice } = (await client.request('POST', '/api/v1/subscription/change', { token: org.owner.token, body: { plan: 'solo' } }))
      .body;
    await advance(15);
    await advance(7.1);
    expect((await org.subscription()).restricted).toBe(true);
    await operate('POST', `/api/v1/admin/invoices/${invoice.id}/mark-uncollectible`, { reason: 'Gave up' });
    expect(await org.subscription()).toMatchObject({ status: 'past_due', restricted: true });
    // Paying a later invoice does not settle the written-off one.
    const later = await client.request('POST', '/api/v1/subscription/change', { token: org.owner.token, body: { plan: 'team' } });
    expect((await operate('POST', `/api/v1/admin/invoices/${later.body.invoice.id}/mark-paid`)).body.status).toBe('paid');
    expect(await org.subscription()).toMatchObject({ status: 'past_due', restricted: true });
    // The money turns up after all: paying the written-off invoice settles it and restores access.
    const paid = await operate('POST', `/api/v1/admin/invoices/${invoice.id}/mark-paid`);
    expect(paid.body).toMatchObject({ status: 'paid', amount_paid: 2900, amount_due: 0 });
    expect(await org.subscription()).toMatchObject({ status: 'active', restricted: false });
  });

  it('refuses paid invoices (409 naming the status), unknown ones (404) and non-operators (403)', async () => {
    const { client, tenant, operate } = await install(manual);
    const org = await tenant();
    const { invoice } = (await client.request('POST', '/api/v1/subscription/change', { token: org.owner.token, body: { plan: 'solo' } }))
      .body;
    for (const action of ['void', 'mark-uncollectible']) {
      const refused = await operate('POST', `/api/v1/admin/invoices/${invoice.id}/${action}`, { reason: 'mine' }, org.owner.token);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('missing_permission');
      const unknown = await operate('POST', `/api/v1/admin/invoices/inv_unknown/${action}`, { reason: 'none' });
      expect(unknown.status).toBe(404);
      const noReason = await operate('POST', `/api/v1/admin/invoices/${invoice.id}/${action}`, { reason: ' ' });
      expect(noReason.status).toBe(400);
    }
    await operate('POST', `/api/v1/admin/invoices/${invoice.id}/mark-paid`);
    for (const action of ['void', 'mark-uncollectible']) {
      const conflict = await operate('POST', `/api/v1/admin/invoices/${invoice.id}/${action}`, { reason: 'Too late' });
      expect(conflict.status).toBe(409);
      expect(conflict.body.error).toMatchObject({ code: 'invoice_status_conflict', invoice_status: 'paid' });
    }
    expect((await org.invoices())[0]).toMatchObject({ status: 'paid' });
  });
});

describe('operator: assigning plans', () => {
  it('puts an organization on a hidden plan it cannot choose itself; it stays there through changes and renewals', async () => {
    const { client, tenant, operate, advance } = await install(manual);
    const org = await tenant();
    expect((await operate('PUT', '/api/v1/admin/plans/plan_team', { public: false })).status).toBe(200);
    try {
      const own = await client.request('POST', '/api/v1/subscription/change', { token: org.owner.token, body: { plan: 'team' } });
      expect(own.body.error).toMatchObject({ code: 'plan_unavailable', param: 'plan' });
      expect((await operate('PUT', `/api/v1/admin/organizations/${org.orgId}/plan`, { plan: 'team' }, org.owner.token)).status).toBe(403);

      const assigned = await operate('PUT', `/api/v1/admin/organizations/${org.orgId}/plan`, { plan: 'team', seats: 3 });
      expect(assigned.status).toBe(200);
      expect(assigned.body.subscription).toMatchObject({ status: 'active', plan: { slug: 'team' }, seats: 3, interval: 'month' });
      expect(assigned.body.invoice).toMatchObject({ status: 'open', total: 11_800 });
      expect(assigned.body.checkout_url).toBeNull();

      // On the hidden plan, the organization may still change its seats.
      const seats = await client.request('POST', '/api/v1/subscription/change', {
        token: org.owner.token,
        body: { plan: 'team', seats: 4 },
      });
      expect(seats.status).toBe(200);
      expect(seats.body.subscription).toMatchObject({ plan: { slug: 'team' }, seats: 4 });

      await advance(31);
      const renewed = await org.subscription();
      expect(renewed).toMatchObject({ plan: { slug: 'team' }, seats: 4 });
      expect(Date.parse(renewed.current_period_start)).toBeGreaterThan(Date.parse(assigned.body.subscription.current_period_start));
      const [renewal] = await org.invoices();
      expect(renewal.lines.map((line: { kind: string; amount: number }) => [line.kind, line.amount])).toEqual([
        ['base', 9900],
        ['seats', 3800],
      ]);
    } finally {
      await operate('PUT', '/api/v1/admin/plans/plan_team', { public: true });
    }
  });

  it('refuses what it does not do: an unknown organization or plan, seats out of range, a price override', async () => {
    const { tenant, operate } = await install(manual);
    const org = await tenant();
    expect((await operate('PUT', '/api/v1/admin/organizations/org_unknown/plan', { plan: 'solo' })).status).toBe(404);
    expect((await operate('PUT', `/api/v1/admin/organizations/${org.orgId}/plan`, { plan: 'platinum' })).status).toBe(404);
    const seats = await operate('PUT', `/api/v1/admin/organizations/${org.orgId}/plan`, { plan: 'team', seats: 8 });
    expect(seats.body.error).toMatchObject({ code: 'seats_out_of_range', param: 'seats' });
    const override = await operate('PUT', `/api/v1/admin/organizations/${org.orgId}/plan`, { plan: 'team', price_override: 5000 });
    expect(override.status).toBe(400);
    expect((await org.subscription()).plan.slug).toBe('spark');
  });
});

describe('operator: voiding and writing off with Stripe', () => {
  const deliver = (event: object) => {
    const payload = JSON.stringify(event);
    return withStripe.http.inject({
      method: 'POST',
      url: '/hooks/stripe',
      payload,
      headers: { 'content-type': 'application/json', 'stripe-signature': stripe.sign(payload) },
    });
  };

  /** A Stripe customer on Solo whose card now fails: its renewal is open at Stripe and in Atrium, and it is past due. */
  async function failingRenewal() {
    const setup = await install(withStripe);
    const org = await setup.tenant();
    const change = await setup.client.request('POST', '/api/v1/subscription/change', { token: org.owner.token, body: { plan: 'solo' } });
    const completed = stripe.completeCheckout(change.body.checkout_url.split('/').pop());
    expect((await deliver(completed)).statusCode).toBe(200);
    stripe.failPaymentsFor(completed.data.object.customer, true);
    await setup.advance(31);
    const [renewal] = await org.invoices();
    expect(renewal).toMatchObject({ status: 'open', attempts: 1 });
    expect(await org.subscription()).toMatchObject({ status: 'past_due' });
    const held = [...stripe.invoices.values()].find((row) => row.metadata.atrium_invoice_id === renewal.id);
    expect(held).toMatchObject({ status: 'open' });
    const charges = () => stripe.requests.filter((request) => request.path === `/v1/invoices/${held?.id}/pay`).length;
    return { ...setup, org, renewal, held: held as Record<string, any>, charges };
  }

  it('writes off at Stripe too and stops retrying; access is not restored; voiding later restores it', async () => {
    const { org, renewal, held, charges, operate, advance } = await failingRenewal();
    const attempted = charges();
    expect(attempted).toBeGreaterThan(0);
    const written = await operate('POST', `/api/v1/admin/invoices/${renewal.id}/mark-uncollectible`, { reason: 'Card keeps failing' });
    expect(written.body).toMatchObject({ status: 'uncollectible', attempts: 1 });
    expect(stripe.invoices.get(held.id)).toMatchObject({ status: 'uncollectible' });

    await advance(1);
    await advance(3);
    expect(charges()).toBe(attempted);
    expect((await org.invoices())[0]).toMatchObject({ status: 'uncollectible', attempts: 1 });
    await advance(3.1);
    expect(await org.subscription()).toMatchObject({ status: 'past_due', restricted: true });

    const voided = await operate('POST', `/api/v1/admin/invoices/${renewal.id}/void`, { reason: 'Forgiven' });
    expect(voided.body.status).toBe('void');
    expect(stripe.invoices.get(held.id)).toMatchObject({ status: 'void' });
    expect(await org.subscription()).toMatchObject({ status: 'active', restricted: false });
  });

  it('refuses to void what Stripe has collected meanwhile, and records the payment', async () => {
    const { org, renewal, held, operate } = await failingRenewal();
    // Paid on Stripe's hosted page; the webhook has not arrived yet.
    Object.assign(stripe.invoices.get(held.id) as object, { status: 'paid', amount_paid: held.amount_due, amount_remaining: 0 });
    const refused = await operate('POST', `/api/v1/admin/invoices/${renewal.id}/void`, { reason: 'Billed in error' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'invoice_status_conflict', invoice_status: 'paid' });
    expect((await org.invoices())[0]).toMatchObject({ status: 'paid', amount_paid: 2900 });
    expect(await org.subscription()).toMatchObject({ status: 'active', restricted: false });
  });

  it('changes nothing in Atrium while Stripe is unreachable, and completes on a retry', async () => {
    const { org, renewal, held, operate } = await failingRenewal();
    stripe.unavailable = true;
    try {
      const failed = await operate('POST', `/api/v1/admin/invoices/${renewal.id}/void`, { reason: 'Billed in error' });
      expect(failed.status).toBe(502);
      expect(failed.body.error.code).toBe('payment_provider_error');
    } finally {
      stripe.unavailable = false;
    }
    expect((await org.invoices())[0]).toMatchObject({ status: 'open' });
    expect(await org.subscription()).toMatchObject({ status: 'past_due' });
    expect(stripe.invoices.get(held.id)).toMatchObject({ status: 'open' });

    // Closed at Stripe by an earlier attempt whose Atrium write failed: the retry finds it void there and completes here.
    (stripe.invoices.get(held.id) as Record<string, any>).status = 'void';
    const retried = await operate('POST', `/api/v1/admin/invoices/${renewal.id}/void`, { reason: 'Billed in error' });
    expect(retried.body.status).toBe('void');
    expect(await org.subscription()).toMatchObject({ status: 'active' });
  });
});
