import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the part of the Stripe HTTP API the billing provider uses, so tests drive the
 * real `stripe` SDK over real HTTP. It speaks Stripe's wire format: form-encoded request bodies in
 * bracket notation, `Authorization: Bearer sk_…`, `Idempotency-Key` replay, JSON objects with id
 * prefixes, `object`, `created` (unix seconds) and `livemode: false`, and Stripe's error envelope.
 * Webhooks are not delivered: tests build events with `event()` and sign them with `sign()`.
 */

/** A Stripe API object as JSON. */
export type StripeObject = Record<string, any>;

export interface FakeStripeRequest {
  method: string;
  path: string;
  /** The parsed form body (POST) or query string (GET). */
  body: StripeObject;
  idempotencyKey: string | null;
}

export interface FakeStripe {
  /** Base URL, e.g. `http://127.0.0.1:PORT`, for the provider's `apiBase`. */
  url: string;
  secretKey: string;
  webhookSecret: string;
  /** Every request received, in order (including rejected and replayed ones). */
  requests: FakeStripeRequest[];
  customers: Map<string, StripeObject>;
  invoices: Map<string, StripeObject>;
  invoiceItems: Map<string, StripeObject>;
  sessions: Map<string, StripeObject>;
  subscriptions: Map<string, StripeObject>;
  paymentMethods: Map<string, StripeObject>;
  setupIntents: Map<string, StripeObject>;
  /** Gives the customer a card and makes it the default for invoices (as a saved card would be); returns its id. */
  attachCard(customerId: string): string;
  /** While above zero, each `POST /v1/invoices/:id/pay` is declined and decrements it. */
  declineNext: number;
  /** While true, every API request answers 503 `api_error`, as during an outage (marked not to be retried, to keep tests fast). */
  unavailable: boolean;
  /** Declines (or stops declining) every payment of this customer. */
  failPaymentsFor(customerId: string, on: boolean): void;
  /**
   * Completes a checkout session as the customer would: `subscription` mode creates its
   * subscription, `setup` mode saves a card (a succeeded SetupIntent; the card is attached to the
   * customer but, as in Stripe, not made the invoice default). Returns `checkout.session.completed`.
   */
  completeCheckout(sessionId: string): StripeObject;
  /** A full Stripe event object wrapping `dataObject`. */
  event(type: string, dataObject: StripeObject): StripeObject;
  /** The `Stripe-Signature` header value for `payload`: `t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<payload>">`. */
  sign(payload: string, timestamp?: number): string;
  close(): Promise<void>;
}

export const FAKE_STRIPE_API_VERSION = '2026-10-28.endive';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return `${prefix}${id}`;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * Parses a Stripe form body (`application/x-www-form-urlencoded` in bracket notation) into nested
 * objects and arrays: `a[b][c]=1` → `{ a: { b: { c: '1' } } }`, `a[0][b]=1` and `a[]=1` → arrays.
 * Values stay strings, as on the wire.
 */
export function parseStripeForm(text: string): StripeObject {
  const root: StripeObject = {};
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const equals = pair.indexOf('=');
    const key = decodeComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : decodeComponent(pair.slice(equals + 1));
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    const path = match ? [match[1], ...Array.from(match[2].matchAll(/\[([^[\]]*)\]/g), (m) => m[1])] : [key];
    if (path.some((segment) => FORBIDDEN_KEYS.has(segment))) continue;
    let container: any = root;
    for (let index = 0; index < path.length; index++) {
      const segment = path[index];
      let slot: string | number = segment;
      if (Array.isArray(container)) {
        if (segment === '') slot = container.length;
        else if (/^\d+$/.test(segment)) slot = Number(segment);
      }
      if (index === path.length - 1) {
        container[slot] = value;
        break;
      }
      if (container[slot] === null || typeof container[slot] !== 'object') {
        const next = path[index + 1];
        container[slot] = next === '' || /^\d+$/.test(next) ? [] : {};
      }
      container = container[slot];
    }
  }
  return root;
}

