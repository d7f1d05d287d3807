import Stripe from 'stripe';
import {
  type BillingCustomer,
  type CheckoutRequest,
  type CloseResult,
  type CollectResult,
  type InvoiceClosing,
  type InvoiceToCollect,
  type PaymentProvider,
  type ProviderEvent,
  WebhookSignatureError,
} from './provider.ts';

export interface StripeProviderOptions {
  secretKey: string;
  webhookSecret: string;
  /** Where the Stripe API lives, e.g. `http://127.0.0.1:PORT` for the fake; the real API when omitted. */
  apiBase?: string;
  /** Used when a request carries no currency; ISO code, any case. Defaults to `usd`. */
  currency?: string;
}

type StripeConfig = NonNullable<ConstructorParameters<typeof Stripe>[1]>;

const REQUEST_TIMEOUT_MS = 20_000;

/** The client options for `apiBase` (host, port and protocol); none for the real API. */
function connection(apiBase: string | undefined): Pick<StripeConfig, 'host' | 'port' | 'protocol'> {
  if (!apiBase) return {};
  const url = new URL(apiBase);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443, protocol };
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

function toDate(seconds: number | null | undefined): Date | null {
  return typeof seconds === 'number' ? new Date(seconds * 1000) : null;
}

function intervalOf(value: unknown): 'month' | 'year' | null {
  return value === 'month' || value === 'year' ? value : null;
}

function seatsOf(value: unknown): number | null {
  const seats = typeof value === 'string' ? Number(value) : value;
  return typeof seats === 'number' && Number.isInteger(seats) && seats > 0 ? seats : null;
}

