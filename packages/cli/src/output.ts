import { AtriumError } from '@atrium/sdk';

/** Anything text can be written to: `process.stdout`, or a buffer in tests. */
export interface Writer {
  write(chunk: string): unknown;
}

/** A mistake in how the command was called: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure on this side of the API (no session, unreachable server…): exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}

/** One table column: its header and how to read a row's cell. */
export type Column<Row> = [header: string, cell: (row: Row) => string | null | undefined];

/**
 * Formats rows as a compact table aligned on two-space gutters, headers in capitals.
 *
 * @example
 * formatTable([{ id: 'ws_1', name: 'Default' }], [['id', (w) => w.id], ['name', (w) => w.name]]);
 * // 'ID    NAME\nws_1  Default\n'
 */
export function formatTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[], empty = '(none)'): string {
  if (rows.length === 0) return `${empty}\n`;
  const cells = [columns.map(([header]) => header.toUpperCase()), ...rows.map((row) => columns.map(([, cell]) => cell(row) ?? '-'))];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => line[index].length)));
  return cells
    .map((line) => `${line.map((cell, index) => cell.padEnd(widths[index])).join('  ')}`.trimEnd())
    .join('\n')
    .concat('\n');
}

/**
 * Formats label/value pairs, one per line, values aligned.
 *
 * @example
 * formatRecord([['id', 'ws_1'], ['name', 'Default']]); // 'id    ws_1\nname  Default\n'
 */
export function formatRecord(pairs: ReadonlyArray<[label: string, value: string | null | undefined]>): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs
    .map(([label, value]) => `${label.padEnd(width)}  ${value ?? '-'}`)
    .join('\n')
    .concat('\n');
}

/**
 * An ISO timestamp as `YYYY-MM-DD HH:MM` (UTC), or `-`.
 *
 * @example
 * formatDate('2025-11-23T10:37:12.000Z'); // '2025-11-23 10:37'
 */
export function formatDate(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 16).replace('T', ' ') : '-';
}

/** Where a command writes: JSON or human text on stdout, notes on stderr. */
export interface Output {
  readonly json: boolean;
  /** Prints `value` as JSON with `--json`, otherwise the text `human()` builds. */
  print(value: unknown, human: () => string): void;
  /** A note for the person at the terminal, on stderr (kept out of pipes). */
  note(text: string): void;
}

/**
 * The output for one command run.
 *
 * @example
 * const output = createOutput({ stdout: process.stdout, stderr: process.stderr }, options.json === true);
 * output.print(workspace, () => formatRecord([['id', workspace.id]]));
 */
export function createOutput(io: { stdout: Writer; stderr: Writer }, json: boolean): Output {
  return {
    json,
    print(value, human) {
      io.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : human());
    },
    note(text) {
      io.stderr.write(`${text}\n`);
    },
  };
}

const SIGN_IN_AGAIN = new Set(['invalid_token', 'invalid_refresh_token', 'refresh_token_reused', 'session_revoked']);

/**
 * Describes a failure for stderr and picks the exit code (2 for usage errors, otherwise 1).
 *
 * @example
 * const { text, exitCode } = describeError(error);
 * process.stderr.write(text);
 * // 'error: The API key is invalid, revoked or expired. (invalid_api_key, request req_3f2a…)\n'
 */
export function describeError(error: unknown): { text: string; exitCode: number } {
  if (error instanceof AtriumError) {
    const where = error.requestId ? `, request ${error.requestId}` : '';
    const hint = SIGN_IN_AGAIN.has(error.code) ? 'hint: run `atrium login` to sign in again\n' : '';
    return { text: `error: ${error.message} (${error.code}${where})\n${hint}`, exitCode: 1 };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { text: `error: ${message}\n`, exitCode: error instanceof UsageError ? 2 : 1 };
}
