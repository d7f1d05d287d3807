import { randomUUID } from 'node:crypto';
import type { MeteringGroup, MeteringUsageRow, RequestLog, UsageEventInput, UsageGroup, UsageRow } from '@atrium/sdk';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type CliIo, commandContext } from '../context.ts';
import { type Column, formatDate, formatRecord, formatTable, UsageError } from '../output.ts';
import { isoDate, wholeNumber } from '../parsers.ts';

const GATEWAY_GROUPS: readonly UsageGroup[] = ['day', 'model', 'key', 'workspace', 'provider'];
const METERING_GROUPS: readonly MeteringGroup[] = ['metric', 'day', 'model', 'provider', 'key', 'workspace'];

/**
 * Micro-units (1 unit = 1,000,000) as currency units with six decimals.
 *
 * @example
 * formatCost(2_500_032); // '2.500032'
 */
export function formatCost(micros: number): string {
  return (micros / 1_000_000).toFixed(6);
}

/** The rows and a `total` row (latency weighted by requests). */
function withTotal(rows: UsageRow[]): UsageRow[] {
  if (rows.length < 2) return rows;
  const sum = (field: keyof UsageRow) => rows.reduce((total, row) => total + (row[field] as number), 0);
  const requests = sum('requests');
  const latency = rows.reduce((total, row) => total + row.avg_latency_ms * row.requests, 0);
  const total: UsageRow = {
    group: 'total',
    requests,
    errors: sum('errors'),
    cache_hits: sum('cache_hits'),
    input_tokens: sum('input_tokens'),
    output_tokens: sum('output_tokens'),
    cached_tokens: sum('cached_tokens'),
    cost_micros: sum('cost_micros'),
    cost: sum('cost'),
    avg_latency_ms: requests ? latency / requests : 0,
  };
  return [...rows, total];
}

const usageColumns = (group: UsageGroup): Column<UsageRow>[] => [
  [group, (row) => row.group],
  ['requests', (row) => String(row.requests)],
  ['errors', (row) => String(row.errors)],
  ['cache hits', (row) => String(row.cache_hits)],
  ['input tokens', (row) => String(row.input_tokens)],
  ['output tokens', (row) => String(row.output_tokens)],
  ['cost', (row) => formatCost(row.cost_micros)],
  ['avg latency', (row) => `${Math.round(row.avg_latency_ms)} ms`],
];

/** `YYYY-MM-DD HH:MM:SS` (UTC): request logs need the seconds. */
const formatTime = (iso: string) => iso.slice(0, 19).replace('T', ' ');

const logColumns: Column<RequestLog>[] = [
  ['time', (entry) => formatTime(entry.created_at)],
  ['id', (entry) => entry.id],
  ['status', (entry) => String(entry.status)],
  ['model', (entry) => entry.requested_model],
  ['upstream', (entry) => entry.model],
  ['tokens', (entry) => `${entry.input_tokens}/${entry.output_tokens}${entry.estimated ? '~' : ''}`],
  ['cost', (entry) => (entry.cache === 'hit' ? 'cached' : formatCost(entry.cost_micros))],
  ['latency', (entry) => `${entry.latency_ms} ms`],
  ['error', (entry) => entry.error_code],
];

/**
 * A metered quantity as written: whole numbers with no decimals, others with up to six.
 *
 * @example
 * formatQuantity(1250000); // '1250000'
 * formatQuantity(0.5);     // '0.5'
 */
export function formatQuantity(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(6)));
}

/** Metered usage columns: the group's value first when grouped by something other than the metric. */
const meteringColumns = (group: MeteringGroup): Column<MeteringUsageRow>[] => [
  ...(group === 'metric' ? [] : ([[group, (row) => (row[group] as string | null | undefined) ?? '-']] as Column<MeteringUsageRow>[])),
  ['metric', (row) => row.metric],
  ['quantity', (row) => formatQuantity(row.quantity)],
  ['unit', (row) => row.unit],
  ['events', (row) => String(row.events)],
];

/**
 * Parses a usage event's quantity: a finite number ≥ 0.
 *
 * @example
 * .argument('<quantity>', 'how much', quantity); // '12.5' → 12.5
 */
export function quantity(value: string): number {
  const parsed = /^\d+(\.\d+)?$|^\.\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(parsed)) throw new InvalidArgumentError('expected a number ≥ 0, e.g. 12 or 0.5');
  return parsed;
}

/**
 * Parses `name=value` dimensions into a record, one option at a time.
 *
 * @example
 * .option('--dimension <name=value>', 'a dimension; repeat for more', dimension); // 'model=gpt-4o' → { model: 'gpt-4o' }
 */
export function dimension(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const match = /^([A-Za-z0-9_.-]{1,64})=(.*)$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected name=value (letters, digits, _ . - in the name)');
  return { ...previous, [match[1]]: match[2] };
}

interface UsageOptions {
  gateway?: boolean;
  groupBy?: MeteringGroup;
  metric?: string;
  from?: string;
  to?: string;
  csv?: boolean;
}

