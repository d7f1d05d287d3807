import { useId, useMemo, useState } from 'react';
import { useMeteredUsageQuery, useQuotasQuery } from '../../api/billing-queries';
import type { MeteringUsageReport, Quota } from '../../api/billing-types';
import { QueryError } from '../../components/access-denied';
import { Badge } from '../../components/badge';
import { EmptyState } from '../../components/empty-state';
import { GatewayIcon } from '../../components/icons';
import { SelectField } from '../../components/select-field';
import { PageSpinner } from '../../components/spinner';
import { Cell, HeaderCell, Table, TableBody, TableHead, TableRow } from '../../components/table';
import { cx } from '../../lib/class-names';
import { formatDate } from '../../lib/format';
import { compareMetrics, formatCount, formatMetricAmount, metricInfo, metricNoun } from './billing-format';
import { BillingSection, BillingTabHeader } from './billing-layout';
import { type ChartPoint, MeteringChart } from './metering-chart';

export function BillingUsagePage() {
  return (
    <BillingSection tab="usage">
      <UsageTab />
    </BillingSection>
  );
}

const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const DAY = 86_400_000;

/** Every UTC day of the report's period up to today, with the usage of the days that have some. */
function dailyPoints(report: MeteringUsageReport): ChartPoint[] {
  const byDay = new Map<string, number>();
  for (const row of report.data) {
    if (!row.day) continue;
    const day = row.day.slice(0, 10);
    byDay.set(day, (byDay.get(day) ?? 0) + row.quantity);
  }
  const start = Date.parse(`${report.from.slice(0, 10)}T00:00:00Z`);
  const end = Math.min(Date.parse(report.to), Date.now());
  const points: ChartPoint[] = [];
  if (Number.isFinite(start) && Number.isFinite(end)) {
    for (let time = start; time < end && points.length < 400; time += DAY) {
      const day = new Date(time).toISOString().slice(0, 10);
      points.push({ key: day, label: dayFormat.format(new Date(time)), value: byDay.get(day) ?? 0 });
    }
  }
  // Days outside the period (a late event) still show.
  for (const [day, value] of byDay) {
    if (!points.some((point) => point.key === day)) {
      points.push({ key: day, label: dayFormat.format(new Date(`${day}T00:00:00Z`)), value });
    }
  }
  return points.sort((a, b) => a.key.localeCompare(b.key));
}

function UsageTab() {
  const quotas = useQuotasQuery();
  const byMetric = useMeteredUsageQuery({ group_by: 'metric' });
  const [chosen, setChosen] = useState<string | null>(null);

  const metrics = useMemo(() => {
    const names = new Set<string>([
      ...(quotas.data ?? []).map((quota) => quota.metric),
      ...(byMetric.data?.data ?? []).map((row) => row.metric),
    ]);
    return [...names].sort(compareMetrics);
  }, [quotas.data, byMetric.data]);
  const units = useMemo(() => {
    const map = new Map<string, string>();
    for (const quota of quotas.data ?? []) map.set(quota.metric, quota.unit);
    for (const row of byMetric.data?.data ?? []) map.set(row.metric, row.unit);
    return map;
  }, [quotas.data, byMetric.data]);
  const metric = chosen ?? (metrics.includes('tokens') ? 'tokens' : (metrics[0] ?? null));
  const daily = useMeteredUsageQuery({ group_by: 'day', metric: metric ?? undefined }, metric !== null);

  const quotasHeadingId = useId();
  const dailyHeadingId = useId();

  return (
    <>
      <BillingTabHeader tab="usage" />
      <div className="flex flex-col gap-8">
        <section aria-labelledby={quotasHeadingId} className="flex flex-col gap-3">
          <h3 id={quotasHeadingId} className="text-base font-semibold text-text">
            Quotas this period
          </h3>
          {quotas.isPending && <PageSpinner label="Loading quotas…" />}
          {quotas.isError && <QueryError error={quotas.error} headingLevel={3} />}
          {quotas.data && quotas.data.length === 0 && <p className="text-sm text-text-muted">Your plan sets no quotas.</p>}
          {quotas.data && quotas.data.length > 0 && (
            <ul aria-label="Quotas" className="grid gap-4 sm:grid-cols-2">
              {[...quotas.data]
                .sort((a, b) => compareMetrics(a.metric, b.metric))
                .map((quota) => (
                  <QuotaBar key={quota.metric} quota={quota} />
                ))}
            </ul>
          )}
        </section>

        <section aria-labelledby={dailyHeadingId} className="flex flex-col gap-3">
          <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
            <div className="flex flex-col gap-1">
              <h3 id={dailyHeadingId} className="text-base font-semibold text-text">
                Day by day
              </h3>
              {daily.data && (
                <p className="text-sm text-text-muted">
                  {formatDate(daily.data.from)} – {formatDate(daily.data.to)}, in UTC days.
                </p>
              )}
            </div>
            {metrics.length > 0 && metric && (
              <SelectField
                label="Metric"
                containerClassName="sm:w-64"
                value={metric}
                options={metrics.map((name) => ({ value: name, label: metricInfo(name, units.get(name)).label }))}
                onChange={(event) => setChosen(event.target.value)}
              />
            )}
          </div>
          {metric === null && byMetric.isSuccess && quotas.isSuccess && (
            <EmptyState
              icon={<GatewayIcon />}
              headingLevel={3}
              title="No usage yet this period"
              description="Calls through the gateway and events you record show up here within moments."
            />
          )}
          {daily.isPending && metric !== null && <PageSpinner label="Loading usage…" />}
          {daily.isError && <QueryError error={daily.error} headingLevel={3} />}
          {daily.data && metric && (
            <DailyChart report={daily.data} metric={metric} unit={units.get(metric)} updating={daily.isPlaceholderData} />
          )}
        </section>

        {byMetric.isError && <QueryError error={byMetric.error} headingLevel={3} />}
        {byMetric.data && byMetric.data.data.length > 0 && (
          <Table caption="Usage by metric this period">
            <TableHead>
              <TableRow>
                <HeaderCell>Metric</HeaderCell>
                <HeaderCell className="text-right">Used</HeaderCell>
                <HeaderCell className="text-right">Events</HeaderCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {[...byMetric.data.data]
                .sort((a, b) => compareMetrics(a.metric, b.metric))
                .map((row) => (
                  <TableRow key={row.metric}>
                    <Cell className="font-medium whitespace-nowrap">
                      {metricInfo(row.metric, row.unit).label}
                      {metricInfo(row.metric, row.unit).custom && (
                        <code className="ml-2 text-xs font-normal text-text-muted">{row.metric}</code>
                      )}
                    </Cell>
                    <Cell className="text-right whitespace-nowrap tabular-nums">
                      {formatMetricAmount(row.quantity, row.metric, { unit: row.unit })}
                    </Cell>
                    <Cell className="text-right whitespace-nowrap text-text-muted tabular-nums">{formatCount(row.events)}</Cell>
                  </TableRow>
                ))}
            </TableBody>
          </Table>
        )}
      </div>
    </>
  );
}

