import { AtriumError, createClient } from '@atrium/sdk';
import type { Command } from 'commander';
import { normalizeUrl, reportingFetch, resolveBaseUrl, sessionClient } from '../connection.ts';
import { type CliIo, commandContext } from '../context.ts';
import { credentialsPath, deleteCredentials, readCredentials, saveCredentials } from '../credentials.ts';
import { UsageError } from '../output.ts';
import { readSecret } from '../prompts.ts';

interface LoginOptions {
  email?: string;
  passwordStdin?: boolean;
}

/** Asks for, or reads, what `login` was not given. */
async function loginInput(options: LoginOptions, io: CliIo) {
  if (options.passwordStdin) {
    if (!options.email) throw new UsageError('--password-stdin needs --email');
    const password = await readSecret(io.stdin);
    if (!password) throw new UsageError('no password on stdin');
    return { email: options.email, password };
  }
  if (!io.prompter) throw new UsageError('no terminal to prompt on: pass --email and --password-stdin');
  const email = options.email ?? (await io.prompter.text('Email'));
  return { email, password: await io.prompter.password('Password') };
}

/**
 * Adds `login` and `logout`.
 *
 * @example
 * registerAuthentication(program, io); // atrium login --email ada@example.com --password-stdin
 */
export function registerAuthentication(program: Command, io: CliIo): void {
  program
    .command('login')
    .description('sign in and store the session (prompts for what is missing)')
    .option('--email <email>', 'your account email')
    .option('--password-stdin', 'read the password from stdin (for scripts)')
    .action(async (_options, command: Command) => {
      const { options, output } = commandContext<LoginOptions>(command, io);
      const configDirectory = io.environment.configDirectory;
      const stored = await readCredentials(configDirectory).catch(() => undefined);
      const baseUrl = resolveBaseUrl(options, io.environment, stored);
      const { email, password } = await loginInput(options, io);
      const client = createClient({ baseUrl, fetch: reportingFetch(baseUrl, io.fetch) });
      const session = await client.auth.login({ email, password });
      await saveCredentials(configDirectory, { url: baseUrl, access_token: session.access_token, refresh_token: session.refresh_token });
      output.print(
        { url: baseUrl, user: session.user, credentials: credentialsPath(configDirectory) },
        () => `logged in to ${baseUrl} as ${session.user.email}\n`,
      );
    });

  program
    .command('logout')
    .description('end the stored session and delete its credentials')
    .action(async (_options, command: Command) => {
      const { output } = commandContext(command, io);
      const configDirectory = io.environment.configDirectory;
      const stored = await readCredentials(configDirectory).catch(() => undefined);
      if (stored) {
        try {
          await sessionClient({ ...stored, url: normalizeUrl(stored.url) }, io).auth.logout();
        } catch (error) {
          const ended = error instanceof AtriumError && error.status === 401;
          if (!ended) output.note(`warning: could not end the session on the server: ${(error as Error).message}`);
        }
      }
      const deleted = await deleteCredentials(configDirectory);
      output.print({ logged_out: deleted, url: stored?.url ?? null }, () =>
        deleted ? `logged out of ${stored?.url ?? 'Atrium'}\n` : 'not logged in\n',
      );
    });
}
