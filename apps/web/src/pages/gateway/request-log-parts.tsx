import type { RequestLog } from '../../api/gateway-types';
import { Badge } from '../../components/badge';
import { cx } from '../../lib/class-names';

/** The status code as a badge: success, stopped by the client (499), or the error and its code. */
export function StatusBadge({ log }: { log: RequestLog }) {
  if (log.status < 400) return <Badge tone="success">{log.status} OK</Badge>;
  if (log.status === 499) return <Badge tone="warning">499 Stopped</Badge>;
  return <Badge tone="danger">{log.status} Error</Badge>;
}

/** "Cache hit" and "Estimated" flags, when they apply. */
export function LogFlags({ log }: { log: RequestLog }) {
  const hit = log.cache === 'hit';
  if (!hit && !log.estimated) return <span className="text-text-muted">—</span>;
  return (
    <span className="flex flex-wrap gap-1">
      {hit && <Badge tone="info">Cache hit</Badge>}
      {log.estimated && (
        <Badge tone="warning">
          <span title="The provider reported no usage; Atrium counted the tokens itself.">Estimated</span>
        </Badge>
      )}
    </span>
  );
}

/**
 * "requested → served" when the route or provider prefix changed the model, else just the model.
 * In tables names stay on one line; `wrap` lets long names break (in dialogs on small screens).
 */
export function ModelPath({ log, wrap = false }: { log: RequestLog; wrap?: boolean }) {
  const served = log.model;
  const lines = wrap ? 'break-all' : 'whitespace-nowrap';
  if (!served || served === log.requested_model) {
    return <code className={cx('text-xs', lines)}>{log.requested_model}</code>;
  }
  return (
    <span className="flex flex-col">
      <code className={cx('text-xs', lines)}>{log.requested_model}</code>
      <span className={cx('text-xs text-text-muted', lines)}>
        <span aria-hidden="true">→ </span>
        <span className="sr-only">served by </span>
        <code>{served}</code>
      </span>
    </span>
  );
}
