import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMonths,
  applyCredits,
  buildInvoice,
  type CreditBalance,
  type InvoiceLineInput,
  monthSliceAt,
  monthSlices,
  overage,
  periodEnd,
  prorate,
  prorationLines,
  roundRatio,
} from './math.ts';

const DAY = 86_400_000;
const utc = (iso: string) => new Date(`${iso}T00:00:00Z`);
const thirtyDays = { start: utc('2025-01-01'), end: utc('2025-01-31') };

// Period starts between 2000 and 2100, lengths from 1 s to 400 days.
const periodArb = fc
  .record({ start: fc.integer({ min: 946_684_800_000, max: 4_102_444_800_000 }), length: fc.integer({ min: 1_000, max: 400 * DAY }) })
  .map(({ start, length }) => ({ start: new Date(start), end: new Date(start + length) }));
const amountArb = fc.integer({ min: 0, max: 1_000_000_000 });

describe('roundRatio', () => {
  it('rounds half away from zero whatever the signs', () => {
    expect(roundRatio(5n, 2n)).toBe(3);
    expect(roundRatio(-5n, 2n)).toBe(-3);
    expect(roundRatio(5n, -2n)).toBe(-3);
    expect(roundRatio(-7n, -2n)).toBe(4);
    expect(roundRatio(10n, 3n)).toBe(3);
    expect(roundRatio(11n, 3n)).toBe(4);
    expect(roundRatio(0n, 7n)).toBe(0);
  });

  it('rejects a zero denominator and a result past the safe integer range', () => {
    expect(() => roundRatio(1n, 0n)).toThrow(RangeError);
    expect(() => roundRatio(2n ** 60n, 1n)).toThrow(RangeError);
  });

  it('is within half a unit of the exact ratio and symmetric around zero', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.bigInt({ min: 1n, max: 10n ** 12n }), (n, d) => {
        const q = BigInt(roundRatio(n, d));
        const error = (q * d - n) * 2n;
        expect(error <= d && error >= -d).toBe(true);
        expect(roundRatio(-n, d)).toBe(-roundRatio(n, d) || 0);
      }),
    );
  });
});

describe('prorate', () => {
  it('charges the whole amount for the whole period and half for half of it', () => {
    expect(prorate(2900, thirtyDays, thirtyDays.start, thirtyDays.end)).toBe(2900);
    expect(prorate(2900, thirtyDays, utc('2025-01-16'), thirtyDays.end)).toBe(1450);
  });

  it('clamps from/to into the period and gives 0 for an empty or reversed range', () => {
    expect(prorate(2900, thirtyDays, utc('2024-12-01'), utc('2025-03-01'))).toBe(2900);
    expect(prorate(2900, thirtyDays, utc('2025-01-10'), utc('2025-01-10'))).toBe(0);
    expect(prorate(2900, thirtyDays, utc('2025-01-20'), utc('2025-01-10'))).toBe(0);
    expect(prorate(2900, thirtyDays, utc('2025-02-01'), utc('2025-03-01'))).toBe(0);
  });

  it('splits an amount into thirds that still add up to the cent', () => {
    const period = { start: utc('2025-01-01'), end: utc('2025-01-04') };
    const parts = [
      prorate(100, period, utc('2025-01-01'), utc('2025-01-02')),
      prorate(100, period, utc('2025-01-02'), utc('2025-01-03')),
      prorate(100, period, utc('2025-01-03'), utc('2025-01-04')),
    ];
    expect(parts).toEqual([33, 34, 33]);
  });

  it('stays exact when amount × milliseconds is far beyond 2^53', () => {
    const year = { start: utc('2024-01-01'), end: utc('2025-01-01') }; // 366 days
    // 10^9 × 366 days in ms ≈ 3.2·10^19: a float product would be off by thousands.
    expect(prorate(1_000_000_000, year, year.start, new Date(year.start.getTime() + 122 * DAY))).toBe(333_333_333);
    expect(prorate(1_000_000_000, year, new Date(year.start.getTime() + 122 * DAY), year.end)).toBe(666_666_667);
  });

  it('rejects an empty period', () => {
    expect(() => prorate(100, { start: thirtyDays.start, end: thirtyDays.start }, thirtyDays.start, thirtyDays.end)).toThrow(RangeError);
  });

  it('sums exactly to the amount over any partition of the period', () => {
    fc.assert(
      fc.property(amountArb, periodArb, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 20 }), (amount, period, cuts) => {
        const start = period.start.getTime();
        const length = period.end.getTime() - start;
        const points = [start, ...cuts.map((f) => start + Math.floor(f * length)).sort((a, b) => a - b), start + length];
        let sum = 0;
        for (let i = 1; i < points.length; i++) {
          const part = prorate(amount, period, new Date(points[i - 1]), new Date(points[i]));
          expect(part).toBeGreaterThanOrEqual(0);
          sum += part;
        }
        expect(sum).toBe(amount);
      }),
      { numRuns: 300 },
    );
  });
});

