import { defineCapability } from '@atrium/plugin-sdk';
import { alertsSent, type Budget, listBudgets, percentOf } from './budgets.ts';
import { monthTotals } from './expense-store.ts';
import { monthOf, previousMonth } from './values.ts';

type Status = 'no_budget' | 'ok' | 'warning' | 'over';

function statusOf(spent: number, budget: Budget | undefined): Status {
  if (!budget) return 'no_budget';
  if (spent > budget.monthly_limit) return 'over';
  return spent * 100 >= budget.monthly_limit * 80 ? 'warning' : 'ok';
}

/**
 * `summary`: a month's spending per currency and category against the budgets, with last
 * month's figure for comparison and the alerts sent. Amounts in other currencies than a
 * budget's are not converted, so they do not count against it.
 */
export const summary = defineCapability({
  input: { type: 'object', properties: { month: { type: 'string' } }, required: ['month'] },
  async handler(input) {
    const month = monthOf(input.month);
    const [totals, previous, budgets, alerts] = await Promise.all([
      monthTotals(month),
      monthTotals(previousMonth(month)),
      listBudgets(),
      alertsSent(month),
    ]);
    const budgetOf = new Map(budgets.map((budget) => [`${budget.currency}:${budget.category}`, budget]));
    const rows = new Map<string, { currency: string; category: string; spent: number; count: number }>();
    for (const [currency, categories] of Object.entries(totals)) {
      for (const [category, total] of Object.entries(categories)) {
        rows.set(`${currency}:${category}`, { currency, category, spent: total.amount, count: total.count });
      }
    }
    // Budgets nothing was spent against yet still show, at 0.
    for (const budget of budgets) {
      const key = `${budget.currency}:${budget.category}`;
      if (!rows.has(key)) rows.set(key, { currency: budget.currency, category: budget.category, spent: 0, count: 0 });
    }
    const categories = [...rows.entries()]
      .map(([key, row]) => {
        const budget = budgetOf.get(key);
        return {
          ...row,
          previous_month_spent: previous[row.currency]?.[row.category]?.amount ?? 0,
          status: statusOf(row.spent, budget),
          ...(budget
            ? {
                monthly_limit: budget.monthly_limit,
                remaining: budget.monthly_limit - row.spent,
                percent: percentOf(row.spent, budget.monthly_limit),
              }
            : {}),
        };
      })
      .sort((a, b) => a.currency.localeCompare(b.currency) || b.spent - a.spent || a.category.localeCompare(b.category));
    const currencies = Object.entries(totals).map(([currency, byCategory]) => ({
      currency,
      total: Object.values(byCategory).reduce((sum, total) => sum + total.amount, 0),
      count: Object.values(byCategory).reduce((sum, total) => sum + total.count, 0),
      previous_month_total: Object.values(previous[currency] ?? {}).reduce((sum, total) => sum + total.amount, 0),
    }));
    return { month, currencies, categories, alerts };
  },
});
