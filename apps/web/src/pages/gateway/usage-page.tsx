import { type ReactNode, useMemo, useState } from 'react';
import { usageCsvUrl } from '../../api/gateway';
import { useApiKeysIfAllowed, useUsageQuery } from '../../api/gateway-queries';
import type { UsageFilters, UsageGroup, UsageRow } from '../../api/gateway-types';
import { QueryError } from '../../components/access-denied';
import { buttonClasses } from '../../components/button';
import { EmptyState } from '../../components/empty-state';
import { DownloadIcon, GatewayIcon } from '../../components/icons';
import { SelectField } from '../../components/select-field';
import { PageSpinner } from '../../components/spinner';
import { Cell, HeaderCell, Table, TableBody, TableHead, TableRow } from '../../components/table';
import { TextField } from '../../components/text-field';
import { cx } from '../../lib/class-names';
import { useCurrentWorkspace } from '../../lib/current-workspace';
import { dateInputValue, startOfDayIso } from '../../lib/format';
import { useSession } from '../../lib/session';
import { formatCost, formatCount, formatLatency, providerTypeLabel } from './gateway-format';
import { GatewaySection, SectionHeader } from './gateway-layout';
import { UsageChart, type UsageMetric } from './usage-chart';

export function UsagePage() {
  return (
    <GatewaySection tab="usage">
      <Usage />
    </GatewaySection>
  );
}

const groupLabels: Record<UsageGroup, string> = {
  day: 'Day',
  model: 'Model',
  key: 'API key',
  workspace: 'Workspace',
  provider: 'Provider',
};

const dayFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });

/** The start of the day after a YYYY-MM-DD date input, local time, as ISO: the API's `to` is exclusive. */
function startOfNextDayIso(dateInput: string): string {
  const date = new Date(`${dateInput}T00:00:00`);
  date.setDate(date.getDate() + 1);
  return date.toISOString();
}

function Usage() {
  const { can } = useSession();
  const { workspaces } = useCurrentWorkspace();
  const apiKeys = useApiKeysIfAllowed(can('api_keys:read'));
  const [groupBy, setGroupBy] = useState<UsageGroup>('day');
  const [from, setFrom] = useState(() => dateInputValue(-29));
  const [to, setTo] = useState(() => dateInputValue(0));
  const [metric, setMetric] = useState<UsageMetric>('cost');
  const rangeError = from && to && to < from ? 'Choose a date on or after the From date.' : null;

  // The last valid range stays applied while the fields hold an invalid one.
  const [filters, setFilters] = useState<UsageFilters>(() => ({
    group_by: 'day',
    from: startOfDayIso(dateInputValue(-29)),
    to: startOfNextDayIso(dateInputValue(0)),
  }));
  function apply(next: { groupBy?: UsageGroup; from?: string; to?: string }) {
    const values = { groupBy, from, to, ...next };
    if (next.groupBy) setGroupBy(next.groupBy);
    if (next.from !== undefined) setFrom(next.from);
    if (next.to !== undefined) setTo(next.to);
    if (values.from && values.to && values.to < values.from) return;
    setFilters({
      group_by: values.groupBy,
      from: values.from ? startOfDayIso(values.from) : undefined,
      to: values.to ? startOfNextDayIso(values.to) : undefined,
    });
  }

  const query = useUsageQuery(filters);
  const rows = query.data?.data ?? [];
  const shownGroup = query.data?.group_by ?? filters.group_by;

  const names = useMemo(() => {
    const workspaceNames = new Map(workspaces.map((workspace) => [workspace.id, workspace.name]));
    const keyNames = new Map((apiKeys.data ?? []).map((key) => [key.id, key.name]));
    return { workspaceNames, keyNames };
  }, [workspaces, apiKeys.data]);

  const labelOf = (row: UsageRow): string => {
    if (shownGroup === 'day') return dayFormat.format(new Date(`${row.group}T00:00:00Z`));
    if (shownGroup === 'key') return row.group === 'session' ? 'Console sessions' : (names.keyNames.get(row.group) ?? row.group);
    if (shownGroup === 'workspace') return row.group === '-' ? 'No workspace' : (names.workspaceNames.get(row.group) ?? row.group);
    if (shownGroup === 'provider') return row.group === 'cache' ? 'Cache' : providerTypeLabel(row.group);
    return row.group;
  };

  const totals = rows.reduce(
    (sum, row) => ({
      requests: sum.requests + row.requests,
      errors: sum.errors + row.errors,
      cacheHits: sum.cacheHits + row.cache_hits,
      input: sum.input + row.input_tokens,
      output: sum.output + row.output_tokens,
      cost: sum.cost + row.cost_micros,
    }),
    { requests: 0, errors: 0, cacheHits: 0, input: 0, output: 0, cost: 0 },
  );

  const download = (
    <a href={usageCsvUrl(filters)} download className={buttonClasses('secondary', 'md')}>
      <DownloadIcon className="size-4" />
      Download CSV
    </a>
  );

  return (
    <>
      <SectionHeader tab="usage" actions={download} />
      <form
        aria-label="Usage report options"
        onSubmit={(event) => event.preventDefault()}
        className="mb-6 grid gap-4 rounded-xl border border-border bg-surface p-4 shadow-sm sm:grid-cols-3"
      >
        <SelectField
          label="Group by"
          value={groupBy}
          options={Object.entries(groupLabels).map(([value, label]) => ({ value, label }))}
          onChange={(event) => apply({ groupBy: event.target.value as UsageGroup })}
        />
        <TextField
          label="From"
          type="date"
          required={false}
          value={from}
          max={to || undefined}
          onChange={(event) => apply({ from: event.target.value })}
        />
        <TextField
          label="To"
          type="date"
          required={false}
          value={to}
          min={from || undefined}
          error={rangeError}
          onChange={(event) => apply({ to: event.target.value })}
        />
      </form>
      {query.isPending && <PageSpinner label="Loading usage…" />}
      {query.isError && <QueryError error={query.error} headingLevel={3} />}
      {query.data && (
        <div className="flex flex-col gap-6">
          {/* biome-ignore lint/a11y/useSemanticElements: an explicit status role is announced more reliably than <output> */}
          <p role="status" className={cx('text-sm text-text-muted', !query.isPlaceholderData && 'sr-only')}>
            {query.isPlaceholderData
              ? 'Updating…'
              : `${formatCount(rows.length)} ${rows.length === 1 ? 'group' : 'groups'} by ${groupLabels[shownGroup].toLowerCase()}.`}
          </p>
          <div className="grid gap-4 sm:grid-cols-3">
            <Stat label="Requests" value={formatCount(totals.requests)}>
              {formatCount(totals.errors)} {totals.errors === 1 ? 'error' : 'errors'} · {formatCount(totals.cacheHits)} cache{' '}
              {totals.cacheHits === 1 ? 'hit' : 'hits'}
            </Stat>
            <Stat label="Tokens" value={formatCount(totals.input + totals.output)}>
              {formatCount(totals.input)} in · {formatCount(totals.output)} out
            </Stat>
            <Stat label="Cost" value={formatCost(totals.cost)}>
              At the prices in effect when each call was made
            </Stat>
          </div>
          {rows.length === 0 ? (
            <EmptyState
              icon={<GatewayIcon />}
              headingLevel={3}
              title="No usage in this period"
              description="Calls through the gateway appear here within moments. Try a wider date range."
            />
          ) : (
            <>
              <UsageChart rows={rows} labelOf={labelOf} groupLabel={groupLabels[shownGroup]} metric={metric} onMetricChange={setMetric} />
              <UsageTable
                rows={rows}
                labelOf={labelOf}
                groupLabel={groupLabels[shownGroup]}
                showId={shownGroup === 'key' || shownGroup === 'workspace'}
              />
            </>
          )}
        </div>
      )}
    </>
  );
}

