import { Command, CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { registerAuthentication } from './commands/authentication.ts';
import { registerBilling } from './commands/billing.ts';
import { registerChat } from './commands/chat.ts';
import { registerKeys } from './commands/keys.ts';
import { registerMembers } from './commands/members.ts';
import { registerPlugin } from './commands/plugin.ts';
import { registerProviders } from './commands/providers.ts';
import { registerRoutes } from './commands/routes.ts';
import { registerUsage } from './commands/usage.ts';
import { registerWhoami } from './commands/whoami.ts';
import { registerWorkspaces } from './commands/workspaces.ts';
import { loadEnvironment } from './config.ts';
import type { CliIo } from './context.ts';
import { describeError } from './output.ts';
import { clackPrompter } from './prompts.ts';

/**
 * Builds the `atrium` program around `io`. It never exits the process: commander's own errors
 * are thrown as `CommanderError` (see `run`).
 *
 * @example
 * const program = buildProgram({ stdout, stderr, stdin, environment: parseEnvironment({}) });
 * await program.parseAsync(['workspaces', 'list', '--json'], { from: 'user' });
 */
export function buildProgram(io: CliIo): Command {
  const program = new Command('atrium')
    .description('Command-line client for the Atrium platform API')
    .version(packageJson.version, '-V, --version')
    .option('--url <url>', 'the Atrium server (default: ATRIUM_URL, the stored session’s, http://localhost:3000)')
    .option('--api-key <key>', 'authenticate with this API key (default: ATRIUM_API_KEY, then the stored session)')
    .option('--json', 'print raw JSON instead of tables')
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(run `atrium --help` for usage)')
    .exitOverride();
  registerAuthentication(program, io);
  registerWhoami(program, io);
  registerWorkspaces(program, io);
  registerKeys(program, io);
  registerMembers(program, io);
  registerProviders(program, io);
  registerRoutes(program, io);
  registerUsage(program, io);
  registerBilling(program, io);
  registerChat(program, io);
  registerPlugin(program, io);
  return program;
}

/**
 * Runs the CLI and answers its exit code: 0 success, 1 failure, 2 bad usage.
 *
 * @example
 * process.exitCode = await run(process.argv.slice(2));
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    // Commander has already printed its message; a non-zero exit from it is a usage error.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const { text, exitCode } = describeError(error);
    io.stderr.write(text);
    return exitCode;
  }
}

/**
 * The real process's io: its streams and environment, prompting only on a terminal.
 *
 * @example
 * await run(['whoami'], processIo());
 */
export function processIo(): CliIo {
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    environment: loadEnvironment(),
    prompter: interactive ? clackPrompter(process.stdin, process.stderr) : undefined,
  };
}
