import PDFDocument from 'pdfkit';

export interface InvoiceDocument {
  /** null for a draft or a preview: the title then reads "Draft invoice" (status draft) or "Upcoming invoice". */
  number: string | null;
  status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';
  /** ISO 4217, e.g. 'USD'. */
  currency: string;
  issuedAt: Date;
  dueAt: Date | null;
  paidAt: Date | null;
  /** When a void invoice was voided. */
  voidedAt?: Date | null;
  periodStart: Date;
  periodEnd: Date;
  issuer: { name: string; address?: string | null; email?: string | null; taxId?: string | null };
  customer: { name: string; email?: string | null; address?: string | null; taxId?: string | null };
  branding?: { productName?: string; accentColor?: string /* '#RRGGBB' */ };
  /** Amounts in minor units; unit_amount is the price of unit_size units. */
  lines: Array<{ description: string; quantity: number; unit_amount: number; unit_size: number; amount: number }>;
  subtotal: number;
  credits: number;
  tax: number;
  taxRateBp: number;
  total: number;
  amountPaid: number;
}

export interface RenderInvoiceOptions {
  /** Deflate the content streams (default true); tests turn it off to read the text back. */
  compress?: boolean;
}

const DEFAULT_PRODUCT_NAME = 'Atrium';
const DEFAULT_ACCENT = '#4f46e5';
const TEXT = '#111827';
const MUTED = '#6b7280';
const RULE = '#e5e7eb';
const STAMPS: Partial<Record<InvoiceDocument['status'], { label: string; color: string }>> = {
  paid: { label: 'PAID', color: '#15803d' },
  void: { label: 'VOID', color: '#6b7280' },
  uncollectible: { label: 'UNCOLLECTIBLE', color: '#b91c1c' },
};

/** What a closed invoice means for the reader, printed under its totals. */
const NOTICES: Partial<Record<InvoiceDocument['status'], string>> = {
  void: 'This invoice has been voided. Nothing is due on it.',
  uncollectible: 'Collection of this invoice has stopped. The amount due remains payable.',
};

const MARGIN = 50;
const CELL_PADDING = 6;
const BODY_SIZE = 9;

/** The table's columns, left to right; x and width in points on an A4 page with 50pt margins. */
const COLUMNS = [
  { key: 'description', title: 'Description', x: MARGIN, width: 215, align: 'left' },
  { key: 'quantity', title: 'Qty', x: 275, width: 70, align: 'right' },
  { key: 'unit', title: 'Unit price', x: 355, width: 100, align: 'right' },
  { key: 'amount', title: 'Amount', x: 465, width: 80, align: 'right' },
] as const;

type Cells = Record<(typeof COLUMNS)[number]['key'], string>;

// ---------------------------------------------------------------------------------------------------------------
// Money

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string, display: 'symbol' | 'code', fractionDigits: number | null): Intl.NumberFormat {
  const key = `${currency}|${display}|${fractionDigits}`;
  let format = formatters.get(key);
  if (!format) {
    const options: Intl.NumberFormatOptions = { style: 'currency', currency, currencyDisplay: display };
    if (fractionDigits !== null) {
      options.minimumFractionDigits = minorDigits(currency);
      options.maximumFractionDigits = fractionDigits;
    }
    format = new Intl.NumberFormat('en-US', options);
    formatters.set(key, format);
  }
  return format;
}

/** How many minor-unit digits the currency has: 2 for USD, 0 for JPY, 3 for BHD. */
function minorDigits(currency: string): number {
  return formatter(currency, 'symbol', null).resolvedOptions().maximumFractionDigits ?? 2;
}

function money(minor: number, currency: string, display: 'symbol' | 'code'): string {
  const digits = minorDigits(currency);
  const major = minor / 10 ** digits;
  // Whole minor units print with the currency's usual digits; a fractional unit price (a tenth of a cent) keeps its precision.
  const fractionDigits = Number.isInteger(minor) ? digits : Math.min(digits + 6, 20);
  return formatter(currency, display, fractionDigits).format(major);
}

/**
 * Formats minor units as money in the currency's own minor-unit digits:
 * formatMoney(123456, 'USD') → '$1,234.56', formatMoney(-500, 'EUR') → '-€5.00', formatMoney(1500, 'JPY') → '¥1,500'.
 */
export function formatMoney(minor: number, currency: string): string {
  return money(minor, currency, 'symbol');
}

