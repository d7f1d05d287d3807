import { atrium, type JsonValue } from '@atrium/plugin-sdk';
import type { Categorisation } from './categories.ts';
import { normaliseText } from './categories.ts';

/**
 * Storage layout, in the installation's store:
 * - `expense:<YYYY-MM>:<YYYY-MM-DD>:<id>` → an `Expense`;
 * - `totals:<YYYY-MM>` → `{ <currency>: { <category>: { amount, count } } }`, kept up to date on
 *   every write so a month's summary is one read however many expenses it holds (`store.list`
 *   answers at most 100 entries);
 * - `merchant:<normalised name>` → the category last given for that merchant;
 * - `budget:<category>`, `alerted:<YYYY-MM>:<category>:<threshold>` (see budgets.ts);
 * - `sequence` → the last number used in an expense id.
 *
 * The store has no transactions: two writes racing on the same month can lose one update of
 * its totals. Calls of one installation are rare and short, so this is accepted.
 */

export interface Expense {
  id: string;
  amount: number;
  currency: string;
  merchant: string;
  date: string;
  note?: string;
  category: string;
  categorised_by: Categorisation['categorised_by'];
}

export type MonthTotals = Record<string, Record<string, { amount: number; count: number }>>;

/** `exp_20250305_k9`: the date is part of the id, so an id leads to its key without an index. */
export function newId(date: string, sequence: number): string {
  return `exp_${date.replace(/-/g, '')}_${sequence.toString(36)}`;
}

export function keyOfId(id: string): string | null {
  const match = /^exp_(\d{4})(\d{2})(\d{2})_[0-9a-z]+$/.exec(id);
  return match ? `expense:${match[1]}-${match[2]}:${match[1]}-${match[2]}-${match[3]}:${id}` : null;
}

export const expenseKey = (expense: Pick<Expense, 'id' | 'date'>) => `expense:${expense.date.slice(0, 7)}:${expense.date}:${expense.id}`;

export async function nextSequence(): Promise<number> {
  const current = await atrium.store.get<number>('sequence');
  const next = (typeof current === 'number' ? current : 0) + 1;
  await atrium.store.set('sequence', next);
  return next;
}

export async function monthTotals(month: string): Promise<MonthTotals> {
  const value = await atrium.store.get(`totals:${month}`);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as unknown as MonthTotals) : {};
}

/** Adds (or with `sign` −1 removes) an expense to its month's totals; answers the category's new total. */
export async function addToTotals(expense: Expense, sign: 1 | -1): Promise<{ amount: number; count: number }> {
  const month = expense.date.slice(0, 7);
  const totals = await monthTotals(month);
  const byCategory = totals[expense.currency] ?? {};
  const current = byCategory[expense.category] ?? { amount: 0, count: 0 };
  const next = { amount: current.amount + sign * expense.amount, count: current.count + sign };
  if (next.count <= 0) delete byCategory[expense.category];
  else byCategory[expense.category] = next;
  if (Object.keys(byCategory).length === 0) delete totals[expense.currency];
  else totals[expense.currency] = byCategory;
  await atrium.store.set(`totals:${month}`, totals as unknown as JsonValue);
  return next;
}

export async function saveExpense(expense: Expense): Promise<void> {
  await atrium.store.set(expenseKey(expense), expense as unknown as JsonValue);
}

/** The category last given for this merchant, learned from earlier expenses. */
export async function learnedCategory(merchant: string): Promise<string | null> {
  const value = await atrium.store.get(`merchant:${normaliseText(merchant).slice(0, 200)}`);
  return typeof value === 'string' ? value : null;
}

export async function learnCategory(merchant: string, category: string): Promise<void> {
  const key = normaliseText(merchant).slice(0, 200);
  if (key !== '') await atrium.store.set(`merchant:${key}`, category);
}
