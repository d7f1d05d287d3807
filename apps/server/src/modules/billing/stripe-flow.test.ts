import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../app.ts';
import { testClient } from '../../testing/client.ts';
import { createTestAtrium } from '../../testing/harness.ts';
import { createStripeProvider } from './payments/stripe.ts';
import { type FakeStripe, startFakeStripe } from './testing/fake-stripe.ts';

const DAY = 86_400_000;
let now = new Date();
let atrium: Atrium;
let stripe: FakeStripe;
let client: ReturnType<typeof testClient>;
beforeAll(async () => {
  stripe = await startFakeStripe();
  atrium = await createTestAtrium({
    clock: () => now,
    paymentProvider: createStripeProvider({ secretKey: stripe.secretKey, webhookSecret: stripe.webhookSecret, apiBase: stripe.url }),
  });
  client = testClient(atrium);
});
afterAll(async () => {
  await atrium?.close();
  await stripe?.close();
});

const advance = async (days: number) => {
  now = new Date(now.getTime() + days * DAY);
  await atrium.modules.billing.service.subscriptions.advance(now);
};
const deliver = (event: object, signature?: string) => {
  const payload = JSON.stringify(event);
  return atrium.http.inject({
    method: 'POST',
    url: '/hooks/stripe',
    payload,
    headers: { 'content-type': 'application/json', 'stripe-signature': signature ?? stripe.sign(payload) },
  });
};

describe('billing with Stripe', () => {
  it('upgrades through Checkout, then walks failed payments, grace, read-only and recovery; replayed webhooks change nothing', async () => {
    const owner = await client.signup();
    const subscription = () => client.request('GET', '/api/v1/subscription', { token: owner.token }).then((response) => response.body);
    const invoices = () => client.request('GET', '/api/v1/invoices', { token: owner.token }).then((response) => response.body.data);
    expect((await subscription()).status).toBe('trialing');

    // No card yet: the answer is a Checkout page and nothing changes until Stripe confirms.
    const change = await client.request('POST', '/api/v1/subscription/change', { token: owner.token, body: { plan: 'solo' } });
    expect(change.status).toBe(200);
    expect(change.body.checkout_url).toMatch(/^https:\/\/checkout\.stripe\.test\//);
    expect(change.body.subscription.status).toBe('trialing');
    const sessionId = change.body.checkout_url.split('/').pop();
    expect(stripe.sessions.get(sessionId)).toMatchObject({ metadata: { org_id: owner.organization.id, plan: 'solo' } });

    const completed = stripe.completeCheckout(sessionId);
    const first = await deliver(completed);
    expect(first.statusCode).toBe(200);
    expect(first.json().outcome).toBe('processed');
    expect(await subscription()).toMatchObject({ status: 'active', plan: { slug: 'solo' }, provider: 'stripe' });
    const [paid] = await invoices();
    expect(paid).toMatchObject({ status: 'paid', total: 2900, amount_paid: 2900 });
    // Checkout only saved the card: no Stripe subscription bills alongside, one charge in all.
    expect(stripe.sessions.get(sessionId)).toMatchObject({ mode: 'setup', amount_total: 0 });
    expect(stripe.subscriptions.size).toBe(0);
    const charged = [...stripe.invoices.values()].filter((invoice) => invoice.metadata.org_id === owner.organization.id);
    expect(charged.map((invoice) => [invoice.status, invoice.amount_paid])).toEqual([['paid', 2900]]);

    // The same delivery again, and a forged one: nothing changes.
    expect((await deliver(completed)).json().outcome).toBe('duplicate');
    expect(await invoices()).toHaveLength(1);
    const forged = await deliver(completed, stripe.sign(JSON.stringify({ ...completed, id: 'evt_forged' })));
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.code).toBe('invalid_signature');

    // The card starts failing: the renewal is not collected and the subscription is past due.
    const customerId = [...stripe.customers.keys()][0];
    stripe.failPaymentsFor(customerId, true);
    await advance(31);
    const [renewal] = await invoices();
    expect(renewal).toMatchObject({ status: 'open', attempts: 1, total: 2900 });
    expect(renewal.last_error).toMatch(/declined/);
    expect(await subscription()).toMatchObject({ status: 'past_due', restricted: false });
    // Retried after 1 and 3 more days, still failing; full access during the grace period.
    await advance(1);
    await advance(3);
    expect((await invoices())[0].attempts).toBe(3);
    expect((await client.request('POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'During grace' } })).status).toBe(201);
    // The grace period (7 days) ends: read-only.
    await advance(3.1);
    expect(await subscription()).toMatchObject({ status: 'past_due', restricted: true, restricted_reason: 'payment_overdue' });
    const refused = await client.request('POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'Overdue' } });
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe('organization_restricted');

    // The customer fixes the card; the last retry collects and access comes back.
    stripe.failPaymentsFor(customerId, false);
    await advance(2);
    expect((await invoices())[0]).toMatchObject({ status: 'paid', amount_paid: 2900 });
    expect(await subscription()).toMatchObject({ status: 'active', restricted: false, past_due_since: null });
    expect((await client.request('POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'Restored' } })).status).toBe(201);

    // Stripe reporting the payment again (invoice.paid) is harmless.
    const again = stripe.event('invoice.paid', {
      id: 'in_external',
      object: 'invoice',
      amount_paid: 2900,
      metadata: { org_id: owner.organization.id, atrium_invoice_id: renewal.id },
    });
    expect((await deliver(again)).statusCode).toBe(200);
    expect((await deliver(again)).json().outcome).toBe('duplicate');
    expect((await invoices()).map((invoice: { status: string }) => invoice.status)).toEqual(['paid', 'paid']);
  });
});
