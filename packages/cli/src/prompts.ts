import { password, text } from '@clack/prompts';
import { CliError } from './output.ts';

/** Asks the person at the terminal for missing values. */
export interface Prompter {
  text(message: string): Promise<string>;
  password(message: string): Promise<string>;
}

/** Clack answers a symbol when the person cancels (Ctrl-C). */
const answered = (value: string | symbol): string => {
  if (typeof value !== 'string') throw new CliError('cancelled');
  return value;
};

const required = (value: string | undefined) => (value?.trim() ? undefined : 'required');

/**
 * A prompter drawing with @clack/prompts on `output` (stderr, so stdout stays clean for pipes).
 *
 * @example
 * const prompter = clackPrompter(process.stdin, process.stderr);
 * const email = await prompter.text('Email');
 */
export function clackPrompter(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Prompter {
  const streams = { input: input as never, output: output as never };
  return {
    text: async (message) => answered(await text({ message, validate: required, ...streams })).trim(),
    password: async (message) => answered(await password({ message, validate: required, ...streams })),
  };
}

/**
 * Reads a stream to its end as UTF-8, dropping one trailing newline (for `--password-stdin`).
 *
 * @example
 * const secret = await readSecret(process.stdin); // `printf 'pw\n' | atrium login …` → 'pw'
 */
export async function readSecret(input: AsyncIterable<string | Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
