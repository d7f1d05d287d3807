import type { ReactNode } from 'react';
import { useRequestLogQuery } from '../../api/gateway-queries';
import type { RequestLog } from '../../api/gateway-types';
import { QueryError } from '../../components/access-denied';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { Dialog, DialogFooter } from '../../components/dialog';
import { Spinner } from '../../components/spinner';
import { formatTimestamp } from '../../lib/format';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { formatCost, formatCount, formatLatency, providerTypeLabel } from './gateway-format';
import { LogFlags, ModelPath, StatusBadge } from './request-log-parts';

interface RequestLogDialogProps {
  log: RequestLog;
  /** Names for ids: provider connections, workspaces and API keys. */
  names: { providers: Map<string, string>; workspaces: Map<string, string>; keys: Map<string, string> };
  onClose: () => void;
}

/** Pretty-prints a JSON body, or returns it as stored (streamed answers are kept as plain text). */
function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** Everything one request recorded, with its bodies when the organization keeps them. */
export function RequestLogDialog({ log, names, onClose }: RequestLogDialogProps) {
  const query = useRequestLogQuery(log.id);
  const { can } = useSession();
  const detail = query.data ?? log;
  const bodies = query.data && (query.data.request_body !== null || query.data.response_body !== null);
  return (
    <Dialog open onClose={onClose} size="lg" title={`Request to ${log.requested_model}`} description={formatTimestamp(log.created_at)}>
      <dl className="grid gap-4 sm:grid-cols-2">
        <Detail term="Status">
          <span className="flex flex-wrap items-center gap-2">
            <StatusBadge log={detail} />
            {detail.error_code && <code className="text-xs">{detail.error_code}</code>}
          </span>
        </Detail>
        <Detail term="Model">
          <ModelPath log={detail} wrap />
        </Detail>
        <Detail term="Provider">
          {detail.provider_id ? (
            <>
              {names.providers.get(detail.provider_id) ?? detail.provider_id}{' '}
              <span className="text-text-muted">({providerTypeLabel(detail.provider)})</span>
            </>
          ) : (
            providerTypeLabel(detail.provider)
          )}
        </Detail>
        <Detail term="Endpoint">
          <code>{detail.endpoint}</code>
          {detail.stream && <span className="text-text-muted"> · streamed</span>}
        </Detail>
        <Detail term="Tokens">
          {formatCount(detail.input_tokens)} in · {formatCount(detail.output_tokens)} out
          {detail.cached_tokens > 0 && ` · ${formatCount(detail.cached_tokens)} cached`}
        </Detail>
        <Detail term="Cost">{formatCost(detail.cost_micros)}</Detail>
        <Detail term="Latency">
          {formatLatency(detail.latency_ms)} total
          {detail.first_token_ms !== null && ` · first token ${formatLatency(detail.first_token_ms)}`}
          {detail.overhead_ms !== null && ` · Atrium overhead ${formatLatency(detail.overhead_ms)}`}
        </Detail>
        <Detail term="Attempts">{detail.attempts}</Detail>
        <Detail term="Flags">
          <LogFlags log={detail} />
        </Detail>
        <Detail term="Cache">{detail.cache ?? 'Not used'}</Detail>
        <Detail term="Workspace">
          {detail.workspace_id ? (names.workspaces.get(detail.workspace_id) ?? <code>{detail.workspace_id}</code>) : '—'}
        </Detail>
        <Detail term="Caller">
          {detail.api_key_id ? (
            <>
              API key {names.keys.get(detail.api_key_id) ?? ''} <code className="text-xs">{detail.api_key_id}</code>
            </>
          ) : detail.user_id ? (
            <>
              Console session <code className="text-xs">{detail.user_id}</code>
            </>
          ) : (
            '—'
          )}
        </Detail>
        <Detail term="Request ID" wide>
          <code className="text-xs">{detail.request_id ?? '—'}</code>
        </Detail>
        <Detail term="Log entry" wide>
          <code className="text-xs">{detail.id}</code>
        </Detail>
      </dl>
      <div className="mt-6 flex flex-col gap-4">
        {query.isPending && <Spinner label="Loading bodies…" />}
        {query.isError && <QueryError error={query.error} headingLevel={3} />}
        {query.data && !bodies && (
          <Alert tone="info" live="none" title="No bodies kept">
            Request and response bodies are kept only when the organization opts in with “Keep request bodies” under{' '}
            {can('gateway:read') ? <Link to="/gateway/limits">Limits &amp; budget</Link> : 'Limits & budget'}.
          </Alert>
        )}
        {query.data?.request_body && <Body title="Request body" body={query.data.request_body} />}
        {query.data?.response_body && <Body title="Response body" body={query.data.response_body} />}
      </div>
      <DialogFooter>
        <Button variant="primary" onClick={onClose}>
          Close
        </Button>
      </DialogFooter>
    </Dialog>
  );
}

function Body({ title, body }: { title: string; body: string }) {
  return (
    <section className="flex flex-col gap-1.5">
      <h3 className="text-sm font-medium text-text">{title}</h3>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be keyboard reachable */}
      <pre tabIndex={0} className="max-h-72 overflow-auto rounded-md bg-surface-sunken p-3 font-mono text-xs break-all whitespace-pre-wrap">
        {pretty(body)}
      </pre>
    </section>
  );
}

function Detail({ term, wide, children }: { term: string; wide?: boolean; children: ReactNode }) {
  return (
    <div className={wide ? 'flex min-w-0 flex-col gap-1 sm:col-span-2' : 'flex min-w-0 flex-col gap-1'}>
      <dt className="text-sm text-text-muted">{term}</dt>
      <dd className="break-words text-sm text-text">{children}</dd>
    </div>
  );
}
