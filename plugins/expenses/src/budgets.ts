import { atrium, type JsonValue } from '@atrium/plugin-sdk';

/** A monthly limit for one category, in one currency's minor units. */
export interface Budget {
  category: string;
  monthly_limit: number;
  currency: string;
}

export interface BudgetAlert {
  category: string;
  month: string;
  /** Percent of the budget crossed: 80 or 100. */
  threshold: number;
  spent: number;
  monthly_limit: number;
  currency: string;
  percent: number;
}

/** Percentages of a budget that alert when a month's spending reaches them. */
export const THRESHOLDS = [80, 100] as const;

export async function getBudget(category: string): Promise<Budget | null> {
  const value = await atrium.store.get(`budget:${category}`);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as unknown as Budget) : null;
}

export async function listBudgets(): Promise<Budget[]> {
  return (await atrium.store.list('budget:')).map((entry) => entry.value as unknown as Budget);
}

export const percentOf = (spent: number, limit: number) => Math.round((spent / limit) * 1000) / 10;

/**
 * Alerts for the thresholds `spent` has reached this month that have not alerted yet: each is
 * marked, published as the event `budget.threshold` (`plugin.expenses.budget.threshold`) and
 * answered. So each month and threshold alerts once, however many expenses follow.
 */
export async function checkThresholds(budget: Budget, month: string, spent: number): Promise<BudgetAlert[]> {
  const alerts: BudgetAlert[] = [];
  for (const threshold of THRESHOLDS) {
    if (spent * 100 < budget.monthly_limit * threshold) continue;
    const marker = `alerted:${month}:${budget.category}:${threshold}`;
    if ((await atrium.store.get(marker)) !== null) continue;
    await atrium.store.set(marker, { spent, at_percent: percentOf(spent, budget.monthly_limit) });
    const alert: BudgetAlert = {
      category: budget.category,
      month,
      threshold,
      spent,
      monthly_limit: budget.monthly_limit,
      currency: budget.currency,
      percent: percentOf(spent, budget.monthly_limit),
    };
    await atrium.emit('budget.threshold', alert as unknown as Record<string, JsonValue>);
    alerts.push(alert);
  }
  return alerts;
}

/** The thresholds that have alerted in a month, per category. */
export async function alertsSent(month: string): Promise<Array<{ category: string; threshold: number }>> {
  return (await atrium.store.list(`alerted:${month}:`))
    .map((entry) => {
      const [, , category, threshold] = entry.key.split(':');
      return { category, threshold: Number(threshold) };
    })
    .sort((a, b) => a.category.localeCompare(b.category) || a.threshold - b.threshold);
}
