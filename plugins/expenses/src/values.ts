/** Input the caller got wrong; the message names the field. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/** An ISO 4217 code, upper case. */
export function currencyOf(value: string): string {
  const code = value.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) throw new InvalidInputError('currency must be an ISO 4217 code such as EUR');
  return code;
}

/** A real `YYYY-MM-DD` date. */
export function dateOf(value: string, field = 'date'): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || date.toISOString().slice(0, 10) !== value) throw new InvalidInputError(`${field} must be a date such as 2025-03-05`);
  return value;
}

/** A real `YYYY-MM` month. */
export function monthOf(value: string, field = 'month'): string {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw new InvalidInputError(`${field} must be a month such as 2025-03`);
  return value;
}

/** The month before, `2025-01` → `2024-12`. */
export function previousMonth(month: string): string {
  const [year, number] = month.split('-').map(Number);
  return number === 1 ? `${year - 1}-12` : `${year}-${String(number - 1).padStart(2, '0')}`;
}

/** Categories are short slugs: `Eating out` → `eating_out`. */
export function categoryOf(value: string): string {
  const slug = value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_')
    .replace(/[^a-z0-9_]/g, '');
  if (!/^[a-z0-9][a-z0-9_]{0,39}$/.test(slug))
    throw new InvalidInputError('category must be 1 to 40 letters, digits, spaces or underscores');
  return slug;
}

/** Amounts are integers in the currency's minor unit (cents); negative ones are refunds. */
export function amountOf(value: number, field = 'amount', { allowNegative = true } = {}): number {
  if (!Number.isSafeInteger(value) || value === 0 || (!allowNegative && value < 0)) {
    throw new InvalidInputError(`${field} must be a non-zero whole number of minor units (cents)${allowNegative ? '' : ', above 0'}`);
  }
  return value;
}
