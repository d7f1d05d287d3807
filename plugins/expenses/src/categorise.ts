import { defineCapability } from '@atrium/plugin-sdk';
import { type Categorisation, categoriseByKeywords } from './categories.ts';
import { learnedCategory } from './expense-store.ts';

/**
 * The category for a merchant: the one last given for it (the user's own choice wins), else
 * the keyword rules on the merchant and then the note, else `other`.
 */
export async function chooseCategory(merchant: string, note?: string): Promise<Categorisation> {
  const learned = await learnedCategory(merchant);
  if (learned) return { category: learned, categorised_by: 'learned', reason: `"${merchant}" was filed under ${learned} before` };
  return categoriseByKeywords(merchant, note);
}

/** `categorise`: which category an expense would get, and why, without recording it. */
export const categorise = defineCapability({
  input: {
    type: 'object',
    properties: { merchant: { type: 'string' }, note: { type: 'string' } },
    required: ['merchant'],
  },
  handler: (input) => chooseCategory(input.merchant, input.note),
});
