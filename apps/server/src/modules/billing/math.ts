/**
 * Pure billing arithmetic. Money is always an integer number of minor units (cents); every rounding
 * happens once, on an exact BigInt ratio, so no binary-float error can leak into an invoice.
 */

/** Money crosses the API as `number`, so anything outside the safe range would already be silently wrong. */
function toSafeInteger(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${what} is outside the safe integer range: ${value}`);
  }
  return Number(value);
}

/** BigInt() fails obscurely on a fraction, and a number past 2^53 is already inexact: reject both, naming the field. */
function assertInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be a safe integer, got ${value}`);
}

/**
 * Rounds a non-negative or negative BigInt ratio numerator/denominator half away from zero to a number.
 *
 * Half away from zero (rather than Math.round's half towards +∞) keeps rounding symmetric, so a credit
 * is exactly the negation of the matching charge.
 *
 * @example
 * roundRatio(5n, 2n); // 3
 * roundRatio(-5n, 2n); // -3
 * roundRatio(10n, 3n); // 3
 */
export function roundRatio(numerator: bigint, denominator: bigint): number {
  if (denominator === 0n) throw new RangeError('roundRatio: denominator must not be 0');
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  let quotient = n / d;
  if ((n % d) * 2n >= d) quotient += 1n;
  return toSafeInteger(negative ? -quotient : quotient, 'roundRatio result');
}

/**
 * The part of `amount` (a whole period's price) that falls between `from` and `to` inside the period
 * [periodStart, periodEnd). Uses cumulative rounding: portion = round(amount*(to-start)/len) - round(amount*(from-start)/len),
 * so portions over any partition of the period sum exactly to `amount`. from/to are clamped into the period; from>=to → 0.
 *
 * @example
 * const period = { start: new Date('2025-01-01T00:00:00Z'), end: new Date('2025-01-31T00:00:00Z') };
 * prorate(2900, period, new Date('2025-01-16T00:00:00Z'), period.end); // 1450
 */
export function prorate(amount: number, period: { start: Date; end: Date }, from: Date, to: Date): number {
  assertInteger(amount, 'prorate: amount');
  const start = period.start.getTime();
  const end = period.end.getTime();
  if (!(end > start)) throw new RangeError('prorate: the period must end after it starts');
  const clamp = (time: number) => Math.min(Math.max(time, start), end);
  const lo = clamp(from.getTime());
  const hi = clamp(to.getTime());
  if (lo >= hi) return 0;
  // amount × elapsed ms reaches ~10^19 for a large yearly price, far past 2^53, hence BigInt.
  const total = BigInt(amount);
  const length = BigInt(end - start);
  // Rounding the two cumulative positions (not the slice itself) is what lets adjacent slices telescope
  // back to exactly `amount`, however the period is cut.
  const upTo = (time: number) => roundRatio(total * BigInt(time - start), length);
  return upTo(hi) - upTo(lo);
}

