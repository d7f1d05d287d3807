/**
 * The payment provider specification: how the billing module collects money. Atrium keeps its own
 * subscriptions and invoices; a provider only creates customers, hosts checkout pages, charges
 * finalised invoices and reports what happened through webhooks. Money is integer minor units.
 */

export interface BillingCustomer {
  orgId: string;
  name: string;
  email: string | null;
  customerId: string | null;
}

export interface CheckoutRequest {
  orgId: string;
  customerId: string;
  planSlug: string;
  planVersion: number;
  interval: 'month' | 'year';
  seats: number;
  unitAmount: number;
  currency: string;
  productName: string;
  successUrl: string;
  cancelUrl: string;
}

export interface InvoiceToCollect {
  invoiceId: string;
  orgId: string;
  customerId: string | null;
  number: string;
  currency: string;
  total: number;
  description: string;
}

export type CollectResult =
  | { status: 'paid'; providerInvoiceId: string | null }
  | { status: 'failed'; providerInvoiceId: string | null; reason: string }
  | { status: 'pending'; providerInvoiceId: string | null };

/** How Atrium stops collecting an invoice: `void` cancels it, `uncollectible` writes it off (it stays payable). */
export type InvoiceClosing = 'void' | 'uncollectible';

/** What the provider did when asked to stop collecting: closed it, or found it already paid. */
export type CloseResult = { status: 'closed' } | { status: 'paid' };

/** A provider webhook, verified and normalised. orgId comes from metadata.org_id set by this provider on every object it creates. */
export type ProviderEvent =
  | {
      id: string;
      type: 'invoice.paid';
      orgId: string | null;
      providerInvoiceId: string;
      atriumInvoiceId: string | null;
      amountPaid: number;
    }
  | {
      id: string;
      type: 'invoice.payment_failed';
      orgId: string | null;
      providerInvoiceId: string;
      atriumInvoiceId: string | null;
      reason: string;
      nextAttemptAt: Date | null;
    }
  | {
      id: string;
      type: 'subscription.updated';
      orgId: string | null;
      providerSubscriptionId: string;
      status: string;
      planSlug: string | null;
      interval: 'month' | 'year' | null;
      seats: number | null;
      cancelAtPeriodEnd: boolean;
      currentPeriodEnd: Date | null;
    }
  | { id: string; type: 'subscription.deleted'; orgId: string | null; providerSubscriptionId: string }
  | { id: string; type: 'subscription.trial_will_end'; orgId: string | null; providerSubscriptionId: string; trialEnd: Date | null }
  | {
      id: string;
      type: 'checkout.completed';
      orgId: string | null;
      customerId: string | null;
      providerSubscriptionId: string | null;
      /** The SetupIntent that saved the payment method (setup-mode Checkout). */
      setupIntentId: string | null;
      planSlug: string | null;
      interval: 'month' | 'year' | null;
      seats: number | null;
    }
  | { id: string; type: 'ignored'; stripeType: string };

export interface PaymentProvider {
  readonly name: 'manual' | 'stripe';
  /** Creates (or returns the given) provider customer; null for providers without customers. */
  ensureCustomer(customer: BillingCustomer): Promise<string | null>;
  /**
   * A hosted page where the customer saves a payment method for a paid plan, or null when the
   * provider has none (manual). It charges nothing itself: Atrium's own invoices are collected
   * with the saved method, so a customer is never billed by both.
   */
  createCheckout(request: CheckoutRequest): Promise<{ id: string; url: string } | null>;
  /** After a completed checkout: makes the saved payment method the one invoices are charged to; answers its id. */
  useSavedPaymentMethod(event: Extract<ProviderEvent, { type: 'checkout.completed' }>): Promise<string | null>;
  /** Charges a finalised invoice; manual answers 'pending' (an admin marks it paid). */
  collect(invoice: InvoiceToCollect): Promise<CollectResult>;
  /**
   * Stops collection of an invoice the provider holds (the `providerInvoiceId` `collect` answered)
   * when Atrium voids it or writes it off. Idempotent: an invoice already closed that way answers
   * 'closed'. Answers 'paid' when the provider collected it meanwhile; throws when it could not
   * reach a decision, so the caller can leave its own records untouched.
   */
  closeInvoice(providerInvoiceId: string, closing: InvoiceClosing): Promise<CloseResult>;
  /** Verifies the signature and normalises the event; throws WebhookSignatureError when invalid. */
  parseWebhook(rawBody: string, signatureHeader: string | undefined): ProviderEvent;
}

/** A webhook whose signature, timestamp or body could not be verified. */
export class WebhookSignatureError extends Error {
  override name = 'WebhookSignatureError';
}
