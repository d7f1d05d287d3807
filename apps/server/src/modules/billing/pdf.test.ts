import { describe, expect, it } from 'vitest';
import { formatMoney, type InvoiceDocument, renderInvoicePdf } from './pdf.ts';

/** WinAnsiEncoding's 0x80–0x9F block (the rest of the standard fonts' encoding is Latin-1). */
const WIN_ANSI_HIGH: Record<number, string> = {
  128: '€',
  130: '‚',
  131: 'ƒ',
  132: '„',
  133: '…',
  134: '†',
  135: '‡',
  136: 'ˆ',
  137: '‰',
  138: 'Š',
  139: '‹',
  140: 'Œ',
  142: 'Ž',
  145: '‘',
  146: '’',
  147: '“',
  148: '”',
  149: '•',
  150: '–',
  151: '—',
  152: '˜',
  153: '™',
  154: 'š',
  155: '›',
  156: 'œ',
  158: 'ž',
  159: 'Ÿ',
};

function decodeHex(hex: string): string {
  let out = '';
  for (let i = 0; i + 1 < hex.length; i += 2) {
    const code = Number.parseInt(hex.slice(i, i + 2), 16);
    out += WIN_ANSI_HIGH[code] ?? String.fromCharCode(code);
  }
  return out;
}

/**
 * The text-showing operations of an uncompressed PDF, one string per operation. pdfkit writes standard-font text as
 * hex strings of WinAnsi codes, split by kerning adjustments inside TJ arrays: `[<496e> 20 <76> 25 <6f69636520> 0] TJ`.
 */