function Stat({ label, value, children }: { label: string; value: string; children: ReactNode }) {
  return (
    <div className="rounded-xl border border-border bg-surface p-5 shadow-sm">
      <p className="text-sm text-text-muted">{label}</p>
      <p className="mt-1 truncate text-xl font-semibold text-text tabular-nums">{value}</p>
      <p className="mt-2 text-sm text-text-muted">{children}</p>
    </div>
  );
}

const numeric = 'text-right tabular-nums whitespace-nowrap';

interface UsageTableProps {
  rows: UsageRow[];
  labelOf: (row: UsageRow) => string;
  groupLabel: string;
  /** Show the raw id under the name (API keys and workspaces). */
  showId: boolean;
}

function UsageTable({ rows, labelOf, groupLabel, showId }: UsageTableProps) {
  return (
    <Table caption={`Usage by ${groupLabel.toLowerCase()}`}>
      <TableHead>
        <TableRow>
          <HeaderCell>{groupLabel}</HeaderCell>
          <HeaderCell className="text-right">Requests</HeaderCell>
          <HeaderCell className="text-right">Errors</HeaderCell>
          <HeaderCell className="text-right">Cache hits</HeaderCell>
          <HeaderCell className="text-right">Input tokens</HeaderCell>
          <HeaderCell className="text-right">Output tokens</HeaderCell>
          <HeaderCell className="text-right">Cost</HeaderCell>
          <HeaderCell className="text-right">Avg latency</HeaderCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((row) => (
          <TableRow key={row.group}>
            <Cell className="font-medium">
              <span className="flex flex-col">
                <span className="whitespace-nowrap">{labelOf(row)}</span>
                {showId && labelOf(row) !== row.group && <code className="text-xs font-normal text-text-muted">{row.group}</code>}
              </span>
            </Cell>
            <Cell className={numeric}>{formatCount(row.requests)}</Cell>
            <Cell className={cx(numeric, row.errors > 0 ? 'text-danger-text' : 'text-text-muted')}>{formatCount(row.errors)}</Cell>
            <Cell className={cx(numeric, 'text-text-muted')}>{formatCount(row.cache_hits)}</Cell>
            <Cell className={numeric}>{formatCount(row.input_tokens)}</Cell>
            <Cell className={numeric}>{formatCount(row.output_tokens)}</Cell>
            <Cell className={numeric}>{formatCost(row.cost_micros)}</Cell>
            <Cell className={cx(numeric, 'text-text-muted')}>{formatLatency(row.avg_latency_ms)}</Cell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
