import { defineCapability } from '@atrium/plugin-sdk';
import { checkThresholds, getBudget, percentOf } from './budgets.ts';
import { chooseCategory } from './categorise.ts';
import { addToTotals, type Expense, learnCategory, newId, nextSequence, saveExpense } from './expense-store.ts';
import { amountOf, categoryOf, currencyOf, dateOf } from './values.ts';

/**
 * `record_expense`: stores an expense, categorised automatically when no category is given (the
 * answer says which and why), and checks the category's budget: crossing 80 % or 100 % of it
 * for the first time in a month publishes `budget.threshold` and lists the alert.
 */
export const recordExpense = defineCapability({
  input: {
    type: 'object',
    properties: {
      amount: { type: 'integer' },
      currency: { type: 'string' },
      merchant: { type: 'string' },
      date: { type: 'string' },
      note: { type: 'string' },
      category: { type: 'string' },
    },
    required: ['amount', 'currency', 'merchant', 'date'],
  },
  async handler(input) {
    const amount = amountOf(input.amount);
    const currency = currencyOf(input.currency);
    const date = dateOf(input.date);
    const merchant = input.merchant.trim();
    const note = input.note?.trim() || undefined;
    const choice = input.category
      ? { category: categoryOf(input.category), categorised_by: 'given' as const, reason: 'given with the expense' }
      : await chooseCategory(merchant, note);
    // A category the user gives is remembered for the merchant: their judgement beats keywords.
    if (choice.categorised_by === 'given') await learnCategory(merchant, choice.category);

    const expense: Expense = {
      id: newId(date, await nextSequence()),
      amount,
      currency,
      merchant,
      date,
      ...(note ? { note } : {}),
      category: choice.category,
      categorised_by: choice.categorised_by,
    };
    await saveExpense(expense);
    const total = await addToTotals(expense, 1);

    const month = date.slice(0, 7);
    const budget = await getBudget(choice.category);
    const counted = budget !== null && budget.currency === currency;
    const alerts = counted && amount > 0 ? await checkThresholds(budget, month, total.amount) : [];
    return {
      id: expense.id,
      category: choice.category,
      categorised_by: choice.categorised_by,
      reason: choice.reason,
      month_total: { category: choice.category, currency, spent: total.amount, count: total.count },
      ...(counted
        ? { budget: { monthly_limit: budget.monthly_limit, spent: total.amount, percent: percentOf(total.amount, budget.monthly_limit) } }
        : {}),
      alerts,
    };
  },
});
