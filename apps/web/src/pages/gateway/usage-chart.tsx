import { useId } from 'react';
import type { UsageRow } from '../../api/gateway-types';
import { RadioGroup } from '../../components/checkbox';
import { formatCost, formatCount } from './gateway-format';

export type UsageMetric = 'cost' | 'requests';

const metricOptions: { value: UsageMetric; label: string }[] = [
  { value: 'cost', label: 'Cost' },
  { value: 'requests', label: 'Requests' },
];

interface UsageChartProps {
  rows: UsageRow[];
  /** The group's display name, e.g. a workspace's name for its id. */
  labelOf: (row: UsageRow) => string;
  groupLabel: string;
  metric: UsageMetric;
  onMetricChange: (metric: UsageMetric) => void;
}

/**
 * A horizontal bar per group. Every bar's label and value are written out next to it, so the list
 * itself is the chart's text alternative; the bars are decoration.
 */
export function UsageChart({ rows, labelOf, groupLabel, metric, onMetricChange }: UsageChartProps) {
  const captionId = useId();
  const measure = (row: UsageRow) => (metric === 'cost' ? row.cost_micros : row.requests);
  const format = (value: number) => (metric === 'cost' ? formatCost(value) : formatCount(value));
  const max = Math.max(0, ...rows.map(measure));
  const metricLabel = metric === 'cost' ? 'Cost' : 'Requests';
  const top = rows.reduce<UsageRow | null>((best, row) => (best === null || measure(row) > measure(best) ? row : best), null);

  return (
    <figure aria-labelledby={captionId} className="rounded-xl border border-border bg-surface p-4 shadow-sm sm:p-5">
      <div className="mb-4 flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <figcaption id={captionId} className="flex flex-col gap-0.5">
          <span className="text-base font-semibold text-text">
            {metricLabel} by {groupLabel.toLowerCase()}
          </span>
          {top && max > 0 && (
            <span className="text-xs text-text-muted">
              Highest: {labelOf(top)} with {format(measure(top))}.
            </span>
          )}
        </figcaption>
        <RadioGroup legend="Show" name="usage-chart-metric" value={metric} options={metricOptions} onChange={onMetricChange} inline />
      </div>
      <ul className="flex flex-col gap-2">
        {rows.map((row) => {
          const value = measure(row);
          const share = max > 0 ? (value / max) * 100 : 0;
          return (
            <li
              key={row.group}
              className="grid grid-cols-[minmax(0,7rem)_1fr_auto] items-center gap-3 text-sm sm:grid-cols-[minmax(0,12rem)_1fr_auto]"
            >
              <span className="truncate text-text" title={labelOf(row)}>
                {labelOf(row)}
              </span>
              <span aria-hidden="true" className="h-3 overflow-hidden rounded-full bg-surface-sunken">
                <span
                  className="block h-full rounded-full bg-brand transition-[width] duration-(--duration-base)"
                  style={{ width: `${value > 0 ? Math.max(share, 1.5) : 0}%` }}
                />
              </span>
              <span className="text-right whitespace-nowrap text-text-muted tabular-nums">{format(value)}</span>
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
