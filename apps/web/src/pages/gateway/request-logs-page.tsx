import { type FormEvent, useMemo, useState } from 'react';
import { useApiKeysIfAllowed, useProvidersQuery, useRequestLogsQuery } from '../../api/gateway-queries';
import type { RequestLog, RequestLogFilters } from '../../api/gateway-types';
import { QueryError } from '../../components/access-denied';
import { Button } from '../../components/button';
import { EmptyState } from '../../components/empty-state';
import { AuditLogIcon } from '../../components/icons';
import { SelectField } from '../../components/select-field';
import { PageSpinner } from '../../components/spinner';
import { Cell, HeaderCell, Table, TableBody, TableHead, TableRow, TimeCell } from '../../components/table';
import { TextField } from '../../components/text-field';
import { useCurrentWorkspace } from '../../lib/current-workspace';
import { formatTimestamp } from '../../lib/format';
import { useSession } from '../../lib/session';
import { useForm } from '../../lib/use-form';
import { formatCost, formatCount, formatLatency, providerTypeLabel } from './gateway-format';
import { GatewaySection, SectionHeader } from './gateway-layout';
import { RequestLogDialog } from './request-log-dialog';
import { LogFlags, ModelPath, StatusBadge } from './request-log-parts';

export function RequestLogsPage() {
  return (
    <GatewaySection tab="request-logs">
      <RequestLogs />
    </GatewaySection>
  );
}

const statusOptions = [
  { value: '', label: 'All' },
  { value: 'success', label: 'Success' },
  { value: 'error', label: 'Error' },
];

