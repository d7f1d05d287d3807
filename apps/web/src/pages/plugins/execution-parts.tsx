import type { CapabilityExecution, ExecutionLogLine, ExecutionStatus } from '../../api/plugins-types';
import { Badge } from '../../components/badge';
import { cx } from '../../lib/class-names';
import { formatTimestamp } from '../../lib/format';
import { executionStatuses, prettyJson } from './plugin-format';

export function ExecutionStatusBadge({ status }: { status: ExecutionStatus }) {
  const known = executionStatuses[status] ?? { label: status, tone: 'neutral' as const };
  return <Badge tone={known.tone}>{known.label}</Badge>;
}

/** A titled JSON value in a scrollable, keyboard-reachable block. */
export function JsonBlock({ title, value, level = 4, className }: { title: string; value: unknown; level?: 3 | 4; className?: string }) {
  const Heading = level === 3 ? 'h3' : 'h4';
  return (
    <section className={cx('flex min-w-0 flex-col gap-1.5', className)}>
      <Heading className="text-sm font-medium text-text">{title}</Heading>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be keyboard reachable */}
      <pre tabIndex={0} className="max-h-72 overflow-auto rounded-md bg-surface-sunken p-3 font-mono text-xs break-all whitespace-pre-wrap">
        {prettyJson(value)}
      </pre>
    </section>
  );
}

const levelTones: Record<string, string> = { error: 'text-danger-text', warn: 'text-warning-text' };

/** The lines the capability logged while it ran. */
export function ExecutionLogs({ logs, level = 4 }: { logs: ExecutionLogLine[]; level?: 3 | 4 }) {
  const Heading = level === 3 ? 'h3' : 'h4';
  return (
    <section className="flex min-w-0 flex-col gap-1.5">
      <Heading className="text-sm font-medium text-text">Logs</Heading>
      {logs.length === 0 ? (
        <p className="text-xs text-text-muted">Nothing logged.</p>
      ) : (
        <ol className="flex flex-col gap-1 rounded-md bg-surface-sunken p-3 font-mono text-xs">
          {logs.map((line, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: log lines have no identity besides their order
            <li key={index} className="flex flex-wrap gap-x-2 break-all">
              <time dateTime={line.at} className="text-text-muted">
                {formatTimestamp(line.at)}
              </time>
              <span className={cx('font-semibold uppercase', levelTones[line.level] ?? 'text-text-muted')}>{line.level}</span>
              <span className="text-text">{line.message}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** The error a failed execution ended with. */
export function ExecutionError({ error }: { error: CapabilityExecution['error'] }) {
  if (!error) return <span className="text-text-muted">—</span>;
  return (
    <span className="flex flex-col">
      <code className="text-xs text-danger-text">{error.code}</code>
      <span className="max-w-xs text-xs break-words text-text-muted">{error.message}</span>
    </span>
  );
}
