import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeStripe, parseStripeForm, type StripeObject, startFakeStripe } from '../testing/fake-stripe.ts';
import { type CheckoutRequest, type InvoiceToCollect, type PaymentProvider, WebhookSignatureError } from './provider.ts';
import { createStripeProvider } from './stripe.ts';

let fake: FakeStripe;
let provider: PaymentProvider;

beforeAll(async () => {
  fake = await startFakeStripe();
  provider = createStripeProvider({ secretKey: fake.secretKey, webhookSecret: fake.webhookSecret, apiBase: fake.url });
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.declineNext = 0;
});

let orgCounter = 0;
function nextOrg(): string {
  orgCounter += 1;
  return `org_${orgCounter}_${Date.now()}`;
}

/** A customer of the org, with a saved card unless `card: false`. */
async function customerFor(orgId: string, options: { card?: boolean } = {}): Promise<string> {
  const id = await provider.ensureCustomer({ orgId, name: `Org ${orgId}`, email: `billing@${orgId}.test`, customerId: null });
  if (!id) throw new Error('no customer');
  if (options.card !== false) fake.attachCard(id);
  return id;
}

function checkoutRequest(orgId: string, customerId: string, overrides: Partial<CheckoutRequest> = {}): CheckoutRequest {
  return {
    orgId,
    customerId,
    planSlug: 'team',
    planVersion: 3,
    interval: 'year',
    seats: 5,
    unitAmount: 12_000,
    currency: 'USD',
    productName: 'Atrium Team (yearly)',
    successUrl: 'https://atrium.test/billing?ok=1',
    cancelUrl: 'https://atrium.test/billing',
    ...overrides,
  };
}

function invoiceToCollect(orgId: string, customerId: string | null, overrides: Partial<InvoiceToCollect> = {}): InvoiceToCollect {
  return {
    invoiceId: `inv_${orgId}`,
    orgId,
    customerId,
    number: 'ATR-2026-0001',
    currency: 'usd',
    total: 4_900,
    description: 'Atrium Team, March 2026',
    ...overrides,
  };
}

/** A signed delivery of `event` as Stripe would POST it. */
function delivery(event: StripeObject, timestamp?: number): { body: string; signature: string } {
  const body = JSON.stringify(event, null, 2);
  return { body, signature: fake.sign(body, timestamp) };
}