function DailyChart({ report, metric, unit, updating }: { report: MeteringUsageReport; metric: string; unit?: string; updating: boolean }) {
  const points = dailyPoints(report);
  const total = report.data.reduce((sum, row) => sum + row.quantity, 0);
  const info = metricInfo(metric, unit);
  const format = (value: number) => formatMetricAmount(value, metric, { unit });
  return (
    <div className="flex flex-col gap-2">
      {/* biome-ignore lint/a11y/useSemanticElements: an explicit status role is announced more reliably than <output> */}
      <p role="status" className={cx('text-sm text-text-muted', !updating && 'sr-only')}>
        {updating ? 'Updating…' : `Showing ${info.label.toLowerCase()} per day.`}
      </p>
      {total === 0 && !info.bytes ? (
        <EmptyState
          icon={<GatewayIcon />}
          headingLevel={3}
          title={`No ${metricNoun(metric, unit)} used yet this period`}
          description="Usage shows up here within moments of being recorded."
        />
      ) : (
        <MeteringChart
          title={`${info.label} per day`}
          points={points}
          format={format}
          summary={info.bytes ? 'The highest level each day.' : `${format(total)} this period so far.`}
        />
      )}
    </div>
  );
}

/** One quota: what is used against the limit, as text and as a bar (the bar is decoration). */
function QuotaBar({ quota }: { quota: Quota }) {
  const info = metricInfo(quota.metric, quota.unit);
  const percent = quota.percent ?? (quota.limit ? (quota.used / quota.limit) * 100 : null);
  const shown = percent === null ? null : Math.floor(percent);
  const tone = percent === null ? 'bg-brand' : percent >= 100 ? 'bg-danger' : percent >= 80 ? 'bg-warning' : 'bg-brand';
  const amount = (value: number) => formatMetricAmount(value, quota.metric, { unit: quota.unit });
  return (
    <li className="flex flex-col gap-2 rounded-xl border border-border bg-surface p-4 shadow-sm">
      <div className="flex items-start justify-between gap-3">
        <div className="flex min-w-0 flex-col">
          <span className="font-medium text-text">{info.label}</span>
          <span className="text-xs text-text-muted">{quota.description}</span>
        </div>
        <div className="flex shrink-0 flex-col items-end gap-1">
          {shown !== null && <span className="text-lg font-semibold text-text tabular-nums">{shown}%</span>}
          {quota.limit !== null && (
            <Badge tone={quota.hard ? 'warning' : 'neutral'}>{quota.hard ? 'Hard limit' : 'Soft limit, overage billed'}</Badge>
          )}
        </div>
      </div>
      <span aria-hidden="true" className="h-2.5 overflow-hidden rounded-full bg-surface-sunken">
        <span
          className={cx('block h-full rounded-full transition-[width] duration-(--duration-base)', tone)}
          style={{ width: `${percent === null ? 0 : Math.min(100, percent > 0 ? Math.max(percent, 1.5) : 0)}%` }}
        />
      </span>
      <p className="flex flex-wrap justify-between gap-x-3 gap-y-1 text-sm text-text-muted">
        <span className="tabular-nums">
          {quota.limit === null ? `${amount(quota.used)} used, unlimited` : `${amount(quota.used)} of ${amount(quota.limit)}`}
        </span>
        <span>Resets {formatDate(quota.period_end)}</span>
      </p>
      {percent !== null && percent >= 100 && (
        <p className="text-sm font-medium text-danger-text">
          {quota.hard
            ? 'Used up: calls that need more are refused until the period resets.'
            : 'Over the quota: the rest is billed as overage.'}
        </p>
      )}
    </li>
  );
}
