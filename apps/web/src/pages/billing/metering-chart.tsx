import { useId } from 'react';

export interface ChartPoint {
  /** Stable key, e.g. the day. */
  key: string;
  label: string;
  value: number;
}

interface MeteringChartProps {
  title: string;
  points: ChartPoint[];
  format: (value: number) => string;
  /** A line under the title, e.g. the period's total. */
  summary?: string;
}

/**
 * A horizontal bar per point, in the AI gateway usage chart's style. Every bar's label and value
 * are written out next to it, so the list itself is the chart's text alternative; the bars are
 * decoration.
 */
export function MeteringChart({ title, points, format, summary }: MeteringChartProps) {
  const captionId = useId();
  const max = Math.max(0, ...points.map((point) => point.value));
  const top = points.reduce<ChartPoint | null>((best, point) => (best === null || point.value > best.value ? point : best), null);

  return (
    <figure aria-labelledby={captionId} className="rounded-xl border border-border bg-surface p-4 shadow-sm sm:p-5">
      <figcaption id={captionId} className="mb-4 flex flex-col gap-0.5">
        <span className="text-base font-semibold text-text">{title}</span>
        {summary && <span className="text-xs text-text-muted">{summary}</span>}
        {top && max > 0 && (
          <span className="text-xs text-text-muted">
            Highest: {top.label} with {format(top.value)}.
          </span>
        )}
      </figcaption>
      <ul className="flex flex-col gap-2">
        {points.map((point) => {
          const share = max > 0 ? (point.value / max) * 100 : 0;
          return (
            <li
              key={point.key}
              className="grid grid-cols-[minmax(0,6rem)_1fr_auto] items-center gap-3 text-sm sm:grid-cols-[minmax(0,10rem)_1fr_auto]"
            >
              <span className="truncate text-text" title={point.label}>
                {point.label}
              </span>
              <span aria-hidden="true" className="h-3 overflow-hidden rounded-full bg-surface-sunken">
                <span
                  className="block h-full rounded-full bg-brand transition-[width] duration-(--duration-base)"
                  style={{ width: `${point.value > 0 ? Math.max(share, 1.5) : 0}%` }}
                />
              </span>
              <span className="text-right whitespace-nowrap text-text-muted tabular-nums">{format(point.value)}</span>
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
