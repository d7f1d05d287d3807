import { InvalidArgumentError } from 'commander';

/**
 * Parses an option value as a date or time (ISO 8601; a bare date is midnight UTC) and answers it
 * as a full ISO timestamp. Invalid values are usage errors (exit 2).
 *
 * @example
 * new Option('--from <time>').argParser(isoDate); // '2026-01-31' → '2026-01-31T00:00:00.000Z'
 */
export function isoDate(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new InvalidArgumentError('expected an ISO 8601 date, e.g. 2026-01-31T00:00:00Z');
  return new Date(time).toISOString();
}

/**
 * An option parser for whole numbers within bounds.
 *
 * @example
 * .option('--retries <n>', 'extra tries', wholeNumber(0, 5))
 */
export function wholeNumber(min: number, max: number = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(parsed >= min && parsed <= max)) {
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER ? `expected a whole number ≥ ${min}` : `expected a whole number from ${min} to ${max}`,
      );
    }
    return parsed;
  };
}