function RequestLogs() {
  const { can } = useSession();
  const [filters, setFilters] = useState<RequestLogFilters>({});
  const [selected, setSelected] = useState<RequestLog | null>(null);
  const query = useRequestLogsQuery(filters);
  const providers = useProvidersQuery(can('gateway:read'));
  const apiKeys = useApiKeysIfAllowed(can('api_keys:read'));
  const { workspaces } = useCurrentWorkspace();
  const logs = useMemo(() => query.data?.pages.flatMap((page) => page.data) ?? [], [query.data]);
  const names = useMemo(
    () => ({
      providers: new Map((providers.data ?? []).map((provider) => [provider.id, provider.name])),
      workspaces: new Map(workspaces.map((workspace) => [workspace.id, workspace.name])),
      keys: new Map((apiKeys.data ?? []).map((key) => [key.id, key.name])),
    }),
    [providers.data, workspaces, apiKeys.data],
  );
  const filtered = Object.keys(filters).length > 0;

  const refreshButton = (
    <Button loading={query.isRefetching && !query.isFetchingNextPage} onClick={() => query.refetch()}>
      Refresh
    </Button>
  );

  return (
    <>
      <SectionHeader tab="request-logs" actions={refreshButton} />
      <RequestLogFiltersForm onApply={setFilters} />
      {query.isPending && <PageSpinner label="Loading requests…" />}
      {query.isError && <QueryError error={query.error} headingLevel={3} />}
      {logs.length > 0 && (
        // biome-ignore lint/a11y/useSemanticElements: an explicit status role is announced more reliably than <output>
        <p role="status" className="mb-3 text-sm text-text-muted">
          {query.hasNextPage
            ? `Showing the newest ${formatCount(logs.length)} requests.`
            : `Showing all ${formatCount(logs.length)} ${logs.length === 1 ? 'request' : 'requests'}.`}
        </p>
      )}
      {query.isSuccess && logs.length === 0 && (
        <EmptyState
          icon={<AuditLogIcon />}
          headingLevel={3}
          title={filtered ? 'No requests match these filters' : 'No requests yet'}
          description={
            filtered ? 'Try another model, or clear the filters.' : 'Calls to /v1 with an API key or from the playground will appear here.'
          }
        />
      )}
      {logs.length > 0 && (
        <Table caption="Gateway requests, newest first">
          <TableHead>
            <TableRow>
              <HeaderCell>Time</HeaderCell>
              <HeaderCell>Model</HeaderCell>
              <HeaderCell>Provider</HeaderCell>
              <HeaderCell>Status</HeaderCell>
              <HeaderCell className="text-right">Tokens in / out</HeaderCell>
              <HeaderCell className="text-right">Cost</HeaderCell>
              <HeaderCell className="text-right">Latency</HeaderCell>
              <HeaderCell>Flags</HeaderCell>
              <HeaderCell>
                <span className="sr-only">Details</span>
              </HeaderCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {logs.map((log) => (
              <TableRow key={log.id}>
                <TimeCell at={log.created_at} />
                <Cell>
                  <ModelPath log={log} />
                </Cell>
                <Cell className="whitespace-nowrap">
                  {log.provider_id ? (
                    <span className="flex flex-col">
                      <span>{names.providers.get(log.provider_id) ?? providerTypeLabel(log.provider)}</span>
                      {names.providers.has(log.provider_id) && (
                        <span className="text-xs text-text-muted">{providerTypeLabel(log.provider)}</span>
                      )}
                    </span>
                  ) : (
                    <span className="text-text-muted">{log.cache === 'hit' ? 'Cache' : '—'}</span>
                  )}
                </Cell>
                <Cell>
                  <StatusBadge log={log} />
                </Cell>
                <Cell className="text-right whitespace-nowrap tabular-nums">
                  {formatCount(log.input_tokens)} / {formatCount(log.output_tokens)}
                </Cell>
                <Cell className="text-right whitespace-nowrap tabular-nums">{formatCost(log.cost_micros)}</Cell>
                <Cell className="text-right whitespace-nowrap text-text-muted tabular-nums">{formatLatency(log.latency_ms)}</Cell>
                <Cell>
                  <LogFlags log={log} />
                </Cell>
                <Cell>
                  <div className="flex justify-end">
                    <Button size="sm" variant="ghost" onClick={() => setSelected(log)}>
                      Details
                      <span className="sr-only">
                        {' '}
                        of the request to {log.requested_model} at {formatTimestamp(log.created_at)}
                      </span>
                    </Button>
                  </div>
                </Cell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {query.hasNextPage && (
        <div className="mt-4 flex justify-center">
          <Button loading={query.isFetchingNextPage} onClick={() => query.fetchNextPage()}>
            Load more
          </Button>
        </div>
      )}
      {selected && <RequestLogDialog log={selected} names={names} onClose={() => setSelected(null)} />}
    </>
  );
}

const emptyFilters = { model: '', status: '' };

function RequestLogFiltersForm({ onApply }: { onApply: (filters: RequestLogFilters) => void }) {
  const form = useForm(emptyFilters);

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const filters: RequestLogFilters = {};
    if (form.values.model.trim()) filters.model = form.values.model.trim();
    if (form.values.status === 'success' || form.values.status === 'error') filters.status = form.values.status;
    onApply(filters);
  }

  function handleClear() {
    form.reset(emptyFilters);
    onApply({});
  }

  return (
    <form
      ref={form.formRef}
      noValidate
      onSubmit={handleSubmit}
      aria-label="Filter requests"
      className="mb-6 grid gap-4 rounded-xl border border-border bg-surface p-4 shadow-sm sm:grid-cols-[2fr_1fr_auto] sm:items-start"
    >
      <TextField
        label="Model"
        required={false}
        autoComplete="off"
        spellCheck={false}
        placeholder="e.g. gpt-4o-mini or default"
        hint="The model asked for or the one that answered"
        {...form.bind('model')}
      />
      <SelectField label="Status" options={statusOptions} hint="Success is any answer below 400" {...form.bind('status')} />
      <div className="flex gap-2 sm:pt-6.5">
        <Button type="submit" variant="primary">
          Apply filters
        </Button>
        <Button onClick={handleClear}>Clear</Button>
      </div>
    </form>
  );
}
