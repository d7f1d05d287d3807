import { describe, expect, it } from 'vitest';
import { createManualProvider } from './manual.ts';
import { WebhookSignatureError } from './provider.ts';

describe('manual payment provider', () => {
  const provider = createManualProvider();

  it('has no customers and no checkout', async () => {
    expect(provider.name).toBe('manual');
    expect(await provider.ensureCustomer({ orgId: 'org_1', name: 'Acme', email: null, customerId: null })).toBeNull();
    const checkout = await provider.createCheckout({
      orgId: 'org_1',
      customerId: 'cus_1',
      planSlug: 'team',
      planVersion: 1,
      interval: 'month',
      seats: 3,
      unitAmount: 1200,
      currency: 'usd',
      productName: 'Team',
      successUrl: 'https://atrium.test/ok',
      cancelUrl: 'https://atrium.test/cancel',
    });
    expect(checkout).toBeNull();
  });

  it('leaves invoices pending for an admin to mark paid', async () => {
    const result = await provider.collect({
      invoiceId: 'inv_1',
      orgId: 'org_1',
      customerId: null,
      number: 'ATR-0001',
      currency: 'usd',
      total: 3600,
      description: 'Team plan',
    });
    expect(result).toEqual({ status: 'pending', providerInvoiceId: null });
  });

  it('rejects every webhook', () => {
    expect(() => provider.parseWebhook('{}', 't=1,v1=abc')).toThrow(WebhookSignatureError);
    expect(() => provider.parseWebhook('{}', undefined)).toThrow('manual provider has no webhooks');
  });
});
