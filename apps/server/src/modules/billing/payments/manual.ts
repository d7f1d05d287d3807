import { type PaymentProvider, WebhookSignatureError } from './provider.ts';

/**
 * The provider for self-hosted installs without a payment processor: no customers, no checkout,
 * invoices stay pending until an admin marks them paid, and there are no webhooks.
 */
export function createManualProvider(): PaymentProvider {
  return {
    name: 'manual',
    async ensureCustomer() {
      return null;
    },
    async createCheckout() {
      return null;
    },
    async useSavedPaymentMethod() {
      return null;
    },
    async collect() {
      return { status: 'pending', providerInvoiceId: null };
    },
    // Nothing is held anywhere else: voiding or writing off is Atrium's record alone.
    async closeInvoice() {
      return { status: 'closed' };
    },
    parseWebhook() {
      throw new WebhookSignatureError('manual provider has no webhooks');
    },
  };
}
