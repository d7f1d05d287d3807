import { definePlugin } from '@atrium/plugin-sdk';
import { categorise } from './categorise.ts';
import { deleteExpense } from './delete-expense.ts';
import { listExpenses } from './list-expenses.ts';
import { recordExpense } from './record-expense.ts';
import { setBudget } from './set-budget.ts';
import { summary } from './summary.ts';

definePlugin({
  capabilities: {
    record_expense: recordExpense,
    categorise,
    set_budget: setBudget,
    summary,
    list_expenses: listExpenses,
    delete_expense: deleteExpense,
  },
});
