import type { Workspace } from '@atrium/sdk';
import type { Command } from 'commander';
import { type CliIo, commandContext } from '../context.ts';
import { type Column, formatDate, formatRecord, formatTable } from '../output.ts';

const columns: Column<Workspace>[] = [
  ['id', (space) => space.id],
  ['name', (space) => space.name],
  ['slug', (space) => space.slug],
  ['description', (space) => space.description],
  ['created', (space) => formatDate(space.created_at)],
];

const describe = (space: Workspace) =>
  formatRecord([
    ['id', space.id],
    ['name', space.name],
    ['slug', space.slug],
    ['description', space.description],
    ['created', formatDate(space.created_at)],
  ]);

/**
 * Adds `workspaces list | create | rename | delete`.
 *
 * @example
 * registerWorkspaces(program, io); // atrium workspaces create Research --description "R&D"
 */
export function registerWorkspaces(program: Command, io: CliIo): void {
  const workspaces = program.command('workspaces').description('list and manage the organization’s workspaces');

  workspaces
    .command('list')
    .description('list every workspace')
    .action(async (_options, command: Command) => {
      const context = commandContext(command, io);
      const { client } = await context.connect();
      const data: Workspace[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.workspaces.list({ limit: 100, cursor });
        data.push(...page.data);
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      context.output.print({ data, next_cursor: null }, () => formatTable(data, columns, 'no workspaces'));
    });

  workspaces
    .command('create')
    .description('create a workspace')
    .argument('<name>', 'its name')
    .option('--description <description>', 'what it is for')
    .action(async (name: string, _options, command: Command) => {
      const context = commandContext<{ description?: string }>(command, io);
      const { client } = await context.connect();
      const space = await client.workspaces.create({ name, description: context.options.description });
      context.output.print(space, () => describe(space));
    });

  workspaces
    .command('rename')
    .description('rename a workspace')
    .argument('<id>', 'the workspace (ws_…)')
    .argument('<name>', 'its new name')
    .action(async (id: string, name: string, _options, command: Command) => {
      const context = commandContext(command, io);
      const { client } = await context.connect();
      const space = await client.workspaces.update(id, { name });
      context.output.print(space, () => describe(space));
    });

  workspaces
    .command('delete')
    .description('delete a workspace (not the last one)')
    .argument('<id>', 'the workspace (ws_…)')
    .action(async (id: string, _options, command: Command) => {
      const context = commandContext(command, io);
      const { client } = await context.connect();
      await client.workspaces.delete(id);
      context.output.print({ id, deleted: true }, () => `deleted workspace ${id}\n`);
    });
}
