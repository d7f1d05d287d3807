import { atrium, defineCapability } from '@atrium/plugin-sdk';
import type { Expense } from './expense-store.ts';
import { categoryOf, monthOf } from './values.ts';

const daysIn = (month: string) => {
  const [year, number] = month.split('-').map(Number);
  return new Date(Date.UTC(year, number, 0)).getUTCDate();
};

/**
 * `list_expenses`: a month's expenses by date, optionally of one category. Read day by day,
 * since one store listing answers at most 100 entries.
 */
export const listExpenses = defineCapability({
  input: {
    type: 'object',
    properties: { month: { type: 'string' }, category: { type: 'string' } },
    required: ['month'],
  },
  async handler(input) {
    const month = monthOf(input.month);
    const category = input.category ? categoryOf(input.category) : undefined;
    const expenses: Expense[] = [];
    for (let day = 1; day <= daysIn(month); day++) {
      const entries = await atrium.store.list(`expense:${month}:${month}-${String(day).padStart(2, '0')}:`);
      expenses.push(...entries.map((entry) => entry.value as unknown as Expense));
    }
    const selected = category ? expenses.filter((expense) => expense.category === category) : expenses;
    return { month, expenses: selected, count: selected.length };
  },
});
