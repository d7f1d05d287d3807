import type { Route, RouteStrategy, RouteTargetInput } from '@atrium/sdk';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type CliIo, commandContext } from '../context.ts';
import { CliError, type Column, formatDate, formatRecord, formatTable } from '../output.ts';
import { wholeNumber } from '../parsers.ts';

const STRATEGIES: readonly RouteStrategy[] = ['fallback', 'loadbalance'];

/**
 * Parses `provider:model[:weight]`. The provider ends at the first colon (names have none); a
 * trailing `:<number>` is the weight, so a model named `qwen:7` is written `local:qwen:7:1`.
 *
 * @example
 * parseTarget('local:llama3:8b');   // { provider: 'local', model: 'llama3:8b' }
 * parseTarget('openai:gpt-4o:3');   // { provider: 'openai', model: 'gpt-4o', weight: 3 }
 */
export function parseTarget(value: string): RouteTargetInput {
  const match = /^([^:\s]+):(.+?)(?::(\d+(?:\.\d+)?))?$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected provider:model or provider:model:weight, e.g. openai:gpt-4o-mini:3');
  const [, provider, model, weight] = match;
  return weight === undefined ? { provider, model } : { provider, model, weight: Number(weight) };
}

/** How `routes list` shows targets: the `--target` syntax, weights only where they count. */
const targetsOf = (route: Route) =>
  route.targets
    .map((target) => `${target.provider}:${target.model}${route.strategy === 'loadbalance' ? `:${target.weight}` : ''}`)
    .join(', ');

const columns: Column<Route>[] = [
  ['id', (route) => route.id],
  ['model', (route) => route.model],
  ['strategy', (route) => route.strategy],
  ['targets', targetsOf],
  ['retries', (route) => String(route.retries)],
  ['timeout', (route) => (route.timeout_ms === null ? null : `${route.timeout_ms} ms`)],
  ['created', (route) => formatDate(route.created_at)],
];

interface AddOptions {
  strategy: RouteStrategy;
  target: RouteTargetInput[];
  retries?: number;
  timeoutMs?: number;
}

/**
 * Adds `routes list | add | remove`.
 *
 * @example
 * registerRoutes(program, io); // atrium routes add smart --target openai:gpt-4o --target anthropic:claude-sonnet-4-5
 */
export function registerRoutes(program: Command, io: CliIo): void {
  const routes = program.command('routes').description('list and manage the AI gateway’s model aliases (routes)');

  routes
    .command('list')
    .description('list the organization’s routes')
    .action(async (_options, command: Command) => {
      const context = commandContext(command, io);
      const { client } = await context.connect();
      const page = await client.routes.list();
      context.output.print(page, () => formatTable(page.data, columns, 'no routes'));
    });

  routes
    .command('add')
    .description('create a model alias served by ordered (fallback) or weighted (loadbalance) targets')
    .argument('<model>', 'the alias clients send as `model` (no slash or spaces)')
    .addOption(
      new Option('--strategy <strategy>', 'try targets in order, or spread calls by weight').choices(STRATEGIES).default('fallback'),
    )
    .addOption(
      new Option('--target <provider:model[:weight]>', 'a target; repeat for more (in fallback order)')
        .argParser((value: string, previous: RouteTargetInput[] | undefined) => [...(previous ?? []), parseTarget(value)])
        .makeOptionMandatory(),
    )
    .option('--retries <n>', 'extra tries per target on 429, 5xx and timeouts (0–5, default 0)', wholeNumber(0, 5))
    .option('--timeout-ms <ms>', 'per-target time to first byte before moving on', wholeNumber(100, 600_000))
    .action(async (model: string, _options, command: Command) => {
      const context = commandContext<AddOptions>(command, io);
      const { strategy, target, retries, timeoutMs } = context.options;
      const { client } = await context.connect();
      const route = await client.routes.create({ model, strategy, targets: target, retries, timeout_ms: timeoutMs });
      context.output.print(route, () =>
        formatRecord([
          ['id', route.id],
          ['model', route.model],
          ['strategy', route.strategy],
          ['targets', targetsOf(route)],
          ['retries', String(route.retries)],
          ['timeout', route.timeout_ms === null ? null : `${route.timeout_ms} ms`],
        ]),
      );
    });

  routes
    .command('remove')
    .description('remove a route; its alias stops working at once')
    .argument('<route>', 'the alias or the route’s id')
    .action(async (reference: string, _options, command: Command) => {
      const context = commandContext(command, io);
      const { client } = await context.connect();
      const { data } = await client.routes.list();
      const route = data.find((entry) => entry.id === reference) ?? data.find((entry) => entry.model === reference);
      if (!route) throw new CliError(`no route '${reference}' (see \`atrium routes list\`)`);
      await client.routes.delete(route.id);
      context.output.print({ id: route.id, model: route.model, deleted: true }, () => `removed route ${route.model} (${route.id})\n`);
    });
}
