import type { RequestLog, UsageGroup, UsageRow } from '@atrium/sdk';
import { type Command, Option } from 'commander';
import { type CliIo, commandContext } from '../context.ts';
import { type Column, formatTable, UsageError } from '../output.ts';
import { isoDate, wholeNumber } from '../parsers.ts';

const GROUPS: readonly UsageGroup[] = ['day', 'model', 'key', 'workspace', 'provider'];

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
 * Adds `usage` (gateway usage and cost) and `logs` (the gateway's latest requests).
 *
 * @example
 * registerUsage(program, io); // atrium usage --group-by model --from 2026-01-01
 */
export function registerUsage(program: Command, io: CliIo): void {
  program
    .command('usage')
    .description('show AI gateway usage and cost, grouped by day, model, key, workspace or provider')
    .addOption(new Option('--group-by <group>', 'what each row totals').choices(GROUPS).default('day'))
    .option('--from <time>', 'from this time, inclusive (ISO 8601; a date means midnight UTC)', isoDate)
    .option('--to <time>', 'until this time, exclusive (ISO 8601)', isoDate)
    .option('--csv', 'print the report as CSV, as the API exports it')
    .action(async (_options, command: Command) => {
      const context = commandContext<{ groupBy: UsageGroup; from?: string; to?: string; csv?: boolean }>(command, io);
      const { groupBy, from, to, csv } = context.options;
      if (csv && context.output.json) throw new UsageError('--csv and --json cannot be combined');
      const { client } = await context.connect();
      const filter = { group_by: groupBy, from, to };
      if (csv) {
        io.stdout.write(await client.usage.csv(filter));
        return;
      }
      const report = await client.usage.get(filter);
      context.output.print(report, () => formatTable(withTotal(report.data), usageColumns(groupBy), 'no usage in this period'));
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