/** Money as the PDF can draw it: symbols the standard fonts lack (₹, ₩) fall back to the ISO code ('INR 1,234.50'). */
function pdfMoney(minor: number, currency: string): string {
  const withSymbol = money(minor, currency, 'symbol');
  return isWinAnsi(withSymbol) ? withSymbol : money(minor, currency, 'code');
}

// ---------------------------------------------------------------------------------------------------------------
// Text

/** Characters WinAnsiEncoding puts at 0x80–0x9F; with Latin-1 (0x20–0x7E, 0xA0–0xFF) that is all the standard fonts can draw. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

function isWinAnsiChar(char: string): boolean {
  const code = char.codePointAt(0)!;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || code === 0x0a || WIN_ANSI_EXTRA.has(char);
}

function isWinAnsi(text: string): boolean {
  for (const char of text) if (!isWinAnsiChar(char)) return false;
  return true;
}

/**
 * pdfkit's built-in Helvetica only covers WinAnsi; anything else would come out as stray glyphs, so it is drawn as '?'.
 */
function pdfText(text: string): string {
  let out = '';
  for (const char of text.normalize('NFC').replace(/\r\n?/g, '\n').replace(/\t/g, ' ')) {
    out += isWinAnsiChar(char) ? char : '?';
  }
  return out;
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function formatQuantity(quantity: number): string {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 }).format(quantity);
}

function formatRate(basisPoints: number): string {
  return `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(basisPoints / 100)}%`;
}

function unitPrice(line: InvoiceDocument['lines'][number], currency: string): string {
  const price = pdfMoney(line.unit_amount, currency);
  return line.unit_size > 1 ? `${price} / ${formatQuantity(line.unit_size)}` : price;
}

function invoiceTitle(invoice: InvoiceDocument): string {
  if (invoice.number !== null) return `Invoice ${invoice.number}`;
  return invoice.status === 'draft' ? 'Draft invoice' : 'Upcoming invoice';
}

function accentOf(invoice: InvoiceDocument): string {
  const color = invoice.branding?.accentColor;
  return color && /^#[0-9a-f]{6}$/i.test(color) ? color : DEFAULT_ACCENT;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

/** Renders an invoice to a PDF (A4) and resolves with its bytes. */
export function renderInvoicePdf(invoice: InvoiceDocument, options: RenderInvoiceOptions = {}): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const title = invoiceTitle(invoice);
    const doc = new PDFDocument({
      size: 'A4',
      margin: MARGIN,
      compress: options.compress ?? true,
      bufferPages: true,
      info: {
        Title: pdfText(title),
        Author: pdfText(invoice.issuer.name),
        Subject: pdfText(`${title} for ${invoice.customer.name}`),
        Creator: pdfText(invoice.branding?.productName || DEFAULT_PRODUCT_NAME),
      },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      draw(doc, invoice, title);
      doc.end();
    } catch (error) {
      reject(error);
    }
  });
}

