import type { AtriumClient, Provider, ProviderType } from '@atrium/sdk';
import { type Command, Option } from 'commander';
import { type CliIo, commandContext } from '../context.ts';
import { CliError, type Column, formatDate, formatRecord, formatTable, UsageError } from '../output.ts';
import { readSecret } from '../prompts.ts';

/** Every provider type, as `POST /api/v1/providers` accepts them. */
export const PROVIDER_TYPES: readonly ProviderType[] = ['openai', 'azure-openai', 'anthropic', 'gemini', 'openai-compatible'];

const columns: Column<Provider>[] = [
  ['id', (provider) => provider.id],
  ['name', (provider) => provider.name],
  ['type', (provider) => provider.type],
  ['base url', (provider) => provider.base_url ?? 'default'],
  ['key', (provider) => (provider.api_key_hint ? `…${provider.api_key_hint}` : provider.has_api_key ? 'set' : null)],
  ['workspace', (provider) => provider.workspace_id ?? 'all'],
  ['enabled', (provider) => (provider.enabled ? 'yes' : 'no')],
  ['created', (provider) => formatDate(provider.created_at)],
];

const describe = (provider: Provider) =>
  formatRecord([
    ['id', provider.id],
    ['name', provider.name],
    ['type', provider.type],
    ['base url', provider.base_url ?? 'default'],
    ['key', provider.api_key_hint ? `…${provider.api_key_hint}` : provider.has_api_key ? 'set' : null],
    ['workspace', provider.workspace_id ?? 'all'],
    ['models', provider.settings.models?.join(', ')],
    ['enabled', provider.enabled ? 'yes' : 'no'],
  ]);

/** At most `shown` names, then how many more there are. */
const summarize = (names: string[], shown = 10) =>
  names.length <= shown ? names.join(', ') : `${names.slice(0, shown).join(', ')}, … (${names.length - shown} more)`;

/**
 * Finds a connection by its id or its name.
 *
 * @example
 * const provider = await findProvider(client, 'openai'); // or 'prov_01…'
 */
export async function findProvider(client: AtriumClient, reference: string): Promise<Provider> {
  const { data } = await client.providers.list();
  const provider = data.find((entry) => entry.id === reference) ?? data.find((entry) => entry.name === reference);
  if (!provider) throw new CliError(`no provider '${reference}' (see \`atrium providers list\`)`);
  return provider;
}

interface AddOptions {
  type: ProviderType;
  baseUrl?: string;
  keyStdin?: boolean;
  workspace?: string;
  models?: string[];
  apiVersion?: string;
  disabled?: boolean;
}

/**
 * Adds `providers list | add | test | remove`.
 *
 * @example
 * registerProviders(program, io); // printf '%s' "$OPENAI_API_KEY" | atrium providers add openai --type openai --key-stdin
 */
export function registerProviders(program: Command, io: CliIo): void {
  const providers = program.command('providers').description('list, connect, test and remove the AI gateway’s model providers');

  providers
    .command('list')
    .description('list the organization’s provider connections')
    .action(async (_options, command: Command) => {
      const context = commandContext(command, io);
      const { client } = await context.connect();
      const page = await client.providers.list();
      context.output.print(page, () => formatTable(page.data, columns, 'no providers'));
    });

  providers
    .command('add')
    .description('connect a provider; its models are then called as <name>/<model>')
    .argument('<name>', 'the connection’s name (letters, digits, dot, dash, underscore)')
    .addOption(new Option('--type <type>', 'the provider’s API').choices(PROVIDER_TYPES).makeOptionMandatory())
    .option('--base-url <url>', 'where its API is (needed for azure-openai and openai-compatible)')
    .option('--key-stdin', 'read the provider’s API key from stdin (stored encrypted; never shown again)')
    .option('--workspace <id>', 'let only this workspace use it (ws_…)')
    .option('--models <model...>', 'the models it offers, when it cannot list them')
    .option('--api-version <version>', 'the Azure OpenAI api-version')
    .option('--disabled', 'add it switched off')
    .action(async (name: string, _options, command: Command) => {
      const context = commandContext<AddOptions>(command, io);
      const { type, baseUrl, keyStdin, workspace, models, apiVersion, disabled } = context.options;
      let apiKey: string | undefined;
      if (keyStdin) {
        apiKey = (await readSecret(io.stdin)).trim();
        if (!apiKey) throw new UsageError('no key on stdin');
      }
      const settings = models || apiVersion ? { models, api_version: apiVersion } : undefined;
      const { client } = await context.connect();
      const provider = await client.providers.create({
        name,
        type,
        base_url: baseUrl,
        api_key: apiKey,
        workspace_id: workspace,
        settings,
        enabled: disabled ? false : undefined,
      });
      context.output.print(provider, () => describe(provider));
    });

  providers
    .command('test')
    .description('check a connection by listing its models with the stored key (exit 1 if it fails)')
    .argument('<provider>', 'the connection’s name or id')
    .action(async (reference: string, _options, command: Command) => {
      const context = commandContext(command, io);
      const { client } = await context.connect();
      const provider = await findProvider(client, reference);
      const result = await client.providers.test(provider.id);
      context.output.print(result, () =>
        formatRecord([
          ['provider', `${provider.name} (${provider.id})`],
          ['ok', result.ok ? 'yes' : 'no'],
          ['latency', `${result.latency_ms} ms`],
          ['models', result.models.length ? `${result.models.length}: ${summarize(result.models)}` : null],
          ...(result.error ? ([['error', result.error]] as [string, string][]) : []),
        ]),
      );
      if (!result.ok) throw new CliError(`provider ${provider.name} failed the test`);
    });

  providers
    .command('remove')
    .description('remove a connection (refused while a route uses it)')
    .argument('<provider>', 'the connection’s name or id')
    .action(async (reference: string, _options, command: Command) => {
      const context = commandContext(command, io);
      const { client } = await context.connect();
      const provider = await findProvider(client, reference);
      await client.providers.delete(provider.id);
      context.output.print(
        { id: provider.id, name: provider.name, deleted: true },
        () => `removed provider ${provider.name} (${provider.id})\n`,
      );
    });
}