describe('prorationLines', () => {
  it('credits −1450 and charges 4950 for a $29 → $99 upgrade halfway through a 30-day period', () => {
    const lines = prorationLines({
      period: thirtyDays,
      at: utc('2025-01-16'),
      oldAmount: 2900,
      newAmount: 9900,
      oldLabel: 'Starter',
      newLabel: 'Pro',
    });
    expect(lines).toEqual([
      { description: 'Unused time on Starter after 2025-01-16', amount: -1450, kind: 'unused_time' },
      { description: 'Remaining time on Pro after 2025-01-16', amount: 4950, kind: 'remaining_time' },
    ]);
  });

  it('omits zero lines: a change at the very end of the period, or from a free plan', () => {
    expect(
      prorationLines({ period: thirtyDays, at: thirtyDays.end, oldAmount: 2900, newAmount: 9900, oldLabel: 'A', newLabel: 'B' }),
    ).toEqual([]);
    const fromFree = prorationLines({
      period: thirtyDays,
      at: utc('2025-01-16'),
      oldAmount: 0,
      newAmount: 9900,
      oldLabel: 'Free',
      newLabel: 'Pro',
    });
    expect(fromFree.map((line) => [line.kind, line.amount])).toEqual([['remaining_time', 4950]]);
  });

  it('splits the old amount into used + unused parts exactly, with a non-positive credit and a non-negative charge', () => {
    fc.assert(
      fc.property(amountArb, amountArb, periodArb, fc.double({ min: -0.1, max: 1.1, noNaN: true }), (oldAmount, newAmount, period, f) => {
        const start = period.start.getTime();
        const at = new Date(start + Math.floor(f * (period.end.getTime() - start)));
        const used = prorate(oldAmount, period, period.start, at);
        const unused = prorate(oldAmount, period, at, period.end);
        expect(used + unused).toBe(oldAmount);

        const lines = prorationLines({ period, at, oldAmount, newAmount, oldLabel: 'Old', newLabel: 'New' });
        const credit = lines.find((line) => line.kind === 'unused_time')?.amount ?? 0;
        const charge = lines.find((line) => line.kind === 'remaining_time')?.amount ?? 0;
        expect(credit).toBeLessThanOrEqual(0);
        expect(charge).toBeGreaterThanOrEqual(0);
        expect(credit).toBe(unused === 0 ? 0 : -unused);
        expect(charge).toBe(prorate(newAmount, period, at, period.end));
        expect(lines.every((line) => line.amount !== 0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('overage', () => {
  it('bills the quantity beyond what is included, per unit size, rounding half up', () => {
    expect(overage({ included: 1000, used: 1500, unitAmount: 150, unitSize: 1000 })).toEqual({ quantity: 500, amount: 75 });
    expect(overage({ included: 0, used: 1, unitAmount: 1, unitSize: 2 })).toEqual({ quantity: 1, amount: 1 });
    expect(overage({ included: 0, used: 1, unitAmount: 1, unitSize: 3 })).toEqual({ quantity: 1, amount: 0 });
  });

  it('bills nothing on an unlimited allowance', () => {
    expect(overage({ included: null, used: 1_000_000, unitAmount: 150, unitSize: 1000 })).toEqual({ quantity: 0, amount: 0 });
  });

  it('is 0 when used ≤ included and never negative', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 1_000_000_000 })),
        fc.integer({ min: 0, max: 2_000_000_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (included, used, unitAmount, unitSize) => {
          const result = overage({ included, used, unitAmount, unitSize });
          expect(result.quantity).toBeGreaterThanOrEqual(0);
          expect(result.amount).toBeGreaterThanOrEqual(0);
          if (included === null || used <= included) expect(result).toEqual({ quantity: 0, amount: 0 });
          else expect(result.quantity).toBe(used - included);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('applyCredits', () => {
  const at = utc('2025-02-01');
  const credit = (id: string, remaining: number, created: string, expires: string | null = null): CreditBalance => ({
    id,
    remaining,
    createdAt: utc(created),
    expiresAt: expires === null ? null : utc(expires),
  });

  it('spends the oldest unexpired credit first and never more than is due', () => {
    const credits = [
      credit('new', 500, '2025-01-20'),
      credit('old', 300, '2025-01-01'),
      credit('expired', 900, '2024-12-01', '2025-02-01'),
    ];
    const result = applyCredits(600, credits, at);
    expect(result.applied).toEqual([
      { creditId: 'old', amount: 300 },
      { creditId: 'new', amount: 300 },
    ]);
    expect(result.total).toBe(600);
    expect(Object.fromEntries(result.remaining)).toEqual({ new: 200, old: 0, expired: 900 });
  });

  it('breaks ties on createdAt by id, and applies nothing when nothing is due', () => {
    const credits = [credit('b', 100, '2025-01-01'), credit('a', 100, '2025-01-01')];
    expect(applyCredits(50, credits, at).applied).toEqual([{ creditId: 'a', amount: 50 }]);
    expect(applyCredits(0, credits, at)).toMatchObject({ applied: [], total: 0 });
    expect(applyCredits(-100, credits, at)).toMatchObject({ applied: [], total: 0 });
  });

  it('rejects duplicate credit ids', () => {
    expect(() => applyCredits(10, [credit('a', 1, '2025-01-01'), credit('a', 2, '2025-01-02')], at)).toThrow(RangeError);
  });
});

describe('buildInvoice', () => {
  const at = utc('2025-02-01');

  it('totals base, seats and usage lines, applies a credit, then taxes what is left', () => {
    const invoice = buildInvoice({
      lines: [
        { description: 'Team plan', quantity: 1, unitAmount: 2900, kind: 'base' },
        { description: 'Seats', quantity: 3, unitAmount: 1000, kind: 'seats' },
        { description: 'Requests', metric: 'requests', quantity: 12_345, unitAmount: 10, unitSize: 1000, kind: 'overage' },
      ],
      credits: [{ id: 'c1', remaining: 1000, createdAt: utc('2025-01-01'), expiresAt: null }],
      taxRateBp: 825,
      at,
    });
    expect(invoice.lines.map((line) => line.amount)).toEqual([2900, 3000, 123]);
    expect(invoice.lines[2]).toMatchObject({ metric: 'requests', unit_amount: 10, unit_size: 1000 });
    expect(invoice.lines[0]).toMatchObject({ metric: null, unit_size: 1 });
    // Taxable 6023 − 1000 = 5023 at 8.25 % = 414.3975 → 414.
    expect(invoice).toMatchObject({ subtotal: 6023, credits: 1000, tax: 414, total: 5437, carry_forward: 0 });
    expect(invoice.credit_applications).toEqual([{ creditId: 'c1', amount: 1000 }]);
    expect(invoice.remaining.get('c1')).toBe(0);
  });

  it('keeps a given (proration) amount as is', () => {
    const lines = prorationLines({
      period: thirtyDays,
      at: utc('2025-01-16'),
      oldAmount: 2900,
      newAmount: 9900,
      oldLabel: 'Starter',
      newLabel: 'Pro',
    });
    const invoice = buildInvoice({
      lines: lines.map((line) => ({
        description: line.description,
        quantity: 1,
        unitAmount: line.amount,
        amount: line.amount,
        kind: 'proration',
      })),
      credits: [],
      taxRateBp: 0,
      at,
    });
    expect(invoice).toMatchObject({ subtotal: 3500, credits: 0, tax: 0, total: 3500 });
  });

  it('carries a negative subtotal forward instead of paying it out, leaving credits untouched', () => {
    const invoice = buildInvoice({
      lines: [
        { description: 'Unused time on Pro', quantity: 1, unitAmount: -4950, amount: -4950, kind: 'proration' },
        { description: 'Remaining time on Starter', quantity: 1, unitAmount: 1450, amount: 1450, kind: 'proration' },
      ],
      credits: [{ id: 'c1', remaining: 1000, createdAt: utc('2025-01-01'), expiresAt: null }],
      taxRateBp: 2000,
      at,
    });
    expect(invoice).toMatchObject({ subtotal: -3500, credits: 0, credit_applications: [], tax: 0, total: 0, carry_forward: 3500 });
    expect(invoice.remaining.get('c1')).toBe(1000);
  });

  const lineArb: fc.Arbitrary<InvoiceLineInput> = fc.oneof(
    fc.record({
      description: fc.constant('usage'),
      quantity: fc.integer({ min: 0, max: 1_000_000 }),
      unitAmount: fc.integer({ min: 0, max: 100_000 }),
      unitSize: fc.integer({ min: 1, max: 1000 }),
      kind: fc.constantFrom('base', 'seats', 'overage', 'usage'),
    }),
    fc
      .integer({ min: -1_000_000, max: 1_000_000 })
      .map((amount): InvoiceLineInput => ({ description: 'proration', quantity: 1, unitAmount: amount, amount, kind: 'proration' })),
  );
  // A few distinct instants around `at`, so creation ties and expiries exactly at `at` both occur.
  const instantArb = fc.integer({ min: -3, max: 3 }).map((days) => new Date(at.getTime() + days * DAY));
  const creditsArb = fc.uniqueArray(
    fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
      remaining: fc.integer({ min: 0, max: 1_000_000 }),
      createdAt: instantArb,
      expiresAt: fc.option(instantArb),
    }),
    { selector: (credit) => credit.id, maxLength: 8 },
  );

  it('keeps its invariants for any lines, credits and tax rate', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 8 }), creditsArb, fc.integer({ min: 0, max: 3000 }), (lines, credits, taxRateBp) => {
        const invoice = buildInvoice({ lines, credits, taxRateBp, at });

        expect(invoice.subtotal).toBe(invoice.lines.reduce((sum, line) => sum + line.amount, 0));
        expect(invoice.total).toBeGreaterThanOrEqual(0);
        expect(invoice.credits).toBeLessThanOrEqual(Math.max(invoice.subtotal, 0));
        expect(invoice.credits).toBe(invoice.credit_applications.reduce((sum, application) => sum + application.amount, 0));
        if (invoice.subtotal >= 0) {
          expect(invoice.total).toBe(invoice.subtotal - invoice.credits + invoice.tax);
          expect(invoice.carry_forward).toBe(0);
        } else {
          expect(invoice).toMatchObject({ total: 0, tax: 0, credits: 0, carry_forward: -invoice.subtotal });
        }

        const appliedTo = new Map<string, number>();
        for (const { creditId, amount } of invoice.credit_applications) {
          expect(amount).toBeGreaterThan(0);
          appliedTo.set(creditId, (appliedTo.get(creditId) ?? 0) + amount);
        }
        const expired = (credit: CreditBalance) => credit.expiresAt !== null && credit.expiresAt.getTime() <= at.getTime();
        for (const credit of credits) {
          const used = appliedTo.get(credit.id) ?? 0;
          expect(used).toBeLessThanOrEqual(credit.remaining);
          expect(invoice.remaining.get(credit.id)).toBe(credit.remaining - used);
          expect(invoice.remaining.get(credit.id)).toBeGreaterThanOrEqual(0);
          if (expired(credit)) expect(used).toBe(0);
        }

        // Oldest first: a newer credit is only touched once every older usable one is exhausted.
        const usable = credits
          .filter((credit) => !expired(credit))
          .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
        usable.forEach((credit, index) => {
          if (!appliedTo.has(credit.id)) return;
          for (const older of usable.slice(0, index)) expect(invoice.remaining.get(older.id)).toBe(0);
        });
      }),
      { numRuns: 500 },
    );
  });
});

describe('addMonths and periodEnd', () => {
  it('clamps to the end of a shorter month, leap years included', () => {
    expect(addMonths(utc('2025-01-31'), 1)).toEqual(utc('2025-02-28'));
    expect(addMonths(utc('2024-01-31'), 1)).toEqual(utc('2024-02-29'));
    expect(addMonths(utc('2024-02-29'), 12)).toEqual(utc('2025-02-28'));
    expect(addMonths(utc('2025-03-31'), -1)).toEqual(utc('2025-02-28'));
    expect(addMonths(utc('2025-08-31'), 1)).toEqual(utc('2025-09-30'));
  });

  it('crosses year boundaries both ways and keeps the time of day', () => {
    expect(addMonths(new Date('2025-11-15T13:45:10.123Z'), 3)).toEqual(new Date('2026-02-15T13:45:10.123Z'));
    expect(addMonths(utc('2025-01-15'), -13)).toEqual(utc('2023-12-15'));
    expect(addMonths(utc('2025-01-15'), 0)).toEqual(utc('2025-01-15'));
  });

  it('ends monthly and yearly periods one month or twelve later', () => {
    expect(periodEnd(utc('2025-01-31'), 'month')).toEqual(utc('2025-02-28'));
    expect(periodEnd(utc('2024-02-29'), 'year')).toEqual(utc('2025-02-28'));
    expect(periodEnd(utc('2025-06-15'), 'year')).toEqual(utc('2026-06-15'));
  });

  it('never moves a day past the target month and keeps it when the month is long enough', () => {
    fc.assert(
      fc.property(
        fc.date({ min: utc('1970-01-01'), max: utc('2200-01-01'), noInvalidDate: true }),
        fc.integer({ min: -2400, max: 2400 }),
        (date, months) => {
          const result = addMonths(date, months);
          const expectedMonth = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
          expect(result.getUTCFullYear() * 12 + result.getUTCMonth()).toBe(expectedMonth);
          expect(result.getUTCDate()).toBeLessThanOrEqual(date.getUTCDate());
          if (result.getUTCDate() < date.getUTCDate()) expect(new Date(result.getTime() + DAY).getUTCDate()).toBe(1);
          const timeOfDay = (d: Date) => ((d.getTime() % DAY) + DAY) % DAY;
          expect(timeOfDay(result)).toBe(timeOfDay(date));
        },
      ),
    );
  });
});

describe('month slices of a period', () => {
  it('cuts a yearly period into twelve monthly quota windows anchored on its start', () => {
    const start = new Date('2026-01-31T00:00:00Z');
    const slices = monthSlices(start, addMonths(start, 12));
    expect(slices).toHaveLength(12);
    expect(slices[1]).toEqual({ start: new Date('2026-02-28T00:00:00Z'), end: new Date('2026-03-31T00:00:00Z') });
    expect(slices[11].end).toEqual(new Date('2027-01-31T00:00:00Z'));
    for (let index = 1; index < slices.length; index++) expect(slices[index].start).toEqual(slices[index - 1].end);
    expect(monthSliceAt(start, addMonths(start, 12), new Date('2026-03-05T00:00:00Z'))).toEqual(slices[1]);
    expect(monthSliceAt(start, addMonths(start, 12), new Date('2030-01-01T00:00:00Z'))).toEqual(slices[11]);
  });

  it('is the period itself for a monthly period', () => {
    const start = new Date('2026-04-10T00:00:00Z');
    expect(monthSlices(start, addMonths(start, 1))).toEqual([{ start, end: addMonths(start, 1) }]);
  });
});
