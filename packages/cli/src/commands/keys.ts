import type { ApiKey } from '@atrium/sdk';
import { type Command, InvalidArgumentError } from 'commander';
import { type CliIo, commandContext } from '../context.ts';
import { type Column, formatDate, formatRecord, formatTable, type Output } from '../output.ts';
import { isoDate } from '../parsers.ts';

/** `revoked`, `expired`, `rotated` (replaced, still valid until it expires) or `active`. */
const status = (key: ApiKey, now = Date.now()) => {
  if (key.revoked_at) return 'revoked';
  if (key.expires_at && Date.parse(key.expires_at) <= now) return 'expired';
  return key.replaced_by ? 'rotated' : 'active';
};

const columns: Column<ApiKey>[] = [
  ['id', (key) => key.id],
  ['name', (key) => key.name],
  ['key', (key) => `…${key.last4}`],
  ['workspace', (key) => key.workspace_id],
  ['status', (key) => status(key)],
  ['scopes', (key) => (key.scopes.length > 2 ? `${key.scopes.length} scopes` : key.scopes.join(','))],
  ['last used', (key) => formatDate(key.last_used_at)],
  ['expires', (key) => formatDate(key.expires_at)],
];

/** Prints a new secret once, with the warning on stderr. */
function printSecret(output: Output, key: ApiKey & { key: string }, extra: [string, string][] = []) {
  output.print(key, () =>
    formatRecord([
      ['id', key.id],
      ['name', key.name],
      ['workspace', key.workspace_id],
      ['scopes', key.scopes.join(',')],
      ['expires', formatDate(key.expires_at)],
      ...extra,
      ['key', key.key],
    ]),
  );
  output.note('warning: store this key now; it will not be shown again');
}

const seconds = (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number of seconds');
  return Number(value);
};

/**
 * Adds `keys list | create | rotate | revoke`.
 *
 * @example
 * registerKeys(program, io); // atrium keys create --name CI --workspace ws_… --scope workspaces:read
 */
export function registerKeys(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('list and manage API keys');

  keys
    .command('list')
    .description('list the organization’s API keys')
    .action(async (_options, command: Command) => {
      const context = commandContext(command, io);
      const { client } = await context.connect();
      const page = await client.apiKeys.list();
      context.output.print(page, () => formatTable(page.data, columns, 'no API keys'));
    });

  keys
    .command('create')
    .description('create an API key; prints its secret once')
    .requiredOption('--name <name>', 'a name to recognise it by')
    .requiredOption('--workspace <id>', 'the workspace it belongs to (ws_…)')
    .option('--scope <scope...>', 'limit it to these scopes (default: all of yours)')
    .option('--expires <iso>', 'when it stops working (ISO 8601)', isoDate)
    .action(async (_options, command: Command) => {
      const context = commandContext<{ name: string; workspace: string; scope?: string[]; expires?: string }>(command, io);
      const { name, workspace, scope, expires } = context.options;
      const { client } = await context.connect();
      const key = await client.apiKeys.create({ name, workspace_id: workspace, scopes: scope, expires_at: expires });
      printSecret(context.output, key);
    });

  keys
    .command('rotate')
    .description('replace a key with a new secret; the old one works for the overlap')
    .argument('<id>', 'the key to rotate (key_…)')
    .option('--overlap <seconds>', 'how long the old secret keeps working (default 86400, 0 = stop now)', seconds)
    .action(async (id: string, _options, command: Command) => {
      const context = commandContext<{ overlap?: number }>(command, io);
      const { client } = await context.connect();
      const key = await client.apiKeys.rotate(id, { overlap_seconds: context.options.overlap });
      printSecret(context.output, key, [
        ['replaces', key.previous.id],
        ['old key until', key.previous.revoked_at ? 'revoked now' : formatDate(key.previous.expires_at)],
      ]);
    });

  keys
    .command('revoke')
    .description('revoke a key; it stops working at once')
    .argument('<id>', 'the key to revoke (key_…)')
    .action(async (id: string, _options, command: Command) => {
      const context = commandContext(command, io);
      const { client } = await context.connect();
      await client.apiKeys.revoke(id);
      context.output.print({ id, revoked: true }, () => `revoked key ${id}\n`);
    });
}