function draw(doc: PDFKit.PDFDocument, invoice: InvoiceDocument, title: string): void {
  const accent = accentOf(invoice);
  const productName = pdfText(invoice.branding?.productName || DEFAULT_PRODUCT_NAME);
  const contentWidth = doc.page.width - 2 * MARGIN;
  const right = MARGIN + contentWidth;

  // Header: product name on the left, the title (and any status stamp) on the right.
  doc
    .font('Helvetica-Bold')
    .fontSize(20)
    .fillColor(accent)
    .text(productName, MARGIN, MARGIN, { width: contentWidth / 2, lineBreak: false });
  doc
    .font('Helvetica-Bold')
    .fontSize(16)
    .fillColor(TEXT)
    .text(pdfText(title), MARGIN + contentWidth / 2, MARGIN + 2, { width: contentWidth / 2, align: 'right' });
  let headerBottom = Math.max(doc.y, MARGIN + 24);
  const stamp = STAMPS[invoice.status];
  if (stamp) {
    doc.font('Helvetica-Bold').fontSize(11);
    const stampWidth = doc.widthOfString(stamp.label) + 16;
    const stampTop = headerBottom + 6;
    doc
      .lineWidth(1.5)
      .roundedRect(right - stampWidth, stampTop, stampWidth, 20, 3)
      .strokeColor(stamp.color)
      .stroke();
    doc
      .fillColor(stamp.color)
      .text(stamp.label, right - stampWidth, stampTop + 5, { width: stampWidth, align: 'center', lineBreak: false });
    headerBottom = stampTop + 20;
  }

  // Parties: who issued the invoice and who it is billed to.
  const partiesTop = headerBottom + 24;
  const partyWidth = (contentWidth - 20) / 2;
  const fromBottom = drawParty(doc, 'From', invoice.issuer, MARGIN, partiesTop, partyWidth);
  const toBottom = drawParty(doc, 'Bill to', invoice.customer, MARGIN + partyWidth + 20, partiesTop, partyWidth);

  // Dates.
  const facts: Array<[string, string]> = [['Issue date', isoDate(invoice.issuedAt)]];
  if (invoice.dueAt) facts.push(['Due date', isoDate(invoice.dueAt)]);
  if (invoice.paidAt) facts.push(['Paid on', isoDate(invoice.paidAt)]);
  if (invoice.status === 'void' && invoice.voidedAt) facts.push(['Voided on', isoDate(invoice.voidedAt)]);
  facts.push(['Service period', `${isoDate(invoice.periodStart)} – ${isoDate(invoice.periodEnd)}`]);
  const factsTop = Math.max(fromBottom, toBottom) + 20;
  const periodWidth = 160;
  const factWidth = (contentWidth - periodWidth) / (facts.length - 1);
  let x = MARGIN;
  for (const [index, [label, value]] of facts.entries()) {
    const width = index === facts.length - 1 ? periodWidth : factWidth;
    doc.font('Helvetica').fontSize(8).fillColor(MUTED).text(label.toUpperCase(), x, factsTop, { width, lineBreak: false });
    doc
      .font('Helvetica-Bold')
      .fontSize(10)
      .fillColor(TEXT)
      .text(value, x, factsTop + 12, { width, lineBreak: false });
    x += width;
  }

  // Lines.
  let y = drawTableHeader(doc, factsTop + 44, accent);
  const pageBottom = () => doc.page.maxY();
  const tallestRow = pageBottom() - MARGIN - 40;
  const rows: Cells[] = invoice.lines.map((line) => ({
    description: pdfText(line.description),
    quantity: formatQuantity(line.quantity),
    unit: unitPrice(line, invoice.currency),
    amount: pdfMoney(line.amount, invoice.currency),
  }));
  if (rows.length === 0) {
    doc
      .font('Helvetica')
      .fontSize(BODY_SIZE)
      .fillColor(MUTED)
      .text('No line items', MARGIN, y + CELL_PADDING, { lineBreak: false });
    y += BODY_SIZE + 2 * CELL_PADDING + 2;
  }
  doc.font('Helvetica').fontSize(BODY_SIZE);
  for (const row of rows) {
    const textHeight = Math.min(
      tallestRow - 2 * CELL_PADDING,
      Math.max(...COLUMNS.map((column) => doc.heightOfString(row[column.key] || ' ', { width: column.width }))),
    );
    const rowHeight = textHeight + 2 * CELL_PADDING;
    if (y + rowHeight > pageBottom()) {
      doc.addPage();
      y = drawTableHeader(doc, MARGIN, accent);
      doc.font('Helvetica').fontSize(BODY_SIZE);
    }
    doc.fillColor(TEXT);
    for (const column of COLUMNS) {
      doc.text(row[column.key], column.x, y + CELL_PADDING, {
        width: column.width,
        align: column.align,
        height: textHeight,
        ellipsis: true,
      });
    }
    y += rowHeight;
    doc.moveTo(MARGIN, y).lineTo(right, y).lineWidth(0.5).strokeColor(RULE).stroke();
  }

  // Totals.
  const totals: Array<{ label: string; value: string; strong?: boolean; rule?: boolean; accent?: boolean }> = [
    { label: 'Subtotal', value: pdfMoney(invoice.subtotal, invoice.currency) },
  ];
  if (invoice.credits > 0) totals.push({ label: 'Credits', value: pdfMoney(-invoice.credits, invoice.currency) });
  totals.push({ label: `Tax (${formatRate(invoice.taxRateBp)})`, value: pdfMoney(invoice.tax, invoice.currency) });
  totals.push({ label: 'Total', value: pdfMoney(invoice.total, invoice.currency), strong: true, rule: true });
  totals.push({ label: 'Amount paid', value: pdfMoney(invoice.amountPaid, invoice.currency) });
  totals.push({
    label: 'Amount due',
    value: pdfMoney(amountDue(invoice), invoice.currency),
    strong: true,
    rule: true,
    accent: true,
  });
  const totalRow = 18;
  const totalsHeight = 12 + totals.length * totalRow + 8;
  y += 12;
  if (y + totalsHeight > pageBottom()) {
    doc.addPage();
    y = MARGIN;
  }
  const labelX = 310;
  const valueX = 430;
  for (const item of totals) {
    if (item.rule) {
      doc.moveTo(labelX, y).lineTo(right, y).lineWidth(0.75).strokeColor(RULE).stroke();
      y += 4;
    }
    doc
      .font(item.strong ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(item.strong ? 11 : 10)
      .fillColor(item.accent ? accent : TEXT);
    doc.text(item.label, labelX, y + 3, { width: valueX - labelX - 10, lineBreak: false });
    doc.text(item.value, valueX, y + 3, { width: right - valueX, align: 'right', lineBreak: false });
    y += totalRow;
  }

  const notice = NOTICES[invoice.status];
  if (notice) {
    doc
      .font('Helvetica-Bold')
      .fontSize(10)
      .fillColor(STAMPS[invoice.status]?.color ?? TEXT)
      .text(notice, MARGIN, y + 12, { width: contentWidth });
  }

  drawFooters(doc, invoice, title);
}

/** A void invoice is owed by nobody; anything else owes what is left unpaid. */
function amountDue(invoice: InvoiceDocument): number {
  return invoice.status === 'void' ? 0 : Math.max(0, invoice.total - invoice.amountPaid);
}

/** A void or written-off invoice carries its status across every page, so no copy of a page passes for a live bill. */
function drawWatermark(doc: PDFKit.PDFDocument, invoice: InvoiceDocument): void {
  if (invoice.status !== 'void' && invoice.status !== 'uncollectible') return;
  const stamp = STAMPS[invoice.status];
  if (!stamp) return;
  const { width, height } = doc.page;
  const size = invoice.status === 'void' ? 140 : 60;
  doc.save();
  doc.rotate(-35, { origin: [width / 2, height / 2] });
  doc.font('Helvetica-Bold').fontSize(size).fillColor(stamp.color).fillOpacity(0.12);
  doc.text(stamp.label, 0, height / 2 - size / 2, { width, align: 'center', lineBreak: false });
  doc.restore();
}

/** Draws a party block (label, name, address, email, tax id) and returns where it ends. */
function drawParty(
  doc: PDFKit.PDFDocument,
  label: string,
  party: InvoiceDocument['customer'],
  x: number,
  y: number,
  width: number,
): number {
  doc.font('Helvetica').fontSize(8).fillColor(MUTED).text(label.toUpperCase(), x, y, { width });
  doc
    .font('Helvetica-Bold')
    .fontSize(10)
    .fillColor(TEXT)
    .text(pdfText(party.name), x, y + 12, { width });
  doc.font('Helvetica').fontSize(BODY_SIZE).fillColor(TEXT);
  const details = [party.address, party.email, party.taxId ? `Tax ID: ${party.taxId}` : null].filter((value): value is string => !!value);
  for (const detail of details) doc.text(pdfText(detail), x, doc.y + 2, { width });
  return doc.y;
}

/** Draws the table's header row at y and returns where the first row starts. */
function drawTableHeader(doc: PDFKit.PDFDocument, y: number, accent: string): number {
  doc.font('Helvetica-Bold').fontSize(BODY_SIZE).fillColor(accent);
  for (const column of COLUMNS) {
    doc.text(column.title, column.x, y, { width: column.width, align: column.align, lineBreak: false });
  }
  const bottom = y + BODY_SIZE + 6;
  doc
    .moveTo(MARGIN, bottom)
    .lineTo(doc.page.width - MARGIN, bottom)
    .lineWidth(1)
    .strokeColor(accent)
    .stroke();
  return bottom;
}

/** "Issuer · Invoice N" and "Page i of n" in the bottom margin of every page. */
function drawFooters(doc: PDFKit.PDFDocument, invoice: InvoiceDocument, title: string): void {
  const { start, count } = doc.bufferedPageRange();
  for (let index = 0; index < count; index++) {
    doc.switchToPage(start + index);
    // Text below maxY() would make pdfkit start a new page, so lift the bottom margin while writing into it.
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    drawWatermark(doc, invoice);
    const y = doc.page.height - MARGIN + 20;
    const width = doc.page.width - 2 * MARGIN;
    doc.font('Helvetica').fontSize(8).fillColor(MUTED);
    doc.text(pdfText(`${invoice.issuer.name} · ${title}`), MARGIN, y, { width: width - 80, lineBreak: false });
    doc.text(`Page ${index + 1} of ${count}`, MARGIN + width - 80, y, { width: 80, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottomMargin;
  }
}