describe('fake Stripe wire format', () => {
  it('parses bracket-notation form bodies into nested objects and arrays', () => {
    const parsed = parseStripeForm(
      'mode=subscription&line_items[0][quantity]=5&line_items[0][price_data][recurring][interval]=year' +
        '&line_items[1][quantity]=1&metadata[org_id]=org%201&expand[]=a&expand[]=b&name=A+B&__proto__[x]=1',
    );
    expect(parsed).toEqual({
      mode: 'subscription',
      line_items: [{ quantity: '5', price_data: { recurring: { interval: 'year' } } }, { quantity: '1' }],
      metadata: { org_id: 'org 1' },
      expand: ['a', 'b'],
      name: 'A B',
    });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('requires a secret key, in Stripe error shape', async () => {
    const response = await fetch(`${fake.url}/v1/customers`, { method: 'POST' });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/API key/);

    const sdk = new Stripe('pk_test_wrong', { host: '127.0.0.1', port: new URL(fake.url).port, protocol: 'http', maxNetworkRetries: 0 });
    await expect(sdk.customers.create({ name: 'x' })).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });

  it('replays an idempotent request and refuses the key for different parameters', async () => {
    const headers = {
      authorization: `Bearer ${fake.secretKey}`,
      'content-type': 'application/x-www-form-urlencoded',
      'idempotency-key': 'k-1',
    };
    const first = await fetch(`${fake.url}/v1/customers`, { method: 'POST', headers, body: 'name=One' });
    const again = await fetch(`${fake.url}/v1/customers`, { method: 'POST', headers, body: 'name=One' });
    const firstBody = (await first.json()) as StripeObject;
    expect(firstBody).toMatchObject({ object: 'customer', livemode: false, name: 'One' });
    expect(firstBody.id).toMatch(/^cus_/);
    expect(typeof firstBody.created).toBe('number');
    expect(await again.json()).toEqual(firstBody);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const conflict = await fetch(`${fake.url}/v1/customers`, { method: 'POST', headers, body: 'name=Two' });
    expect(conflict.status).toBe(400);
    expect(((await conflict.json()) as StripeObject).error.type).toBe('idempotency_error');
  });

  it('signs webhooks exactly as Stripe does', () => {
    const payload = '{"id":"evt_1","object":"event"}';
    const header = fake.sign(payload, 1_700_000_000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    const expected = Stripe.webhooks.generateTestHeaderString({ payload, secret: fake.webhookSecret, timestamp: 1_700_000_000 });
    expect(header).toBe(expected);
  });
});

describe('Stripe provider: customers and checkout', () => {
  it('creates one customer per org, tagged with the org', async () => {
    const orgId = nextOrg();
    const first = await customerFor(orgId);
    const second = await customerFor(orgId);
    expect(first).toMatch(/^cus_/);
    expect(second).toBe(first);
    const customers = [...fake.customers.values()].filter((customer) => customer.metadata.org_id === orgId);
    expect(customers).toHaveLength(1);
    expect(customers[0]).toMatchObject({ name: `Org ${orgId}`, email: `billing@${orgId}.test`, object: 'customer' });
    const creates = fake.requests.filter(
      (request) => request.method === 'POST' && request.path === '/v1/customers' && request.idempotencyKey === `customer-${orgId}`,
    );
    expect(creates).toHaveLength(2);

    const other = await customerFor(nextOrg());
    expect(other).not.toBe(first);
  });

  it('returns the customer it is given without calling Stripe', async () => {
    const before = fake.requests.length;
    expect(await provider.ensureCustomer({ orgId: 'org_x', name: 'X', email: null, customerId: 'cus_existing' })).toBe('cus_existing');
    expect(fake.requests.length).toBe(before);
  });

  it('creates a hosted setup checkout that saves a card, charges nothing and carries the plan, seats and org', async () => {
    const orgId = nextOrg();
    const customerId = await customerFor(orgId, { card: false });
    const checkout = await provider.createCheckout(checkoutRequest(orgId, customerId));
    expect(checkout?.id).toMatch(/^cs_/);
    expect(checkout?.url).toBe(`https://checkout.stripe.test/c/${checkout?.id}`);

    const request = fake.requests.findLast((entry) => entry.path === '/v1/checkout/sessions');
    const metadata = { org_id: orgId, plan: 'team', plan_version: '3', interval: 'year', seats: '5' };
    expect(request?.body).toMatchObject({
      mode: 'setup',
      currency: 'usd',
      customer: customerId,
      client_reference_id: orgId,
      success_url: 'https://atrium.test/billing?ok=1',
      cancel_url: 'https://atrium.test/billing',
      metadata,
      setup_intent_data: { metadata },
    });
    expect(request?.body).not.toHaveProperty('line_items');
    expect(request?.body).not.toHaveProperty('subscription_data');
    const session = fake.sessions.get(checkout!.id)!;
    expect(session).toMatchObject({ object: 'checkout.session', mode: 'setup', status: 'open', amount_total: 0, metadata });

    // Completing it saves a card (no Stripe subscription, no charge), and the event says where.
    const completed = fake.completeCheckout(checkout!.id);
    const { body, signature } = delivery(completed);
    const event = provider.parseWebhook(body, signature);
    expect(event).toEqual({
      id: completed.id,
      type: 'checkout.completed',
      orgId,
      customerId,
      providerSubscriptionId: null,
      setupIntentId: completed.data.object.setup_intent,
      planSlug: 'team',
      interval: 'year',
      seats: 5,
    });
    expect([...fake.subscriptions.values()].filter((subscription) => subscription.customer === customerId)).toEqual([]);

    // Until the saved card is the invoice default, Stripe cannot charge Atrium's invoices with it.
    const before = await provider.collect(invoiceToCollect(orgId, customerId));
    expect(before).toMatchObject({ status: 'failed', reason: expect.stringMatching(/no attached payment source/) });
    if (event.type !== 'checkout.completed') throw new Error('unexpected event');
    await provider.useSavedPaymentMethod(event);
    const card = fake.setupIntents.get(event.setupIntentId!)!.payment_method;
    expect(fake.customers.get(customerId)!.invoice_settings.default_payment_method).toBe(card);
    const after = await provider.collect(invoiceToCollect(orgId, customerId));
    expect(after).toEqual({ status: 'paid', providerInvoiceId: before.providerInvoiceId });
  });
});

describe('Stripe provider: collecting invoices', () => {
  it('charges a finalised invoice and reports it paid', async () => {
    const orgId = nextOrg();
    const customerId = await customerFor(orgId);
    const result = await provider.collect(invoiceToCollect(orgId, customerId));
    expect(result.status).toBe('paid');
    expect(result.providerInvoiceId).toMatch(/^in_/);

    const invoice = fake.invoices.get(result.providerInvoiceId!)!;
    expect(invoice).toMatchObject({
      object: 'invoice',
      customer: customerId,
      status: 'paid',
      currency: 'usd',
      total: 4_900,
      amount_paid: 4_900,
      amount_remaining: 0,
      auto_advance: false,
      collection_method: 'charge_automatically',
      metadata: { org_id: orgId, atrium_invoice_id: `inv_${orgId}` },
    });
    expect(invoice.lines.data).toHaveLength(1);
    expect(invoice.lines.data[0]).toMatchObject({ amount: 4_900, description: 'Atrium Team, March 2026' });

    const keys = fake.requests.filter((request) => request.method === 'POST').map((request) => request.idempotencyKey);
    expect(keys).toEqual(expect.arrayContaining([`invoice-inv_${orgId}-create`, `invoice-inv_${orgId}-item`]));
  });

  it('is safe to call again for the same invoice: no second Stripe invoice or charge', async () => {
    const orgId = nextOrg();
    const customerId = await customerFor(orgId);
    const first = await provider.collect(invoiceToCollect(orgId, customerId));
    const second = await provider.collect(invoiceToCollect(orgId, customerId));
    expect(second).toEqual(first);
    const theirs = [...fake.invoices.values()].filter((invoice) => invoice.metadata.atrium_invoice_id === `inv_${orgId}`);
    expect(theirs).toHaveLength(1);
    expect(theirs[0].lines.data).toHaveLength(1);
    expect(theirs[0].attempt_count).toBe(1);
  });

  it('reports a declined card as failed with the decline reason, and collects on a later retry', async () => {
    const orgId = nextOrg();
    const customerId = await customerFor(orgId);
    fake.declineNext = 1;
    const declined = await provider.collect(invoiceToCollect(orgId, customerId));
    expect(declined).toEqual({ status: 'failed', providerInvoiceId: expect.stringMatching(/^in_/), reason: 'Your card was declined.' });
    expect(fake.invoices.get(declined.providerInvoiceId!)).toMatchObject({ status: 'open', attempted: true, attempt_count: 1 });

    const retried = await provider.collect(invoiceToCollect(orgId, customerId));
    expect(retried).toEqual({ status: 'paid', providerInvoiceId: declined.providerInvoiceId });
  });

  it('fails every payment of a customer marked failing', async () => {
    const orgId = nextOrg();
    const customerId = await customerFor(orgId);
    fake.failPaymentsFor(customerId, true);
    const result = await provider.collect(invoiceToCollect(orgId, customerId));
    expect(result).toMatchObject({ status: 'failed', reason: 'Your card was declined.' });
    fake.failPaymentsFor(customerId, false);
    const other = await provider.collect(invoiceToCollect(orgId, customerId, { invoiceId: `inv_${orgId}_2` }));
    expect(other.status).toBe('paid');
  });

  it('fails without calling Stripe when the org has no customer', async () => {
    const before = fake.requests.length;
    const result = await provider.collect(invoiceToCollect(nextOrg(), null));
    expect(result).toMatchObject({ status: 'failed', providerInvoiceId: null });
    expect(fake.requests.length).toBe(before);
  });

  it('surfaces errors that are not payment failures', async () => {
    await expect(provider.collect(invoiceToCollect(nextOrg(), 'cus_missing'))).rejects.toThrow(/No such customer/);
  });
});

describe('Stripe provider: closing invoices', () => {
  /** A Stripe invoice of a new org whose card declined: finalised and open. */
  async function openInvoice(): Promise<string> {
    const orgId = nextOrg();
    fake.declineNext = 1;
    const result = await provider.collect(invoiceToCollect(orgId, await customerFor(orgId)));
    expect(fake.invoices.get(result.providerInvoiceId!)).toMatchObject({ status: 'open' });
    return result.providerInvoiceId!;
  }

  it('voids an open invoice, and answers closed again without a second call', async () => {
    const id = await openInvoice();
    expect(await provider.closeInvoice(id, 'void')).toEqual({ status: 'closed' });
    expect(fake.invoices.get(id)).toMatchObject({ status: 'void', amount_remaining: 0 });
    const before = fake.requests.length;
    expect(await provider.closeInvoice(id, 'void')).toEqual({ status: 'closed' });
    expect(await provider.closeInvoice(id, 'uncollectible')).toEqual({ status: 'closed' });
    expect(fake.requests.slice(before).every((request) => request.method === 'GET')).toBe(true);
  });

  it('writes off an open invoice, which can then still be voided', async () => {
    const id = await openInvoice();
    expect(await provider.closeInvoice(id, 'uncollectible')).toEqual({ status: 'closed' });
    expect(fake.invoices.get(id)!.status).toBe('uncollectible');
    expect(await provider.closeInvoice(id, 'void')).toEqual({ status: 'closed' });
    expect(fake.invoices.get(id)!.status).toBe('void');
  });

  it('deletes a draft, which was never presented to the customer', async () => {
    const orgId = nextOrg();
    const customerId = await customerFor(orgId);
    const stripe = new Stripe(fake.secretKey, { host: '127.0.0.1', port: Number(new URL(fake.url).port), protocol: 'http' });
    const draft = await stripe.invoices.create({ customer: customerId, auto_advance: false });
    expect(await provider.closeInvoice(draft.id!, 'void')).toEqual({ status: 'closed' });
    expect(fake.invoices.has(draft.id!)).toBe(false);
    expect(await provider.closeInvoice(draft.id!, 'void')).toEqual({ status: 'closed' });
  });

  it('answers paid for an invoice Stripe has collected, and leaves it paid', async () => {
    const orgId = nextOrg();
    const paid = await provider.collect(invoiceToCollect(orgId, await customerFor(orgId)));
    expect(await provider.closeInvoice(paid.providerInvoiceId!, 'void')).toEqual({ status: 'paid' });
    expect(fake.invoices.get(paid.providerInvoiceId!)!.status).toBe('paid');
  });

  it('enforces Stripe’s transitions in the fake: only open invoices are written off, open or uncollectible ones voided', async () => {
    const stripe = new Stripe(fake.secretKey, { host: '127.0.0.1', port: Number(new URL(fake.url).port), protocol: 'http' });
    const id = await openInvoice();
    await stripe.invoices.voidInvoice(id);
    await expect(stripe.invoices.markUncollectible(id)).rejects.toThrow(/only mark an open invoice/);
    await expect(stripe.invoices.voidInvoice(id)).rejects.toThrow(/only void an open or uncollectible invoice/);
    await expect(stripe.invoices.pay(id)).rejects.toThrow(/voided/);
  });
});

describe('Stripe provider: webhooks', () => {
  const orgId = 'org_hooks';
  const periodEnd = 1_800_000_000;

  function subscriptionObject(overrides: StripeObject = {}): StripeObject {
    return {
      id: 'sub_123',
      object: 'subscription',
      status: 'active',
      customer: 'cus_123',
      cancel_at: null,
      cancel_at_period_end: false,
      trial_end: null,
      metadata: { org_id: orgId, plan: 'team', plan_version: '3', interval: 'month', seats: '4' },
      items: {
        object: 'list',
        data: [
          {
            id: 'si_1',
            object: 'subscription_item',
            quantity: 7,
            current_period_start: periodEnd - 2_592_000,
            current_period_end: periodEnd,
            price: { id: 'price_1', object: 'price', unit_amount: 1200, recurring: { interval: 'month', interval_count: 1 } },
          },
        ],
      },
      ...overrides,
    };
  }

  function parse(event: StripeObject) {
    const { body, signature } = delivery(event);
    return provider.parseWebhook(body, signature);
  }

  it('normalises invoice.paid', () => {
    const event = fake.event('invoice.paid', {
      id: 'in_1',
      object: 'invoice',
      amount_paid: 4_900,
      metadata: { org_id: orgId, atrium_invoice_id: 'inv_9' },
      parent: null,
    });
    expect(parse(event)).toEqual({
      id: event.id,
      type: 'invoice.paid',
      orgId,
      providerInvoiceId: 'in_1',
      atriumInvoiceId: 'inv_9',
      amountPaid: 4_900,
    });
  });

  it('takes the org of a subscription invoice from its subscription metadata', () => {
    const event = fake.event('invoice.paid', {
      id: 'in_2',
      object: 'invoice',
      amount_paid: 1_200,
      metadata: {},
      parent: { type: 'subscription_details', subscription_details: { subscription: 'sub_123', metadata: { org_id: orgId } } },
    });
    expect(parse(event)).toMatchObject({ type: 'invoice.paid', orgId, atriumInvoiceId: null });
  });

  it('normalises invoice.payment_failed', () => {
    const event = fake.event('invoice.payment_failed', {
      id: 'in_3',
      object: 'invoice',
      metadata: { org_id: orgId, atrium_invoice_id: 'inv_10' },
      last_finalization_error: { message: 'Your card has insufficient funds.' },
      next_payment_attempt: 1_790_000_000,
    });
    expect(parse(event)).toEqual({
      id: event.id,
      type: 'invoice.payment_failed',
      orgId,
      providerInvoiceId: 'in_3',
      atriumInvoiceId: 'inv_10',
      reason: 'Your card has insufficient funds.',
      nextAttemptAt: new Date(1_790_000_000 * 1000),
    });
    const bare = fake.event('invoice.payment_failed', {
      id: 'in_4',
      object: 'invoice',
      metadata: {},
      last_finalization_error: null,
      next_payment_attempt: null,
    });
    expect(parse(bare)).toMatchObject({ reason: 'payment failed', nextAttemptAt: null, orgId: null, atriumInvoiceId: null });
  });

  it('normalises customer.subscription.updated', () => {
    const event = fake.event('customer.subscription.updated', subscriptionObject({ cancel_at_period_end: true, status: 'past_due' }));
    expect(parse(event)).toEqual({
      id: event.id,
      type: 'subscription.updated',
      orgId,
      providerSubscriptionId: 'sub_123',
      status: 'past_due',
      planSlug: 'team',
      interval: 'month',
      seats: 7,
      cancelAtPeriodEnd: true,
      currentPeriodEnd: new Date(periodEnd * 1000),
    });
  });

  it('reads the period from the subscription when the item has none (older API versions)', () => {
    const subscription = subscriptionObject({ current_period_end: periodEnd + 60 });
    delete subscription.items.data[0].current_period_end;
    const event = fake.event('customer.subscription.updated', subscription);
    expect(parse(event)).toMatchObject({ currentPeriodEnd: new Date((periodEnd + 60) * 1000), cancelAtPeriodEnd: false });
  });

  it('treats cancel_at at the period end as cancelling at period end', () => {
    const event = fake.event('customer.subscription.updated', subscriptionObject({ cancel_at: periodEnd }));
    expect(parse(event)).toMatchObject({ cancelAtPeriodEnd: true });
  });

  it('normalises customer.subscription.deleted and trial_will_end', () => {
    const deleted = fake.event('customer.subscription.deleted', subscriptionObject({ status: 'canceled' }));
    expect(parse(deleted)).toEqual({ id: deleted.id, type: 'subscription.deleted', orgId, providerSubscriptionId: 'sub_123' });
    const trial = fake.event('customer.subscription.trial_will_end', subscriptionObject({ status: 'trialing', trial_end: 1_790_500_000 }));
    expect(parse(trial)).toEqual({
      id: trial.id,
      type: 'subscription.trial_will_end',
      orgId,
      providerSubscriptionId: 'sub_123',
      trialEnd: new Date(1_790_500_000 * 1000),
    });
  });

  it('normalises checkout.session.completed', () => {
    const event = fake.event('checkout.session.completed', {
      id: 'cs_test_1',
      object: 'checkout.session',
      client_reference_id: orgId,
      customer: 'cus_123',
      subscription: { id: 'sub_123', object: 'subscription' },
      setup_intent: 'seti_123',
      metadata: { plan: 'pro', interval: 'month', seats: '2' },
    });
    expect(parse(event)).toEqual({
      id: event.id,
      type: 'checkout.completed',
      orgId,
      customerId: 'cus_123',
      providerSubscriptionId: 'sub_123',
      setupIntentId: 'seti_123',
      planSlug: 'pro',
      interval: 'month',
      seats: 2,
    });
  });

  it('ignores types it does not map', () => {
    const event = fake.event('customer.created', { id: 'cus_9', object: 'customer', metadata: {} });
    expect(parse(event)).toEqual({ id: event.id, type: 'ignored', stripeType: 'customer.created' });
  });

  it('rejects a bad signature, a tampered body, an old timestamp and a missing header', () => {
    const event = fake.event('invoice.paid', { id: 'in_1', object: 'invoice', amount_paid: 100, metadata: { org_id: orgId } });
    const { body, signature } = delivery(event);
    const forged = signature.replace(/v1=[0-9a-f]+/, `v1=${'0'.repeat(64)}`);
    expect(() => provider.parseWebhook(body, forged)).toThrow(WebhookSignatureError);

    const tampered = body.replace('"amount_paid": 100', '"amount_paid": 1000000');
    expect(tampered).not.toBe(body);
    expect(() => provider.parseWebhook(tampered, signature)).toThrow(WebhookSignatureError);

    const stale = delivery(event, Math.floor(Date.now() / 1000) - 301);
    expect(() => provider.parseWebhook(stale.body, stale.signature)).toThrow(/tolerance/);
    expect(() => provider.parseWebhook(stale.body, stale.signature)).toThrow(WebhookSignatureError);

    const otherSecret = createStripeProvider({ secretKey: fake.secretKey, webhookSecret: 'whsec_other', apiBase: fake.url });
    expect(() => otherSecret.parseWebhook(body, signature)).toThrow(WebhookSignatureError);

    expect(() => provider.parseWebhook(body, undefined)).toThrow(WebhookSignatureError);
    expect(() => provider.parseWebhook(body, 'garbage')).toThrow(WebhookSignatureError);
  });
});
