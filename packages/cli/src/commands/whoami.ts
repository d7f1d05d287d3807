import type { Command } from 'commander';
import { type CliIo, commandContext } from '../context.ts';
import { formatRecord } from '../output.ts';

/**
 * Adds `whoami`: who the current credential acts as.
 *
 * @example
 * registerWhoami(program, io); // atrium whoami --api-key atr_live_…
 */
export function registerWhoami(program: Command, io: CliIo): void {
  program
    .command('whoami')
    .description('show the user, organization and role the current credential acts as')
    .action(async (_options, command: Command) => {
      const context = commandContext(command, io);
      const { client, baseUrl } = await context.connect();
      const me = await client.me();
      context.output.print(me, () =>
        formatRecord([
          ['user', `${me.user.name} <${me.user.email}> (${me.user.id})`],
          ['organization', `${me.organization.name} (${me.organization.id})`],
          ['role', me.role],
          ...(me.api_key
            ? ([
                ['api key', me.api_key.id],
                ['workspace', me.api_key.workspace_id],
              ] as [string, string][])
            : []),
          ['server', baseUrl],
        ]),
      );
    });
}
