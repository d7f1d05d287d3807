// A leading = + - @ (or tab/CR) makes spreadsheets evaluate the cell; prefixing a quote keeps it text.
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV cell, quoted when needed and defused against spreadsheet formula injection.
 *
 * @example
 * csvCell('=SUM(A1)') // "'=SUM(A1)"
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A whole CSV document: a header row and one row per record, `\n`-terminated. */
export function csvDocument(header: string[], rows: unknown[][]): string {
  return `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n')}\n`;
}
