/**
 * The `atrium` command-line tool, usable in-process.
 *
 * @example
 * import { parseEnvironment, run } from '@atrium/cli';
 * const code = await run(['whoami', '--json'], { stdout, stderr, stdin, environment: parseEnvironment({ ATRIUM_API_KEY: key }) });
 */
export { parseEnvironment } from './config.ts';
export type { CliIo } from './context.ts';
export { buildProgram, processIo, run } from './program.ts';