export interface ProrationLine {
  description: string;
  amount: number;
  kind: 'unused_time' | 'remaining_time';
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * A mid-period change from one recurring amount to another at `at`: a negative line crediting the unused time of the old
 * amount and a positive line charging the remaining time of the new one (both via prorate over [at, end)).
 * Lines with amount 0 are omitted.
 *
 * @example
 * const period = { start: new Date('2025-01-01T00:00:00Z'), end: new Date('2025-01-31T00:00:00Z') };
 * prorationLines({ period, at: new Date('2025-01-16T00:00:00Z'), oldAmount: 2900, newAmount: 9900, oldLabel: 'Starter', newLabel: 'Pro' });
 * // [{ kind: 'unused_time', amount: -1450, … }, { kind: 'remaining_time', amount: 4950, … }]
 */
export function prorationLines(input: {
  period: { start: Date; end: Date };
  at: Date;
  oldAmount: number;
  newAmount: number;
  oldLabel: string;
  newLabel: string;
}): ProrationLine[] {
  const { period, at } = input;
  // Crediting and charging the same [at, end) slice, rather than charging new minus old, keeps both
  // sides visible on the invoice, as customers expect from an upgrade or downgrade.
  const unused = prorate(input.oldAmount, period, at, period.end);
  const remaining = prorate(input.newAmount, period, at, period.end);
  const day = utcDay(at < period.start ? period.start : at);
  const lines: ProrationLine[] = [];
  if (unused !== 0) lines.push({ description: `Unused time on ${input.oldLabel} after ${day}`, amount: -unused, kind: 'unused_time' });
  if (remaining !== 0) {
    lines.push({ description: `Remaining time on ${input.newLabel} after ${day}`, amount: remaining, kind: 'remaining_time' });
  }
  return lines;
}

export interface OverageInput {
  included: number | null;
  used: number;
  unitAmount: number;
  unitSize: number;
}

/**
 * Billable quantity beyond what's included (never negative; included null = unlimited → 0) and its amount = round(quantity*unitAmount/unitSize) half-up.
 *
 * @example
 * overage({ included: 1000, used: 1500, unitAmount: 150, unitSize: 1000 }); // { quantity: 500, amount: 75 }
 * overage({ included: null, used: 1e9, unitAmount: 150, unitSize: 1000 }); // { quantity: 0, amount: 0 }
 */
export function overage(input: OverageInput): { quantity: number; amount: number } {
  const { included, used, unitAmount, unitSize } = input;
  assertInteger(used, 'overage: used');
  assertInteger(unitAmount, 'overage: unitAmount');
  assertInteger(unitSize, 'overage: unitSize');
  if (unitSize <= 0) throw new RangeError('overage: unitSize must be positive');
  if (included !== null) assertInteger(included, 'overage: included');
  const quantity = included === null ? 0 : Math.max(0, used - included);
  if (quantity === 0) return { quantity: 0, amount: 0 };
  return { quantity, amount: roundRatio(BigInt(quantity) * BigInt(unitAmount), BigInt(unitSize)) };
}

export interface CreditBalance {
  id: string;
  remaining: number;
  createdAt: Date;
  expiresAt: Date | null;
}

export interface CreditApplication {
  creditId: string;
  amount: number;
}

/** Oldest first so credits closest to expiring (and granted earliest) are spent first; the id makes ties deterministic. */
function byAge(a: CreditBalance, b: CreditBalance): number {
  const diff = a.createdAt.getTime() - b.createdAt.getTime();
  if (diff !== 0) return diff;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Applies credits to an amount due, oldest first (createdAt, then id), skipping credits expired at `at` (expiresAt <= at)
 * and empty ones. Never applies more than `due` (due <= 0 → nothing) nor more than a credit's remaining.
 * Returns the applications and the new remaining per credit id (never negative).
 *
 * @example
 * const credits = [{ id: 'a', remaining: 500, createdAt: new Date('2025-01-01'), expiresAt: null }];
 * applyCredits(300, credits, new Date('2025-02-01'));
 * // { applied: [{ creditId: 'a', amount: 300 }], total: 300, remaining: Map { 'a' => 200 } }
 */
export function applyCredits(
  due: number,
  credits: CreditBalance[],
  at: Date,
): { applied: CreditApplication[]; total: number; remaining: Map<string, number> } {
  assertInteger(due, 'applyCredits: due');
  const remaining = new Map<string, number>();
  for (const credit of credits) {
    assertInteger(credit.remaining, `applyCredits: remaining of credit ${credit.id}`);
    // A duplicate id would make the returned balances ambiguous, and writing them back would lose money.
    if (remaining.has(credit.id)) throw new RangeError(`applyCredits: duplicate credit id ${credit.id}`);
    remaining.set(credit.id, Math.max(0, credit.remaining));
  }
  const now = at.getTime();
  const applied: CreditApplication[] = [];
  let left = Math.max(0, due);
  let total = 0;
  for (const credit of [...credits].sort(byAge)) {
    if (left === 0) break;
    if (credit.expiresAt !== null && credit.expiresAt.getTime() <= now) continue;
    const balance = remaining.get(credit.id)!;
    if (balance === 0) continue;
    const amount = Math.min(left, balance);
    applied.push({ creditId: credit.id, amount });
    remaining.set(credit.id, balance - amount);
    left -= amount;
    total += amount;
  }
  return { applied, total, remaining };
}

export interface InvoiceLineInput {
  description: string;
  metric?: string;
  quantity: number;
  unitAmount: number;
  unitSize?: number;
  amount?: number;
  kind: 'base' | 'seats' | 'overage' | 'proration' | 'usage' | 'adjustment';
}

export interface InvoiceLine {
  description: string;
  metric: string | null;
  quantity: number;
  unit_amount: number;
  unit_size: number;
  amount: number;
  kind: InvoiceLineInput['kind'];
}

export interface InvoiceTotals {
  lines: InvoiceLine[];
  subtotal: number;
  credits: number;
  credit_applications: CreditApplication[];
  tax: number;
  total: number;
  carry_forward: number;
}

function invoiceLine(input: InvoiceLineInput): InvoiceLine {
  const unitSize = input.unitSize ?? 1;
  assertInteger(input.quantity, `invoice line "${input.description}": quantity`);
  assertInteger(input.unitAmount, `invoice line "${input.description}": unitAmount`);
  assertInteger(unitSize, `invoice line "${input.description}": unitSize`);
  if (unitSize <= 0) throw new RangeError(`invoice line "${input.description}": unitSize must be positive`);
  let amount: number;
  if (input.amount !== undefined) {
    // Proration lines arrive already rounded; recomputing them from quantity × price would break the exact-sum guarantee.
    assertInteger(input.amount, `invoice line "${input.description}": amount`);
    amount = input.amount;
  } else {
    amount = roundRatio(BigInt(input.quantity) * BigInt(input.unitAmount), BigInt(unitSize));
  }
  return {
    description: input.description,
    metric: input.metric ?? null,
    quantity: input.quantity,
    unit_amount: input.unitAmount,
    unit_size: unitSize,
    amount,
    kind: input.kind,
  };
}

/**
 * Builds an invoice: each line's amount is `amount` when given (proration lines) else round(quantity*unitAmount/unitSize) half-up;
 * subtotal = Σ line amounts; credits are applied (applyCredits) to max(subtotal, 0); tax = round((subtotal - credits) * taxRateBp / 10000)
 * half-up on a positive taxable amount, else 0; total = subtotal - credits + tax, but when subtotal < 0 the total is 0, tax 0, credits 0
 * and carry_forward = -subtotal (to be granted as a refund credit by the caller). Invariants: total >= 0, credits <= max(subtotal,0),
 * total === subtotal - credits + tax whenever subtotal >= 0.
 *
 * @example
 * buildInvoice({
 *   lines: [{ description: 'Pro plan', quantity: 1, unitAmount: 9900, kind: 'base' }],
 *   credits: [{ id: 'c1', remaining: 1000, createdAt: new Date('2025-01-01'), expiresAt: null }],
 *   taxRateBp: 2000, // 20 %
 *   at: new Date('2025-02-01'),
 * });
 * // { subtotal: 9900, credits: 1000, tax: 1780, total: 10680, carry_forward: 0, … }
 */
export function buildInvoice(input: {
  lines: InvoiceLineInput[];
  credits: CreditBalance[];
  taxRateBp: number;
  at: Date;
}): InvoiceTotals & { remaining: Map<string, number> } {
  assertInteger(input.taxRateBp, 'buildInvoice: taxRateBp');
  if (input.taxRateBp < 0) throw new RangeError('buildInvoice: taxRateBp must not be negative');
  const lines = input.lines.map(invoiceLine);
  const subtotal = toSafeInteger(
    lines.reduce((sum, line) => sum + BigInt(line.amount), 0n),
    'buildInvoice: subtotal',
  );
  if (subtotal < 0) {
    // A net credit (e.g. a downgrade) is never paid out on the invoice itself: the caller turns it into a
    // credit balance, so existing credits stay untouched and nothing is taxed.
    const { remaining } = applyCredits(0, input.credits, input.at);
    return { lines, subtotal, credits: 0, credit_applications: [], tax: 0, total: 0, carry_forward: -subtotal, remaining };
  }
  const { applied, total: credits, remaining } = applyCredits(subtotal, input.credits, input.at);
  // Credits reduce the taxable amount: they stand for money already paid or given, not a sale.
  const taxable = subtotal - credits;
  const tax = taxable > 0 ? roundRatio(BigInt(taxable) * BigInt(input.taxRateBp), 10_000n) : 0;
  return {
    lines,
    subtotal,
    credits,
    credit_applications: applied,
    tax,
    total: toSafeInteger(BigInt(taxable) + BigInt(tax), 'buildInvoice: total'),
    carry_forward: 0,
    remaining,
  };
}

function daysInMonth(year: number, month: number): number {
  if (month === 1) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month];
}

/**
 * Adds whole calendar months (UTC) to a date, clamping the day to the target month's length (Jan 31 + 1 month = Feb 28/29).
 * The time of day is kept. Clamping loses the original day, so successive periods should be computed from the
 * subscription's anchor (addMonths(anchor, n)) rather than chained, or Jan 31 would drift to the 28th for good.
 *
 * @example
 * addMonths(new Date('2025-01-31T00:00:00Z'), 1); // 2025-02-28T00:00:00Z
 * addMonths(new Date('2024-02-29T00:00:00Z'), 12); // 2025-02-28T00:00:00Z
 */
export function addMonths(date: Date, months: number): Date {
  assertInteger(months, 'addMonths: months');
  if (Number.isNaN(date.getTime())) throw new RangeError('addMonths: invalid date');
  const monthIndex = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  const day = Math.min(date.getUTCDate(), daysInMonth(year, month));
  const result = new Date(date.getTime());
  // Day 1 first, so that setting the month never overflows through a day the target month lacks;
  // setUTCFullYear (unlike Date.UTC) also takes years 0–99 literally.
  result.setUTCDate(1);
  result.setUTCFullYear(year, month, day);
  return result;
}

/**
 * The end of a billing period starting at `start` for `interval` 'month' | 'year' (addMonths 1 or 12).
 *
 * @example
 * periodEnd(new Date('2025-01-15T00:00:00Z'), 'month'); // 2025-02-15T00:00:00Z
 * periodEnd(new Date('2025-01-15T00:00:00Z'), 'year'); // 2026-01-15T00:00:00Z
 */
export function periodEnd(start: Date, interval: 'month' | 'year'): Date {
  return addMonths(start, interval === 'month' ? 1 : 12);
}

/**
 * Quotas are monthly whatever the billing interval: a yearly period is cut into month slices
 * anchored on its start (Mar 15 → Apr 15 → …), the last one ending with the period. Answers the
 * slice holding `at` (the first or last one when `at` falls outside the period).
 *
 * @example
 * monthSliceAt(new Date('2026-03-15Z'), new Date('2027-03-15Z'), new Date('2026-05-20Z'));
 * // { start: 2026-05-15, end: 2026-06-15 }
 */
export function monthSliceAt(start: Date, end: Date, at: Date): { start: Date; end: Date } {
  const slices = monthSlices(start, end);
  return slices.find((slice) => at < slice.end) ?? slices[slices.length - 1];
}

/** Every month slice of a period, in order (one slice for a monthly period). */
export function monthSlices(start: Date, end: Date): Array<{ start: Date; end: Date }> {
  const slices: Array<{ start: Date; end: Date }> = [];
  for (let index = 0; ; index++) {
    const sliceStart = addMonths(start, index);
    if (sliceStart >= end && slices.length > 0) break;
    const next = addMonths(start, index + 1);
    slices.push({ start: sliceStart, end: next < end ? next : end });
    if (next >= end || index > 1200) break;
  }
  return slices;
}
