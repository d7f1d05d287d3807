import type { Member, Role } from '@atrium/sdk';
import { type Command, Option } from 'commander';
import { type CliIo, commandContext } from '../context.ts';
import { type Column, formatDate, formatRecord, formatTable } from '../output.ts';

/** Every role, as docs/api.md lists them. */
export const ROLES: readonly Role[] = ['owner', 'admin', 'developer', 'member', 'viewer', 'billing'];

const columns: Column<Member>[] = [
  ['id', (member) => member.id],
  ['email', (member) => member.user.email],
  ['name', (member) => member.user.name],
  ['role', (member) => member.role],
  ['joined', (member) => formatDate(member.created_at)],
];

/**
 * Adds `members list` and `invite <email> --role <role>`.
 *
 * @example
 * registerMembers(program, io); // atrium invite grace@example.com --role developer
 */
export function registerMembers(program: Command, io: CliIo): void {
  program
    .command('members')
    .description('see who belongs to the organization')
    .command('list')
    .description('list the organization’s members')
    .action(async (_options, command: Command) => {
      const context = commandContext(command, io);
      const { client } = await context.connect();
      const page = await client.members.list();
      context.output.print(page, () => formatTable(page.data, columns, 'no members'));
    });

  program
    .command('invite')
    .description('invite someone by email; prints the invitation URL')
    .argument('<email>', 'their email address')
    .addOption(new Option('--role <role>', 'the role they get').choices(ROLES).makeOptionMandatory())
    .action(async (email: string, _options, command: Command) => {
      const context = commandContext<{ role: Role }>(command, io);
      const { client } = await context.connect();
      const invitation = await client.invitations.create({ email, role: context.options.role });
      context.output.print(invitation, () =>
        formatRecord([
          ['id', invitation.id],
          ['email', invitation.email],
          ['role', invitation.role],
          ['expires', formatDate(invitation.expires_at)],
          ['url', invitation.url],
        ]),
      );
    });
}
