import type { McpServer } from '../../api/plugins-types';
import { Alert } from '../../components/alert';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { formatDateTime } from '../../lib/format';

export type ServerAction = 'refresh' | 'toggle';

interface McpServerCardProps {
  server: McpServer;
  canWrite: boolean;
  busy: (server: McpServer, action: ServerAction) => boolean;
  onRefresh: () => void;
  onToggle: () => void;
  onRemove: () => void;
}

/** One server: where it is, whether it answered, and the tools it offers. */
export function McpServerCard({ server, canWrite, busy, onRefresh, onToggle, onRemove }: McpServerCardProps) {
  const target = <span className="sr-only"> {server.name}</span>;
  return (
    <article aria-labelledby={`mcp-${server.id}`} className="rounded-xl border border-border bg-surface p-4 shadow-sm sm:p-5">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div className="flex min-w-0 flex-col gap-1">
          <h3 id={`mcp-${server.id}`} className="flex flex-wrap items-center gap-2 text-base font-semibold text-text">
            {server.name}
            <Badge tone={server.enabled ? 'success' : 'neutral'}>{server.enabled ? 'Enabled' : 'Disabled'}</Badge>
          </h3>
          <code className="text-xs break-all text-text-muted">{server.url}</code>
          <p className="text-xs text-text-muted">
            {server.header_names.length > 0 ? `Sends ${server.header_names.join(', ')}` : 'No headers'} · Tools listed{' '}
            {formatDateTime(server.tools_refreshed_at, 'never')}
          </p>
        </div>
        {canWrite && (
          <div className="flex flex-wrap gap-2">
            <Button size="sm" loading={busy(server, 'refresh')} onClick={onRefresh}>
              Refresh tools<span className="sr-only"> of</span>
              {target}
            </Button>
            <Button size="sm" loading={busy(server, 'toggle')} onClick={onToggle}>
              {server.enabled ? 'Disable' : 'Enable'}
              {target}
            </Button>
            <Button size="sm" variant="ghost" className="text-danger-text" onClick={onRemove}>
              Remove{target}
            </Button>
          </div>
        )}
      </div>
      {server.last_error && (
        <Alert tone="danger" live="none" title="The last call failed" className="mt-3">
          {server.last_error}
        </Alert>
      )}
      <h4 className="mt-4 mb-2 text-sm font-semibold text-text">Tools</h4>
      {server.tools.length === 0 ? (
        <p className="text-sm text-text-muted">No tools listed.</p>
      ) : (
        <ul aria-label={`Tools of ${server.name}`} className="flex flex-col divide-y divide-border rounded-lg border border-border">
          {server.tools.map((tool) => (
            <li key={tool.name} className="flex flex-col gap-0.5 px-3 py-2">
              <span className="flex flex-wrap items-baseline gap-x-2">
                <span className="text-sm font-medium text-text">{tool.name}</span>
                <code className="text-xs break-all text-text-muted">{tool.capability_id}</code>
              </span>
              {tool.description && <span className="text-xs text-text-muted">{tool.description}</span>}
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
