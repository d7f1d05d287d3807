import { atrium, defineCapability } from '@atrium/plugin-sdk';
import { addToTotals, type Expense, keyOfId } from './expense-store.ts';
import { InvalidInputError } from './values.ts';

/** `delete_expense`: removes a recorded expense (a mistake, a duplicate) and its share of the totals. */
export const deleteExpense = defineCapability({
  input: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  async handler(input) {
    const key = keyOfId(input.id);
    if (!key) throw new InvalidInputError('id must be an expense id such as exp_20250305_1');
    const expense = (await atrium.store.get(key)) as Expense | null;
    if (!expense) return { id: input.id, deleted: false };
    await atrium.store.delete(key);
    await addToTotals(expense, -1);
    return { id: input.id, deleted: true };
  },
});