function metadataValue(metadata: Stripe.Metadata | null | undefined, key: string): string | null {
  const value = metadata?.[key];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The org of an invoice: ours carry metadata.org_id; a subscription's carry it in the subscription's metadata snapshot. */
function invoiceOrgId(invoice: Stripe.Invoice): string | null {
  return metadataValue(invoice.metadata, 'org_id') ?? metadataValue(invoice.parent?.subscription_details?.metadata, 'org_id');
}

function subscriptionPeriodEnd(subscription: Stripe.Subscription): number | null {
  const itemEnd = subscription.items?.data?.[0]?.current_period_end;
  if (typeof itemEnd === 'number') return itemEnd;
  // API versions before 2025-03-31 kept the period on the subscription itself.
  const legacy = (subscription as unknown as { current_period_end?: number | null }).current_period_end;
  return typeof legacy === 'number' ? legacy : null;
}

/** Maps a verified Stripe event onto the provider's event vocabulary; everything else is `ignored`. */
export function normaliseStripeEvent(event: Stripe.Event): ProviderEvent {
  switch (event.type) {
    case 'invoice.paid': {
      const invoice = event.data.object;
      return {
        id: event.id,
        type: 'invoice.paid',
        orgId: invoiceOrgId(invoice),
        providerInvoiceId: invoice.id,
        atriumInvoiceId: metadataValue(invoice.metadata, 'atrium_invoice_id'),
        amountPaid: invoice.amount_paid,
      };
    }
    case 'invoice.payment_failed': {
      const invoice = event.data.object;
      return {
        id: event.id,
        type: 'invoice.payment_failed',
        orgId: invoiceOrgId(invoice),
        providerInvoiceId: invoice.id,
        atriumInvoiceId: metadataValue(invoice.metadata, 'atrium_invoice_id'),
        reason: invoice.last_finalization_error?.message || 'payment failed',
        nextAttemptAt: toDate(invoice.next_payment_attempt),
      };
    }
    case 'customer.subscription.updated': {
      const subscription = event.data.object;
      const item = subscription.items?.data?.[0];
      const periodEnd = subscriptionPeriodEnd(subscription);
      return {
        id: event.id,
        type: 'subscription.updated',
        orgId: metadataValue(subscription.metadata, 'org_id'),
        providerSubscriptionId: subscription.id,
        status: subscription.status,
        planSlug: metadataValue(subscription.metadata, 'plan'),
        interval: intervalOf(item?.price?.recurring?.interval),
        seats: seatsOf(item?.quantity),
        // Newer cancellations (e.g. from the billing portal) set cancel_at to the period's end instead of the flag.
        cancelAtPeriodEnd:
          subscription.cancel_at_period_end === true ||
          (subscription.cancel_at != null && periodEnd != null && subscription.cancel_at === periodEnd),
        currentPeriodEnd: toDate(periodEnd),
      };
    }
    case 'customer.subscription.deleted': {
      const subscription = event.data.object;
      return {
        id: event.id,
        type: 'subscription.deleted',
        orgId: metadataValue(subscription.metadata, 'org_id'),
        providerSubscriptionId: subscription.id,
      };
    }
    case 'customer.subscription.trial_will_end': {
      const subscription = event.data.object;
      return {
        id: event.id,
        type: 'subscription.trial_will_end',
        orgId: metadataValue(subscription.metadata, 'org_id'),
        providerSubscriptionId: subscription.id,
        trialEnd: toDate(subscription.trial_end),
      };
    }
    case 'checkout.session.completed': {
      const session = event.data.object;
      return {
        id: event.id,
        type: 'checkout.completed',
        orgId: metadataValue(session.metadata, 'org_id') ?? session.client_reference_id ?? null,
        customerId: idOf(session.customer),
        providerSubscriptionId: idOf(session.subscription),
        setupIntentId: idOf(session.setup_intent),
        planSlug: metadataValue(session.metadata, 'plan'),
        interval: intervalOf(metadataValue(session.metadata, 'interval')),
        seats: seatsOf(metadataValue(session.metadata, 'seats')),
      };
    }
    default:
      return { id: event.id, type: 'ignored', stripeType: event.type };
  }
}

/** Whether a failed `invoices.pay` means the payment itself failed (declined card, no usable payment method), not Stripe or the network. */
function paymentFailure(error: unknown): string | null {
  if (error instanceof Stripe.errors.StripeCardError) return error.message || 'card declined';
  if (error instanceof Stripe.errors.StripeInvalidRequestError) return error.message || 'payment could not be attempted';
  return null;
}

function missingResource(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'resource_missing';
}

/** Whether a Stripe invoice in `status` is already as closed as `closing` asks: nobody can charge it any more. */
function alreadyClosed(status: Stripe.Invoice.Status | null, closing: InvoiceClosing): boolean {
  // Stripe cannot write off a void invoice, and there is nothing left to collect on it either.
  return status === 'void' || status === closing;
}

/**
 * The Stripe provider, on the official SDK. Every object it creates carries metadata.org_id so
 * webhooks can be routed to their organisation; creates carry idempotency keys derived from Atrium
 * ids so a retried call (ours or the SDK's) never makes a second customer, invoice or charge.
 */
export function createStripeProvider(options: StripeProviderOptions): PaymentProvider {
  const stripe = new Stripe(options.secretKey, {
    apiVersion: Stripe.API_VERSION,
    maxNetworkRetries: 2,
    timeout: REQUEST_TIMEOUT_MS,
    appInfo: { name: 'Atrium' },
    ...connection(options.apiBase),
  });
  const defaultCurrency = (options.currency ?? 'usd').toLowerCase();
  const currencyOf = (currency: string) => (currency || defaultCurrency).toLowerCase();

  return {
    name: 'stripe',

    async ensureCustomer(customer: BillingCustomer) {
      if (customer.customerId) return customer.customerId;
      const created = await stripe.customers.create(
        { name: customer.name, email: customer.email ?? undefined, metadata: { org_id: customer.orgId } },
        { idempotencyKey: `customer-${customer.orgId}` },
      );
      return created.id;
    },

    async createCheckout(request: CheckoutRequest) {
      const metadata = {
        org_id: request.orgId,
        plan: request.planSlug,
        plan_version: String(request.planVersion),
        interval: request.interval,
        seats: String(request.seats),
      };
      // Setup mode: Checkout saves a card and charges nothing. Atrium bills its own invoices
      // (prorations, seats, overage) with that card; a Stripe subscription would charge again.
      const session = await stripe.checkout.sessions.create({
        mode: 'setup',
        currency: currencyOf(request.currency),
        customer: request.customerId,
        client_reference_id: request.orgId,
        metadata,
        setup_intent_data: { metadata, description: request.productName },
        success_url: request.successUrl,
        cancel_url: request.cancelUrl,
      });
      if (!session.url) throw new Error(`Stripe returned checkout session ${session.id} without a URL`);
      return { id: session.id, url: session.url };
    },

    async useSavedPaymentMethod(event) {
      if (!event.setupIntentId || !event.customerId) return null;
      const intent = await stripe.setupIntents.retrieve(event.setupIntentId);
      const paymentMethod = idOf(intent.payment_method);
      if (!paymentMethod) return null;
      await stripe.customers.update(
        event.customerId,
        { invoice_settings: { default_payment_method: paymentMethod } },
        { idempotencyKey: `default-payment-method-${event.setupIntentId}` },
      );
      return paymentMethod;
    },

    async collect(invoice: InvoiceToCollect): Promise<CollectResult> {
      if (!invoice.customerId) return { status: 'failed', providerInvoiceId: null, reason: 'organisation has no Stripe customer' };
      const currency = currencyOf(invoice.currency);
      const metadata = { org_id: invoice.orgId, atrium_invoice_id: invoice.invoiceId, atrium_invoice_number: invoice.number };
      const key = `invoice-${invoice.invoiceId}`;
      const draft = await stripe.invoices.create(
        {
          customer: invoice.customerId,
          currency,
          description: invoice.description,
          metadata,
          auto_advance: false,
          collection_method: 'charge_automatically',
          pending_invoice_items_behavior: 'exclude',
        },
        { idempotencyKey: `${key}-create` },
      );
      const providerInvoiceId = draft.id;
      await stripe.invoiceItems.create(
        { customer: invoice.customerId, invoice: draft.id, amount: invoice.total, currency, description: invoice.description, metadata },
        { idempotencyKey: `${key}-item` },
      );
      // A replayed create answers with the draft as first created; ask for where it is now (collect may be a retry).
      let current = await stripe.invoices.retrieve(draft.id);
      if (current.status === 'draft') current = await stripe.invoices.finalizeInvoice(draft.id, { auto_advance: false });
      if (current.status === 'open') {
        try {
          current = await stripe.invoices.pay(draft.id);
        } catch (error) {
          const reason = paymentFailure(error);
          if (reason === null) throw error;
          return { status: 'failed', providerInvoiceId, reason };
        }
      }
      if (current.status === 'paid') return { status: 'paid', providerInvoiceId };
      return {
        status: 'failed',
        providerInvoiceId,
        reason: `Stripe invoice ${providerInvoiceId} is ${current.status ?? 'in an unknown state'}`,
      };
    },

    async closeInvoice(providerInvoiceId: string, closing: InvoiceClosing): Promise<CloseResult> {
      const closed: CloseResult = { status: 'closed' };
      let current: Stripe.Invoice;
      try {
        current = await stripe.invoices.retrieve(providerInvoiceId);
      } catch (error) {
        // Only a draft can disappear (deleted by an earlier close): nothing is left to collect.
        if (missingResource(error)) return closed;
        throw error;
      }
      if (current.status === 'paid') return { status: 'paid' };
      if (alreadyClosed(current.status, closing)) return closed;
      try {
        // A draft was never presented to the customer: Stripe deletes drafts rather than voiding them.
        if (current.status === 'draft') await stripe.invoices.del(providerInvoiceId);
        else if (closing === 'void') await stripe.invoices.voidInvoice(providerInvoiceId);
        else await stripe.invoices.markUncollectible(providerInvoiceId);
        return closed;
      } catch (error) {
        // Stripe refuses when the invoice moved meanwhile (a payment went through): answer where it is now.
        if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw error;
        const after = await stripe.invoices.retrieve(providerInvoiceId).catch((retry) => {
          if (missingResource(retry)) return null;
          throw retry;
        });
        if (after === null || alreadyClosed(after.status, closing)) return closed;
        if (after.status === 'paid') return { status: 'paid' };
        throw error;
      }
    },

    parseWebhook(rawBody: string, signatureHeader: string | undefined): ProviderEvent {
      if (!signatureHeader) throw new WebhookSignatureError('missing Stripe-Signature header');
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(rawBody, signatureHeader, options.webhookSecret);
      } catch (error) {
        throw new WebhookSignatureError(error instanceof Error ? error.message : 'invalid Stripe webhook');
      }
      return normaliseStripeEvent(event);
    },
  };
}
