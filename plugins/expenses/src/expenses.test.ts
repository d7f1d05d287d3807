import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHarness, type Harness } from '@atrium/plugin-sdk/testing';
import { packPlugin } from '@atrium/plugin-sdk/tooling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PLUGIN_DIR = fileURLToPath(new URL('..', import.meta.url));

describe('expenses plugin', () => {
  let workDir: string;
  let harness: Harness;
  const record = (input: Record<string, unknown>) => harness.invoke('record_expense', input) as Promise<Record<string, any>>;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'atrium-expenses-'));
    const { file, bundle } = await packPlugin({ dir: PLUGIN_DIR, out: join(workDir, 'expenses.atrium-plugin.json') });
    expect(bundle.code).toContain('__atrium_plugin');
    harness = await createHarness({ bundle: file });
  });
  afterAll(async () => {
    await harness?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('categorises by merchant and note keywords, the longest match winning, and says why', async () => {
    expect(await harness.invoke('categorise', { merchant: 'UBER *EATS BERLIN' })).toEqual({
      category: 'dining',
      categorised_by: 'keyword',
      reason: 'merchant "UBER *EATS BERLIN" matches "uber eats"',
    });
    expect(await harness.invoke('categorise', { merchant: 'Uber BV' })).toMatchObject({ category: 'transport' });
    expect(await harness.invoke('categorise', { merchant: 'REWE Markt GmbH' })).toMatchObject({ category: 'groceries' });
    expect(await harness.invoke('categorise', { merchant: 'Barclays' })).toMatchObject({ category: 'other', categorised_by: 'default' });
    expect(await harness.invoke('categorise', { merchant: 'Sq *Kiosk 12', note: 'Team lunch with Sam' })).toEqual({
      category: 'dining',
      categorised_by: 'keyword',
      reason: 'note "Team lunch with Sam" matches "lunch"',
    });
  });

  it('records expenses in minor units and learns the categories the user gives', async () => {
    const first = await record({ amount: 4_250, currency: 'eur', merchant: 'REWE Markt GmbH', date: '2025-03-02' });
    expect(first).toMatchObject({
      id: expect.stringMatching(/^exp_20250302_/),
      category: 'groceries',
      categorised_by: 'keyword',
      month_total: { category: 'groceries', currency: 'EUR', spent: 4_250, count: 1 },
      alerts: [],
    });
    expect(harness.store.get(`expense:2025-03:2025-03-02:${first.id}`)).toMatchObject({ amount: 4_250, currency: 'EUR' });

    await record({ amount: 1_899, currency: 'EUR', merchant: 'Kiosk am Eck', date: '2025-03-03', category: 'Snacks' });
    expect(await harness.invoke('categorise', { merchant: 'KIOSK AM ECK' })).toEqual({
      category: 'snacks',
      categorised_by: 'learned',
      reason: '"KIOSK AM ECK" was filed under snacks before',
    });
    await expect(record({ amount: 12.5, currency: 'EUR', merchant: 'X', date: '2025-03-03' })).rejects.toMatchObject({
      guestName: 'InvalidInputError',
    });
    await expect(record({ amount: 100, currency: 'EUR', merchant: 'X', date: '2025-02-30' })).rejects.toMatchObject({
      guestName: 'InvalidInputError',
    });
  });

  it('alerts once per month and threshold as spending crosses 80 % and 100 % of a budget', async () => {
    expect(await harness.invoke('set_budget', { category: 'dining', monthly_limit: 20_000, currency: 'EUR' })).toEqual({
      category: 'dining',
      monthly_limit: 20_000,
      currency: 'EUR',
    });
    const dinner = { currency: 'EUR', merchant: 'Trattoria Roma Restaurant', date: '2025-03-10' };
    expect(await record({ ...dinner, amount: 15_000 })).toMatchObject({ alerts: [], budget: { spent: 15_000, percent: 75 } });

    const crossing = await record({ ...dinner, amount: 1_500 });
    expect(crossing.alerts).toEqual([
      { category: 'dining', month: '2025-03', threshold: 80, spent: 16_500, monthly_limit: 20_000, currency: 'EUR', percent: 82.5 },
    ]);
    expect((await record({ ...dinner, amount: 500 })).alerts).toEqual([]);
    expect((await record({ ...dinner, amount: 4_000 })).alerts).toEqual([expect.objectContaining({ threshold: 100, spent: 21_000 })]);
    expect((await record({ ...dinner, amount: 2_000 })).alerts).toEqual([]);

    // In another currency the budget does not apply (no conversion).
    expect(await record({ ...dinner, currency: 'USD', amount: 90_000 })).toMatchObject({ alerts: [] });
    expect(harness.emitted.map((event) => [event.type, event.payload.threshold])).toEqual([
      ['plugin.expenses.budget.threshold', 80],
      ['plugin.expenses.budget.threshold', 100],
    ]);
    expect(harness.emitted[0].payload).toMatchObject({ category: 'dining', month: '2025-03', workspace_id: 'ws_test' });

    // A new month starts afresh; one expense may cross both thresholds at once.
    expect(
      (await record({ ...dinner, date: '2025-04-01', amount: 25_000 })).alerts.map((alert: { threshold: number }) => alert.threshold),
    ).toEqual([80, 100]);
    expect(harness.emitted).toHaveLength(4);
  });

  it('summarises a month against budgets, with last month for comparison', async () => {
    await harness.invoke('set_budget', { category: 'groceries', monthly_limit: 40_000, currency: 'EUR' });
    await harness.invoke('set_budget', { category: 'travel', monthly_limit: 50_000, currency: 'EUR' });
    await record({ amount: 3_000, currency: 'EUR', merchant: 'Lidl', date: '2025-02-27' });
    const result = (await harness.invoke('summary', { month: '2025-03' })) as Record<string, any>;
    expect(result.currencies).toEqual([
      { currency: 'EUR', total: 4_250 + 1_899 + 23_000, count: 7, previous_month_total: 3_000 },
      { currency: 'USD', total: 90_000, count: 1, previous_month_total: 0 },
    ]);
    expect(result.categories).toEqual([
      {
        currency: 'EUR',
        category: 'dining',
        spent: 23_000,
        count: 5,
        previous_month_spent: 0,
        status: 'over',
        monthly_limit: 20_000,
        remaining: -3_000,
        percent: 115,
      },
      {
        currency: 'EUR',
        category: 'groceries',
        spent: 4_250,
        count: 1,
        previous_month_spent: 3_000,
        status: 'ok',
        monthly_limit: 40_000,
        remaining: 35_750,
        percent: 10.6,
      },
      { currency: 'EUR', category: 'snacks', spent: 1_899, count: 1, previous_month_spent: 0, status: 'no_budget' },
      {
        currency: 'EUR',
        category: 'travel',
        spent: 0,
        count: 0,
        previous_month_spent: 0,
        status: 'ok',
        monthly_limit: 50_000,
        remaining: 50_000,
        percent: 0,
      },
      { currency: 'USD', category: 'dining', spent: 90_000, count: 1, previous_month_spent: 0, status: 'no_budget' },
    ]);
    expect(result.alerts).toEqual([
      { category: 'dining', threshold: 80 },
      { category: 'dining', threshold: 100 },
    ]);
  });

  it('lists and deletes expenses, keeping the totals right', async () => {
    const listed = (await harness.invoke('list_expenses', { month: '2025-03', category: 'groceries' })) as {
      expenses: Array<{ id: string }>;
    };
    expect(listed.expenses).toHaveLength(1);
    const [groceries] = listed.expenses;
    expect(await harness.invoke('delete_expense', { id: groceries.id })).toEqual({ id: groceries.id, deleted: true });
    expect(await harness.invoke('delete_expense', { id: groceries.id })).toEqual({ id: groceries.id, deleted: false });
    const result = (await harness.invoke('summary', { month: '2025-03' })) as Record<string, any>;
    expect(result.categories.find((row: { category: string }) => row.category === 'groceries')).toMatchObject({ spent: 0, count: 0 });
    expect((await harness.invoke('list_expenses', { month: '2025-03' })) as { count: number }).toMatchObject({ count: 7 });
  });
});