/** An error answered in Stripe's envelope `{ error: { type, message, … } }`. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: StripeObject,
  ) {
    super(String(error.message));
  }
}

function invalidRequest(message: string, extra: StripeObject = {}, status = 400): ApiError {
  return new ApiError(status, { type: 'invalid_request_error', message, ...extra });
}

function missing(param: string): ApiError {
  return invalidRequest(`Missing required param: ${param}.`, { code: 'parameter_missing', param });
}

function noSuch(kind: string, id: string, param?: string): ApiError {
  return invalidRequest(`No such ${kind}: '${id}'`, { code: 'resource_missing', ...(param ? { param } : {}) }, 404);
}

function int(value: unknown, param: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  throw invalidRequest(`Invalid integer: ${String(value)}`, { code: 'parameter_invalid_integer', param });
}

function bool(value: unknown, param: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalidRequest(`Invalid boolean: ${String(value)}`, { code: 'parameter_invalid_boolean', param });
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function metadataOf(value: unknown): Record<string, string> {
  if (value === undefined || value === '' || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest('Invalid metadata: must be a hash', { param: 'metadata' });
  const metadata: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) if (typeof entry === 'string' && entry !== '') metadata[key] = entry;
  return metadata;
}

function list(data: StripeObject[], url: string): StripeObject {
  return { object: 'list', data, has_more: false, total_count: data.length, url };
}

function addInterval(seconds: number, interval: string, count: number): number {
  const date = new Date(seconds * 1000);
  if (interval === 'year') date.setUTCFullYear(date.getUTCFullYear() + count);
  else if (interval === 'month') date.setUTCMonth(date.getUTCMonth() + count);
  else if (interval === 'week') date.setUTCDate(date.getUTCDate() + 7 * count);
  else date.setUTCDate(date.getUTCDate() + count);
  return Math.floor(date.getTime() / 1000);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

interface StoredResponse {
  fingerprint: string;
  status: number;
  text: string;
}

interface SessionDetails {
  lines: Array<{ price: StripeObject; quantity: number }>;
  subscriptionData: StripeObject;
  setupIntentData: StripeObject;
}

export async function startFakeStripe(options: { webhookSecret?: string } = {}): Promise<FakeStripe> {
  const secretKey = 'sk_test_fake';
  const webhookSecret = options.webhookSecret ?? `whsec_${randomId('', 32)}`;
  const customers = new Map<string, StripeObject>();
  const invoices = new Map<string, StripeObject>();
  const invoiceItems = new Map<string, StripeObject>();
  const sessions = new Map<string, StripeObject>();
  const subscriptions = new Map<string, StripeObject>();
  const sessionDetails = new Map<string, SessionDetails>();
  const paymentMethods = new Map<string, StripeObject>();
  const setupIntents = new Map<string, StripeObject>();
  const failing = new Set<string>();
  const idempotent = new Map<string, StoredResponse>();
  const requests: FakeStripeRequest[] = [];
  let invoiceSequence = 0;

  function base(prefix: string, object: string): { id: string; object: string; created: number; livemode: boolean } {
    return { id: randomId(prefix), object, created: now(), livemode: false };
  }

  function customerOrThrow(id: unknown, param = 'customer'): StripeObject {
    if (typeof id !== 'string' || id === '') throw missing(param);
    const customer = customers.get(id);
    if (!customer) throw noSuch('customer', id, param);
    return customer;
  }

  function invoiceOrThrow(id: string, param?: string): StripeObject {
    const invoice = invoices.get(id);
    if (!invoice) throw noSuch('invoice', id, param);
    return invoice;
  }

  function createCard(customerId: string): StripeObject {
    const card: StripeObject = {
      ...base('pm_', 'payment_method'),
      type: 'card',
      card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2030 },
      customer: customerId,
      metadata: {},
    };
    paymentMethods.set(card.id, card);
    return card;
  }

  function updateCustomer(id: string, body: StripeObject): StripeObject {
    const customer = customerOrThrow(id);
    const settings = body.invoice_settings && typeof body.invoice_settings === 'object' ? body.invoice_settings : {};
    if (settings.default_payment_method !== undefined) {
      const methodId = str(settings.default_payment_method);
      const method = methodId ? paymentMethods.get(methodId) : undefined;
      if (methodId && !method) throw noSuch('payment_method', methodId, 'invoice_settings[default_payment_method]');
      if (method && method.customer !== id) {
        throw invalidRequest(`The payment method ${methodId} is not attached to this customer.`, {
          param: 'invoice_settings[default_payment_method]',
        });
      }
      customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: methodId || null };
    }
    if (body.name !== undefined) customer.name = str(body.name);
    if (body.email !== undefined) customer.email = str(body.email);
    return customer;
  }

  function createCustomer(body: StripeObject): StripeObject {
    const customer = {
      ...base('cus_', 'customer'),
      address: null,
      balance: 0,
      currency: null,
      default_source: null,
      delinquent: false,
      description: str(body.description),
      discount: null,
      email: str(body.email),
      invoice_prefix: randomId('', 8).toUpperCase(),
      invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
      metadata: metadataOf(body.metadata),
      name: str(body.name),
      phone: str(body.phone),
      preferred_locales: [],
      shipping: null,
      tax_exempt: 'none',
      test_clock: null,
    };
    customers.set(customer.id, customer);
    return customer;
  }

  /** An inline price from `price_data`; `product_data[name]` stands in for a product id where Stripe accepts it. */
  function createPrice(data: StripeObject, param: string, productData: boolean): StripeObject {
    if (!data || typeof data !== 'object') throw missing(param);
    const currency = str(data.currency);
    if (!currency) throw missing(`${param}[currency]`);
    const unitAmount = int(data.unit_amount, `${param}[unit_amount]`);
    if (unitAmount === undefined) throw missing(`${param}[unit_amount]`);
    if (unitAmount < 0) throw invalidRequest('This value must be greater than or equal to 0.', { param: `${param}[unit_amount]` });
    const productName = productData && data.product_data && typeof data.product_data === 'object' ? str(data.product_data.name) : null;
    const product = str(data.product) ?? (productName ? randomId('prod_') : null);
    if (!product) throw missing(productData ? `${param}[product_data][name]` : `${param}[product]`);
    const recurring = data.recurring && typeof data.recurring === 'object' ? data.recurring : null;
    if (recurring && !['day', 'week', 'month', 'year'].includes(recurring.interval)) throw missing(`${param}[recurring][interval]`);
    return {
      ...base('price_', 'price'),
      active: true,
      billing_scheme: 'per_unit',
      currency: currency.toLowerCase(),
      lookup_key: null,
      metadata: {},
      nickname: null,
      product,
      recurring: recurring
        ? {
            interval: recurring.interval,
            interval_count: int(recurring.interval_count, `${param}[recurring][interval_count]`) ?? 1,
            meter: null,
            usage_type: 'licensed',
          }
        : null,
      tax_behavior: 'unspecified',
      type: recurring ? 'recurring' : 'one_time',
      unit_amount: unitAmount,
      unit_amount_decimal: String(unitAmount),
    };
  }

  function createSession(body: StripeObject): StripeObject {
    const mode = str(body.mode);
    if (!mode) throw missing('mode');
    if (!['payment', 'subscription', 'setup'].includes(mode)) throw invalidRequest(`Invalid mode: ${mode}`, { param: 'mode' });
    const customer = body.customer === undefined ? null : customerOrThrow(body.customer);
    const successUrl = str(body.success_url);
    if (!successUrl) throw missing('success_url');
    const rawLines: StripeObject[] = Array.isArray(body.line_items) ? body.line_items : [];
    if (mode !== 'setup' && rawLines.length === 0) throw missing('line_items');
    const lines = rawLines.map((line, index) => {
      const param = `line_items[${index}]`;
      const price = createPrice(line.price_data, `${param}[price_data]`, true);
      if (mode === 'subscription' && !price.recurring) {
        throw invalidRequest('You must provide at least one recurring price in `subscription` mode when using prices.', { param });
      }
      const quantity = int(line.quantity, `${param}[quantity]`) ?? 1;
      if (quantity < 1) throw invalidRequest('Quantity must be at least 1.', { param: `${param}[quantity]` });
      return { price, quantity };
    });
    if (mode === 'setup' && !str(body.currency) && !Array.isArray(body.payment_method_types)) throw missing('currency');
    const currency = lines[0]?.price.currency ?? (mode === 'setup' ? (str(body.currency)?.toLowerCase() ?? null) : null);
    const amount = lines.reduce((sum, line) => sum + line.price.unit_amount * line.quantity, 0);
    const created = now();
    const session = {
      ...base('cs_test_', 'checkout.session'),
      created,
      amount_subtotal: amount,
      amount_total: amount,
      cancel_url: str(body.cancel_url),
      client_reference_id: str(body.client_reference_id),
      currency,
      customer: customer?.id ?? null,
      customer_details: customer ? { email: customer.email, name: customer.name } : null,
      customer_email: str(body.customer_email),
      expires_at: created + 24 * 60 * 60,
      invoice: null,
      metadata: metadataOf(body.metadata),
      mode,
      payment_intent: null,
      payment_status: 'unpaid',
      status: 'open',
      setup_intent: null,
      subscription: null,
      success_url: successUrl,
      ui_mode: 'hosted',
      url: '',
    };
    session.url = `https://checkout.stripe.test/c/${session.id}`;
    const subscriptionData = body.subscription_data && typeof body.subscription_data === 'object' ? body.subscription_data : {};
    sessions.set(session.id, session);
    const setupIntentData = body.setup_intent_data && typeof body.setup_intent_data === 'object' ? body.setup_intent_data : {};
    sessionDetails.set(session.id, { lines, subscriptionData, setupIntentData });
    return session;
  }

  function recomputeTotals(invoice: StripeObject): void {
    const total = invoice.lines.data.reduce((sum: number, line: StripeObject) => sum + line.amount, 0);
    invoice.subtotal = total;
    invoice.subtotal_excluding_tax = total;
    invoice.total = total;
    invoice.total_excluding_tax = total;
    invoice.amount_due = total;
    invoice.amount_remaining = total - invoice.amount_paid;
    invoice.lines.total_count = invoice.lines.data.length;
  }

  function attachItem(invoice: StripeObject, item: StripeObject): void {
    item.invoice = invoice.id;
    invoice.lines.data.push({
      id: randomId('il_'),
      object: 'line_item',
      amount: item.amount,
      currency: item.currency,
      description: item.description,
      invoice: invoice.id,
      livemode: false,
      metadata: item.metadata,
      parent: { type: 'invoice_item_details', invoice_item_details: { invoice_item: item.id, proration: false, subscription: null } },
      period: item.period,
      quantity: item.quantity,
    });
    recomputeTotals(invoice);
  }

  function createInvoice(body: StripeObject): StripeObject {
    const customer = customerOrThrow(body.customer);
    const collectionMethod = str(body.collection_method) ?? 'charge_automatically';
    if (!['charge_automatically', 'send_invoice'].includes(collectionMethod)) {
      throw invalidRequest(`Invalid collection_method: ${collectionMethod}`, { param: 'collection_method' });
    }
    const behavior = str(body.pending_invoice_items_behavior) ?? 'exclude';
    const created = now();
    const invoice = {
      ...base('in_', 'invoice'),
      created,
      account_country: 'US',
      account_name: 'Fake Stripe',
      amount_due: 0,
      amount_overpaid: 0,
      amount_paid: 0,
      amount_remaining: 0,
      amount_shipping: 0,
      attempt_count: 0,
      attempted: false,
      auto_advance: bool(body.auto_advance, 'auto_advance') ?? false,
      automatically_finalizes_at: null,
      billing_reason: 'manual',
      collection_method: collectionMethod,
      currency: (str(body.currency) ?? customer.currency ?? 'usd').toLowerCase(),
      customer: customer.id,
      customer_email: customer.email,
      customer_name: customer.name,
      description: str(body.description),
      due_date: null,
      effective_at: null,
      hosted_invoice_url: null,
      invoice_pdf: null,
      last_finalization_error: null,
      lines: list([], ''),
      metadata: metadataOf(body.metadata),
      next_payment_attempt: null,
      number: null,
      parent: null,
      period_end: created,
      period_start: created,
      status: 'draft',
      status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
      subtotal: 0,
      subtotal_excluding_tax: 0,
      total: 0,
      total_excluding_tax: 0,
      webhooks_delivered_at: null,
    };
    invoice.lines.url = `/v1/invoices/${invoice.id}/lines`;
    invoices.set(invoice.id, invoice);
    if (behavior === 'include') {
      for (const item of invoiceItems.values()) {
        if (item.customer === customer.id && item.invoice === null && item.currency === invoice.currency) attachItem(invoice, item);
      }
    }
    return invoice;
  }

  function createInvoiceItem(body: StripeObject): StripeObject {
    const customer = customerOrThrow(body.customer);
    let amount = int(body.amount, 'amount');
    let currency = str(body.currency);
    let quantity = 1;
    if (amount === undefined) {
      if (!body.price_data) throw missing('amount');
      const price = createPrice(body.price_data, 'price_data', false);
      quantity = int(body.quantity, 'quantity') ?? 1;
      amount = price.unit_amount * quantity;
      currency = price.currency;
    }
    if (!currency) throw missing('currency');
    let invoice: StripeObject | null = null;
    if (body.invoice !== undefined) {
      invoice = invoiceOrThrow(String(body.invoice), 'invoice');
      if (invoice.customer !== customer.id) {
        throw invalidRequest('The invoice and the invoice item must belong to the same customer.', { param: 'invoice' });
      }
      if (invoice.status !== 'draft') {
        throw invalidRequest('You can only add invoice items to draft invoices.', { code: 'invoice_not_editable', param: 'invoice' });
      }
      if (invoice.currency !== currency.toLowerCase()) {
        throw invalidRequest('The invoice item currency must match the invoice currency.', { param: 'currency' });
      }
    }
    const created = now();
    const item = {
      ...base('ii_', 'invoiceitem'),
      created,
      amount,
      currency: currency.toLowerCase(),
      customer: customer.id,
      date: created,
      description: str(body.description),
      discountable: true,
      invoice: null as string | null,
      metadata: metadataOf(body.metadata),
      period: { start: created, end: created },
      proration: false,
      quantity,
      test_clock: null,
    };
    invoiceItems.set(item.id, item);
    if (invoice) attachItem(invoice, item);
    return item;
  }

  function finalize(invoice: StripeObject): void {
    const customer = customers.get(invoice.customer);
    const at = now();
    invoiceSequence += 1;
    invoice.status = 'open';
    invoice.number = `${customer?.invoice_prefix ?? 'FAKE'}-${String(invoiceSequence).padStart(4, '0')}`;
    invoice.effective_at = at;
    invoice.hosted_invoice_url = `https://invoice.stripe.test/i/${invoice.id}`;
    invoice.invoice_pdf = `https://invoice.stripe.test/i/${invoice.id}/pdf`;
    invoice.status_transitions.finalized_at = at;
    // Stripe marks an invoice with nothing to collect paid as it is finalised.
    if (invoice.amount_due === 0) markPaid(invoice);
  }

  function markPaid(invoice: StripeObject): void {
    invoice.status = 'paid';
    invoice.amount_paid = invoice.amount_due;
    invoice.amount_remaining = 0;
    invoice.next_payment_attempt = null;
    invoice.status_transitions.paid_at = now();
  }

  function finalizeInvoice(id: string, body: StripeObject): StripeObject {
    const invoice = invoiceOrThrow(id);
    if (invoice.status !== 'draft') {
      throw invalidRequest("This invoice is already finalized, you can't re-finalize a non-draft invoice.", {
        code: 'invoice_not_editable',
      });
    }
    const autoAdvance = bool(body.auto_advance, 'auto_advance');
    if (autoAdvance !== undefined) invoice.auto_advance = autoAdvance;
    finalize(invoice);
    return invoice;
  }

  function payInvoice(id: string, body: StripeObject): StripeObject {
    const invoice = invoiceOrThrow(id);
    if (invoice.status === 'draft') finalize(invoice);
    if (invoice.status === 'paid') throw invalidRequest('Invoice is already paid', { code: 'invoice_already_paid' });
    if (invoice.status === 'void')
      throw invalidRequest('This invoice has been voided and can no longer be paid.', { code: 'invoice_not_editable' });
    if (bool(body.paid_out_of_band, 'paid_out_of_band')) {
      markPaid(invoice);
      return invoice;
    }
    const payer = customers.get(invoice.customer);
    if (!str(body.payment_method) && !payer?.invoice_settings?.default_payment_method && !payer?.default_source) {
      throw invalidRequest(
        'This customer has no attached payment source or default payment method. Please consider adding a default payment method.',
        {},
      );
    }
    invoice.attempt_count += 1;
    invoice.attempted = true;
    if (fake.declineNext > 0 || failing.has(invoice.customer)) {
      if (fake.declineNext > 0) fake.declineNext -= 1;
      throw new ApiError(402, {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'generic_decline',
        message: 'Your card was declined.',
        doc_url: 'https://stripe.com/docs/error-codes/card-declined',
      });
    }
    markPaid(invoice);
    return invoice;
  }

  // Stripe's transitions: only an open or uncollectible invoice can be voided, only an open one written off.
  function voidInvoice(id: string): StripeObject {
    const invoice = invoiceOrThrow(id);
    if (invoice.status !== 'open' && invoice.status !== 'uncollectible') {
      throw invalidRequest(`You can only void an open or uncollectible invoice; this invoice is ${invoice.status}.`, {
        code: 'invoice_not_editable',
      });
    }
    invoice.status = 'void';
    invoice.amount_remaining = 0;
    invoice.next_payment_attempt = null;
    invoice.status_transitions.voided_at = now();
    return invoice;
  }

  function markUncollectible(id: string): StripeObject {
    const invoice = invoiceOrThrow(id);
    if (invoice.status !== 'open') {
      throw invalidRequest(`You can only mark an open invoice as uncollectible; this invoice is ${invoice.status}.`, {
        code: 'invoice_not_editable',
      });
    }
    invoice.status = 'uncollectible';
    invoice.next_payment_attempt = null;
    invoice.status_transitions.marked_uncollectible_at = now();
    return invoice;
  }

  function deleteInvoice(id: string): StripeObject {
    const invoice = invoiceOrThrow(id);
    if (invoice.status !== 'draft') {
      throw invalidRequest('You can only delete draft invoices.', { code: 'invoice_not_editable' });
    }
    invoices.delete(id);
    for (const item of invoiceItems.values()) if (item.invoice === id) invoiceItems.delete(item.id);
    return { id, object: 'invoice', deleted: true };
  }

  function completeCheckout(sessionId: string): StripeObject {
    const session = sessions.get(sessionId);
    const details = sessionDetails.get(sessionId);
    if (!session || !details) throw new Error(`fake stripe: no checkout session ${sessionId}`);
    if (session.status !== 'open') throw new Error(`fake stripe: checkout session ${sessionId} is ${session.status}`);
    const customerId = session.customer ?? createCustomer({ email: session.customer_email ?? undefined }).id;
    if (session.mode === 'subscription') {
      const start = now();
      const trialDays = int(details.subscriptionData.trial_period_days, 'subscription_data[trial_period_days]');
      const trialEnd = trialDays ? start + trialDays * 24 * 60 * 60 : null;
      const subscription: StripeObject = {
        ...base('sub_', 'subscription'),
        created: start,
        billing_cycle_anchor: trialEnd ?? start,
        cancel_at: null,
        cancel_at_period_end: false,
        canceled_at: null,
        collection_method: 'charge_automatically',
        currency: session.currency,
        customer: customerId,
        description: str(details.subscriptionData.description),
        ended_at: null,
        latest_invoice: null,
        metadata: metadataOf(details.subscriptionData.metadata),
        start_date: start,
        status: trialEnd ? 'trialing' : 'active',
        trial_end: trialEnd,
        trial_start: trialEnd ? start : null,
      };
      subscription.items = list(
        details.lines.map(({ price, quantity }) => ({
          id: randomId('si_'),
          object: 'subscription_item',
          created: start,
          current_period_start: start,
          current_period_end: trialEnd ?? addInterval(start, price.recurring.interval, price.recurring.interval_count),
          metadata: {},
          price,
          quantity,
          subscription: subscription.id,
        })),
        `/v1/subscription_items?subscription=${subscription.id}`,
      );
      subscriptions.set(subscription.id, subscription);
      session.subscription = subscription.id;
    }
    if (session.mode === 'setup') {
      const card = createCard(customerId);
      const intent: StripeObject = {
        ...base('seti_', 'setup_intent'),
        customer: customerId,
        metadata: metadataOf(details.setupIntentData.metadata),
        payment_method: card.id,
        status: 'succeeded',
        usage: 'off_session',
      };
      setupIntents.set(intent.id, intent);
      session.setup_intent = intent.id;
    }
    session.customer = customerId;
    session.status = 'complete';
    session.payment_status = session.mode === 'setup' ? 'no_payment_required' : 'paid';
    return event('checkout.session.completed', session);
  }

  function event(type: string, dataObject: StripeObject): StripeObject {
    return {
      id: randomId('evt_'),
      object: 'event',
      api_version: FAKE_STRIPE_API_VERSION,
      created: now(),
      data: { object: clone(dataObject) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
  }

  function sign(payload: string, timestamp = now()): string {
    const signature = createHmac('sha256', webhookSecret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
    return `t=${timestamp},v1=${signature}`;
  }

  function found<T>(value: T | undefined, kind: string, id: string): T {
    if (value === undefined) throw noSuch(kind, id);
    return value;
  }

  const routes: Array<[method: string, pattern: RegExp, handler: (body: StripeObject, id: string) => StripeObject]> = [
    ['POST', /^\/v1\/customers$/, (body) => createCustomer(body)],
    ['GET', /^\/v1\/customers\/([^/]+)$/, (_, id) => found(customers.get(id), 'customer', id)],
    ['POST', /^\/v1\/customers\/([^/]+)$/, (body, id) => updateCustomer(id, body)],
    ['GET', /^\/v1\/setup_intents\/([^/]+)$/, (_, id) => found(setupIntents.get(id), 'setup_intent', id)],
    ['POST', /^\/v1\/checkout\/sessions$/, (body) => createSession(body)],
    ['GET', /^\/v1\/checkout\/sessions\/([^/]+)$/, (_, id) => found(sessions.get(id), 'checkout.session', id)],
    ['GET', /^\/v1\/subscriptions\/([^/]+)$/, (_, id) => found(subscriptions.get(id), 'subscription', id)],
    ['POST', /^\/v1\/invoiceitems$/, (body) => createInvoiceItem(body)],
    ['POST', /^\/v1\/invoices$/, (body) => createInvoice(body)],
    ['GET', /^\/v1\/invoices\/([^/]+)$/, (_, id) => invoiceOrThrow(id)],
    ['POST', /^\/v1\/invoices\/([^/]+)\/finalize$/, (body, id) => finalizeInvoice(id, body)],
    ['POST', /^\/v1\/invoices\/([^/]+)\/pay$/, (body, id) => payInvoice(id, body)],
    ['POST', /^\/v1\/invoices\/([^/]+)\/void$/, (_, id) => voidInvoice(id)],
    ['POST', /^\/v1\/invoices\/([^/]+)\/mark_uncollectible$/, (_, id) => markUncollectible(id)],
    ['DELETE', /^\/v1\/invoices\/([^/]+)$/, (_, id) => deleteInvoice(id)],
  ];

  function route(method: string, path: string, body: StripeObject): StripeObject {
    for (const [routeMethod, pattern, handler] of routes) {
      const match = routeMethod === method ? pattern.exec(path) : null;
      if (match) return handler(body, decodeComponent(match[1] ?? ''));
    }
    throw invalidRequest(
      `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
      {},
      404,
    );
  }

  function send(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
    response.writeHead(status, {
      'content-type': 'application/json',
      'request-id': randomId('req_', 14),
      'stripe-version': FAKE_STRIPE_API_VERSION,
      ...headers,
    });
    response.end(text);
  }

  function handle(request: IncomingMessage, response: ServerResponse, raw: string): void {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://fake-stripe');
    const path = url.pathname;
    const form = method === 'GET' || method === 'DELETE' ? url.search.slice(1) : raw;
    const body = parseStripeForm(form);
    const idempotencyKey = typeof request.headers['idempotency-key'] === 'string' ? request.headers['idempotency-key'] : null;
    requests.push({ method, path, body, idempotencyKey });

    if (fake.unavailable) {
      const error = { type: 'api_error', message: 'fake stripe: unavailable' };
      send(response, 503, JSON.stringify({ error }), { 'stripe-should-retry': 'false' });
      return;
    }

    const authorization = request.headers.authorization ?? '';
    const apiKey = /^Bearer (sk_\S+)$/.exec(authorization)?.[1];
    if (!apiKey) {
      const message = authorization
        ? 'Invalid API Key provided: expected a secret key (sk_…) as a bearer token.'
        : "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').";
      send(response, 401, JSON.stringify({ error: { type: 'invalid_request_error', message } }));
      return;
    }

    const storeKey = method === 'POST' && idempotencyKey ? `${apiKey}\u0000${idempotencyKey}` : null;
    const fingerprint = `${method} ${path}\u0000${raw}`;
    if (storeKey) {
      const stored = idempotent.get(storeKey);
      if (stored) {
        if (stored.fingerprint !== fingerprint) {
          const message = `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`;
          send(response, 400, JSON.stringify({ error: { type: 'idempotency_error', message } }));
          return;
        }
        send(response, stored.status, stored.text, { 'idempotent-replayed': 'true', 'idempotency-key': idempotencyKey ?? '' });
        return;
      }
    }

    let status = 200;
    let text: string;
    try {
      text = JSON.stringify(route(method, path, body));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status = error.status;
      text = JSON.stringify({ error: error.error });
    }
    // Like Stripe, a result is kept for replay once the request has run (success or a declined charge), not when it failed validation.
    if (storeKey && (status < 400 || status === 402)) idempotent.set(storeKey, { fingerprint, status, text });
    send(response, status, text, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        handle(request, response, Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        send(response, 500, JSON.stringify({ error: { type: 'api_error', message: `fake stripe: ${message}` } }), {
          'stripe-should-retry': 'false',
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeStripe = {
    url: `http://127.0.0.1:${port}`,
    secretKey,
    webhookSecret,
    requests,
    customers,
    invoices,
    invoiceItems,
    sessions,
    subscriptions,
    paymentMethods,
    setupIntents,
    attachCard(customerId) {
      const card = createCard(customerOrThrow(customerId).id);
      updateCustomer(customerId, { invoice_settings: { default_payment_method: card.id } });
      return card.id;
    },
    declineNext: 0,
    unavailable: false,
    failPaymentsFor(customerId, on) {
      if (on) failing.add(customerId);
      else failing.delete(customerId);
    },
    completeCheckout,
    event,
    sign,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
  return fake;
}