function textRuns(pdf: Buffer): string[] {
  const runs: string[] = [];
  for (const [, stream] of pdf.toString('latin1').matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    for (const [, array, single] of stream.matchAll(/\[([^\]]*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      const parts = array === undefined ? [single] : [...array.matchAll(/<([0-9a-fA-F]*)>/g)].map(([, hex]) => hex);
      runs.push(parts.map(decodeHex).join(''));
    }
  }
  return runs;
}

/** All the text of the PDF with whitespace collapsed, so that wrapped lines read as the original string. */
function pdfText(pdf: Buffer): string {
  return textRuns(pdf).join(' ').replace(/\s+/g, ' ');
}

function pageCount(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type \/Page(?!s)\b/g)?.length ?? 0;
}

const LONG_DESCRIPTION =
  'Dedicated inference capacity for the production workspace, billed per reserved hour across every region the workspace was active in during the period';

function invoice(overrides: Partial<InvoiceDocument> = {}): InvoiceDocument {
  return {
    number: 'INV-2025-0042',
    status: 'paid',
    currency: 'USD',
    issuedAt: new Date('2025-02-01T00:00:00Z'),
    dueAt: new Date('2025-02-15T00:00:00Z'),
    paidAt: new Date('2025-02-03T10:00:00Z'),
    periodStart: new Date('2025-01-01T00:00:00Z'),
    periodEnd: new Date('2025-01-31T23:59:59Z'),
    issuer: {
      name: 'Atrium Labs Inc.',
      address: '1 Market Street\nSan Francisco, CA 94105',
      email: 'billing@atrium.test',
      taxId: 'US-12-3456789',
    },
    customer: { name: 'Globex Corporation', email: 'ap@globex.test', address: '42 Evergreen Terrace\nSpringfield', taxId: 'GB123456789' },
    lines: [
      { description: 'Pro plan (seat)', quantity: 3, unit_amount: 2500, unit_size: 1, amount: 7500 },
      { description: 'Model tokens', quantity: 12_500_000, unit_amount: 200, unit_size: 1_000_000, amount: 2500 },
      { description: LONG_DESCRIPTION, quantity: 10, unit_amount: 150, unit_size: 1, amount: 1500 },
    ],
    subtotal: 11500,
    credits: 1000,
    tax: 2100,
    taxRateBp: 2000,
    total: 12600,
    amountPaid: 12600,
    ...overrides,
  };
}

describe('formatMoney', () => {
  it('formats minor units in the currency’s own digits', () => {
    expect(formatMoney(123456, 'USD')).toBe('$1,234.56');
    expect(formatMoney(0, 'USD')).toBe('$0.00');
    expect(formatMoney(5, 'USD')).toBe('$0.05');
    expect(formatMoney(100000000, 'GBP')).toBe('£1,000,000.00');
    expect(formatMoney(1500, 'JPY')).toBe('¥1,500');
    expect(formatMoney(1234567, 'JPY')).toBe('¥1,234,567');
    expect(formatMoney(1234, 'BHD')).toMatch(/^BHD\s1\.234$/);
  });

  it('puts the sign before the symbol for negative amounts', () => {
    expect(formatMoney(-500, 'EUR')).toBe('-€5.00');
    expect(formatMoney(-123456, 'USD')).toBe('-$1,234.56');
    expect(formatMoney(-1500, 'JPY')).toBe('-¥1,500');
  });

  it('rejects an unknown currency code', () => {
    expect(() => formatMoney(100, 'NOPE')).toThrow(RangeError);
  });
});

describe('renderInvoicePdf', () => {
  it('renders a complete PDF file', async () => {
    const pdf = await renderInvoicePdf(invoice());
    expect(Buffer.isBuffer(pdf)).toBe(true);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/%%EOF\r?\n?$/);
    // Compressed by default: the content streams are deflated, so no text operators are readable.
    expect(pdf.toString('latin1')).toContain('/FlateDecode');
    expect(textRuns(pdf)).toEqual([]);
  });

  it('shows the invoice number, parties, lines, totals and the PAID stamp', async () => {
    const pdf = await renderInvoicePdf(invoice(), { compress: false });
    const text = pdfText(pdf);
    expect(text).toContain('Atrium');
    expect(text).toContain('Invoice INV-2025-0042');
    expect(text).toContain('PAID');
    expect(text).toContain('Atrium Labs Inc.');
    expect(text).toContain('Globex Corporation');
    expect(text).toContain('ap@globex.test');
    expect(text).toContain('Tax ID: GB123456789');
    expect(text).toContain('2025-02-01');
    expect(text).toContain('2025-02-15');
    expect(text).toContain('2025-01-01 – 2025-01-31');
    for (const heading of ['Description', 'Qty', 'Unit price', 'Amount']) expect(text).toContain(heading);
    for (const line of invoice().lines) expect(text).toContain(line.description);
    expect(text).toContain('$25.00');
    expect(text).toContain('$2.00 / 1,000,000');
    expect(text).toContain('12,500,000');
    expect(text).toMatch(/Subtotal \$115\.00/);
    expect(text).toMatch(/Credits -\$10\.00/);
    expect(text).toMatch(/Tax \(20%\) \$21\.00/);
    expect(text).toMatch(/Total \$126\.00/);
    expect(text).toMatch(/Amount paid \$126\.00/);
    expect(text).toMatch(/Amount due \$0\.00/);
    expect(text).toContain('Page 1 of 1');
  });

  it('wraps a long description over several lines of its column', async () => {
    const runs = textRuns(await renderInvoicePdf(invoice(), { compress: false }));
    expect(runs.some((run) => run.includes(LONG_DESCRIPTION))).toBe(false);
    expect(runs.filter((run) => run.trim() && LONG_DESCRIPTION.includes(run.trim())).length).toBeGreaterThan(1);
  });

  it('records the title and author in the document info', async () => {
    const raw = (await renderInvoicePdf(invoice(), { compress: false })).toString('latin1');
    expect(raw).toMatch(/\/Title \d+ 0 R/);
    expect(raw).toContain('(Invoice INV-2025-0042)');
    expect(raw).toContain('(Atrium Labs Inc.)');
  });

  it('continues long tables onto new pages, repeating the header row', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => ({
      description: `Usage line ${i + 1}`,
      quantity: i + 1,
      unit_amount: 100,
      unit_size: 1,
      amount: (i + 1) * 100,
    }));
    const total = lines.reduce((sum, line) => sum + line.amount, 0);
    const pdf = await renderInvoicePdf(invoice({ lines, subtotal: total, credits: 0, tax: 0, taxRateBp: 0, total, amountPaid: 0 }), {
      compress: false,
    });
    const pages = pageCount(pdf);
    expect(pages).toBeGreaterThan(1);
    const runs = textRuns(pdf);
    expect(runs.filter((run) => run === 'Description')).toHaveLength(pages);
    expect(runs).toContain(`Page ${pages} of ${pages}`);
    const text = pdfText(pdf);
    for (const line of lines) expect(runs).toContain(line.description);
    expect(text).not.toContain('Credits');
    expect(text).toMatch(/Tax \(0%\) \$0\.00/);
    expect(text).toContain(`Amount due ${formatMoney(total, 'USD')}`);
  });

  it('keeps a short invoice on one page', async () => {
    expect(pageCount(await renderInvoicePdf(invoice(), { compress: false }))).toBe(1);
  });

  it('titles an unnumbered draft and shows no stamp', async () => {
    const draft = invoice({ number: null, status: 'draft', paidAt: null, amountPaid: 0 });
    const pdf = await renderInvoicePdf(draft, { compress: false });
    const text = pdfText(pdf);
    expect(text).toContain('Draft invoice');
    expect(text).not.toContain('PAID');
    expect(text).toMatch(/Amount due \$126\.00/);
    expect(pdf.toString('latin1')).toContain('(Draft invoice)');
    expect(pdfText(await renderInvoicePdf({ ...draft, status: 'open' }, { compress: false }))).toContain('Upcoming invoice');
  });

  it('stamps void and uncollectible invoices', async () => {
    expect(pdfText(await renderInvoicePdf(invoice({ status: 'void', paidAt: null }), { compress: false }))).toContain('VOID');
    const uncollectible = pdfText(await renderInvoicePdf(invoice({ status: 'uncollectible', paidAt: null }), { compress: false }));
    expect(uncollectible).toContain('UNCOLLECTIBLE');
    expect(uncollectible).not.toContain('PAID');
  });

  it('says a void invoice is owed by nobody, and a written-off one still is', async () => {
    const unpaid = { paidAt: null, amountPaid: 0 };
    const voided = pdfText(
      await renderInvoicePdf(invoice({ status: 'void', voidedAt: new Date('2025-02-20T08:00:00Z'), ...unpaid }), { compress: false }),
    );
    expect(voided).toContain('VOIDED ON 2025-02-20');
    expect(voided).toMatch(/Amount due \$0\.00/);
    expect(voided).toContain('This invoice has been voided. Nothing is due on it.');
    const written = pdfText(await renderInvoicePdf(invoice({ status: 'uncollectible', ...unpaid }), { compress: false }));
    expect(written).toMatch(/Amount due \$126\.00/);
    expect(written).toContain('The amount due remains payable.');
  });

  it('applies branding and fractional tax rates', async () => {
    const pdf = await renderInvoicePdf(invoice({ branding: { productName: 'Globex Cloud', accentColor: '#ff0000' }, taxRateBp: 825 }), {
      compress: false,
    });
    expect(pdfText(pdf)).toContain('Globex Cloud');
    expect(pdfText(pdf)).toContain('Tax (8.25%)');
    // The accent colour is set as an RGB fill before the product name.
    expect(pdf.toString('latin1')).toMatch(/1 0 0 scn/);
  });

  it('formats amounts in the invoice currency', async () => {
    const pdf = await renderInvoicePdf(
      invoice({
        currency: 'JPY',
        lines: [{ description: 'Seats', quantity: 2, unit_amount: 1500, unit_size: 1, amount: 3000 }],
        subtotal: 3000,
        credits: 0,
        tax: 300,
        taxRateBp: 1000,
        total: 3300,
        amountPaid: 0,
        paidAt: null,
        status: 'open',
      }),
      { compress: false },
    );
    const text = pdfText(pdf);
    expect(text).toContain('¥1,500');
    expect(text).toMatch(/Total ¥3,300/);
    expect(text).toMatch(/Amount due ¥3,300/);
  });

  it('draws text the standard fonts lack as ? and symbols they lack as the currency code', async () => {
    const pdf = await renderInvoicePdf(
      invoice({
        currency: 'INR',
        customer: { name: 'Café 東京' },
        lines: [{ description: 'Plan', quantity: 1, unit_amount: 123456, unit_size: 1, amount: 123456 }],
      }),
      { compress: false },
    );
    const text = pdfText(pdf);
    expect(text).toContain('Café ??');
    expect(text).toMatch(/INR\s1,234\.56/);
    expect(text).not.toContain('₹');
  });

  it('rejects when the invoice cannot be rendered', async () => {
    await expect(renderInvoicePdf(invoice({ currency: 'NOPE' }))).rejects.toThrow(RangeError);
  });
});