interface RecordOptions {
  key?: string;
  workspace?: string;
  at?: string;
  dimension?: Record<string, string>;
}

/**
 * Adds `usage` (metered usage by metric, or with `--gateway` the gateway's usage and cost),
 * `usage record` (a usage event of a custom metric) and `logs` (the gateway's latest requests).
 *
 * @example
 * registerUsage(program, io); // atrium usage --group-by day --metric tokens; atrium usage --gateway --group-by model
 */
export function registerUsage(program: Command, io: CliIo): void {
  const usage = program
    .command('usage')
    .description('show metered usage this billing period by metric (--gateway: the AI gateway’s requests, tokens and cost)')
    .option('--gateway', 'show the AI gateway’s usage and cost report instead')
    .addOption(
      new Option('--group-by <group>', 'what each row totals (default: metric; with --gateway: day, and no metric)').choices(
        METERING_GROUPS,
      ),
    )
    .option('--metric <metric>', 'only this metric (not with --gateway)')
    .option('--from <time>', 'from this time, inclusive (ISO 8601; a date means midnight UTC; default: the period’s start)', isoDate)
    .option('--to <time>', 'until this time, exclusive (ISO 8601; default: the period’s end)', isoDate)
    .option('--csv', 'with --gateway: print the report as CSV, as the API exports it')
    .action(async (_options, command: Command) => {
      const context = commandContext<UsageOptions>(command, io);
      const { gateway, groupBy, metric, from, to, csv } = context.options;
      if (csv && context.output.json) throw new UsageError('--csv and --json cannot be combined');
      if (gateway) {
        const group = (groupBy ?? 'day') as UsageGroup;
        if (!GATEWAY_GROUPS.includes(group)) throw new UsageError(`--group-by ${group} is not available with --gateway`);
        if (metric) throw new UsageError('--metric is not available with --gateway');
        const { client } = await context.connect();
        const filter = { group_by: group, from, to };
        if (csv) {
          io.stdout.write(await client.gatewayUsage.csv(filter));
          return;
        }
        const report = await client.gatewayUsage.get(filter);
        context.output.print(report, () => formatTable(withTotal(report.data), usageColumns(group), 'no usage in this period'));
        return;
      }
      if (csv) throw new UsageError('--csv needs --gateway');
      const group = groupBy ?? 'metric';
      const { client } = await context.connect();
      const report = await client.metering.usage({ group_by: group, from, to, metric });
      context.output.print(report, () => formatTable(report.data, meteringColumns(group), 'no usage in this period'));
      if (!context.output.json) context.output.note(`period ${formatDate(report.from)} → ${formatDate(report.to)} (UTC)`);
    });

  usage
    .command('record')
    .description('record a usage event of one of your own metrics (counted once per --key)')
    .argument('<metric>', 'the metric’s name (lowercase letters, digits, _ . -; not one Atrium measures itself)')
    .argument('<quantity>', 'how much was used (a number ≥ 0)', quantity)
    .option('--key <key>', 'the idempotency key: recording it again counts once (default: a new random key)')
    .option('--workspace <id>', 'the workspace the usage belongs to (ws_…)')
    .option('--at <time>', 'when it happened (ISO 8601, default now; at most 35 days ago)', isoDate)
    .option('--dimension <name=value>', 'a dimension to group by later; repeat for more', dimension)
    .action(async (metric: string, amount: number, _options, command: Command) => {
      const context = commandContext<RecordOptions>(command, io);
      const { key, workspace, at, dimension: dimensions } = context.options;
      const { client } = await context.connect();
      const event: UsageEventInput = {
        metric,
        quantity: amount,
        idempotency_key: key ?? randomUUID(),
        timestamp: at,
        workspace_id: workspace,
        dimensions,
      };
      const recorded = await client.metering.record(event);
      context.output.print(recorded, () =>
        formatRecord([
          ['metric', recorded.metric],
          ['quantity', formatQuantity(recorded.quantity)],
          ['key', recorded.idempotency_key],
          ['time', formatDate(recorded.timestamp)],
          ['workspace', recorded.workspace_id],
          ['result', recorded.duplicate ? 'duplicate: this key was already recorded, counted once' : 'recorded'],
        ]),
      );
    });

  program
    .command('logs')
    .description('show the AI gateway’s latest requests, newest first')
    .option('--limit <n>', 'how many (1–1000, default 20)', wholeNumber(1, 1000), 20)
    .option('--model <model>', 'only calls for this model (as requested, or as sent upstream)')
    .option('--errors', 'only failed calls')
    .action(async (_options, command: Command) => {
      const context = commandContext<{ limit: number; model?: string; errors?: boolean }>(command, io);
      const { limit, model, errors } = context.options;
      const { client } = await context.connect();
      const data: RequestLog[] = [];
      const entries = client.requestLogs.iterate({ model, status: errors ? 'error' : undefined }, { pageSize: Math.min(limit, 100) });
      for await (const entry of entries) {
        data.push(entry);
        if (data.length === limit) break;
      }
      context.output.print({ data }, () => formatTable(data, logColumns, 'no requests'));
    });
}
