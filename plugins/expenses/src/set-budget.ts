import { atrium, defineCapability } from '@atrium/plugin-sdk';
import { categoryOf, currencyOf, InvalidInputError } from './values.ts';

/** `set_budget`: a category's monthly limit in minor units; a limit of 0 removes the budget. */
export const setBudget = defineCapability({
  input: {
    type: 'object',
    properties: {
      category: { type: 'string' },
      monthly_limit: { type: 'integer' },
      currency: { type: 'string' },
    },
    required: ['category', 'monthly_limit', 'currency'],
  },
  async handler(input) {
    const category = categoryOf(input.category);
    const currency = currencyOf(input.currency);
    if (!Number.isSafeInteger(input.monthly_limit) || input.monthly_limit < 0) {
      throw new InvalidInputError('monthly_limit must be a whole number of minor units (cents), 0 to remove the budget');
    }
    if (input.monthly_limit === 0) {
      const removed = await atrium.store.delete(`budget:${category}`);
      return { category, removed };
    }
    const budget = { category, monthly_limit: input.monthly_limit, currency };
    await atrium.store.set(`budget:${category}`, budget);
    return budget;
  },
});
