import { Fragment, useId, useState } from 'react';
import { usePluginExecutionsQuery } from '../../api/plugins-queries';
import type { CapabilityExecutionEntry, PluginInstallation } from '../../api/plugins-types';
import { QueryError } from '../../components/access-denied';
import { Button } from '../../components/button';
import { Card } from '../../components/page-header';
import { Spinner } from '../../components/spinner';
import { Cell, ColumnHeads, Table, TableBody, TableRow, TimeCell } from '../../components/table';
import { formatTimestamp } from '../../lib/format';
import { ExecutionError, ExecutionLogs, ExecutionStatusBadge, JsonBlock } from './execution-parts';
import { formatDuration } from './plugin-format';

const columns = ['Time', 'Capability', 'Status', 'Duration', 'Error'];

/** The plugin's latest executions, newest first; each expands to its input, output and logs. */
export function ExecutionLog({ installation }: { installation: PluginInstallation }) {
  const query = usePluginExecutionsQuery(installation.id);
  const [expanded, setExpanded] = useState<string | null>(null);
  const baseId = useId();

  return (
    <Card>
      <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
        <div className="flex flex-col gap-1">
          <h3 className="text-base font-semibold text-text">Execution log</h3>
          <p className="text-sm text-text-muted">Every call to {installation.name}’s capabilities and hooks, newest first.</p>
        </div>
        <Button size="sm" loading={query.isRefetching} onClick={() => query.refetch()}>
          Refresh<span className="sr-only"> the execution log</span>
        </Button>
      </div>
      {query.isPending && <Spinner label="Loading executions…" />}
      {query.isError && <QueryError error={query.error} headingLevel={3} />}
      {query.data && query.data.length === 0 && (
        <p className="text-sm text-text-muted">No executions yet. Try a capability to see one here.</p>
      )}
      {query.data && query.data.length > 0 && (
        <Table caption={`Executions of ${installation.name}, newest first`}>
          <ColumnHeads columns={columns} actions />
          <TableBody>
            {query.data.map((entry) => {
              const open = expanded === entry.id;
              const detailsId = `${baseId}-${entry.id}`;
              return (
                <Fragment key={entry.id}>
                  <TableRow>
                    <TimeCell at={entry.created_at} />
                    <Cell>
                      <code className="text-xs whitespace-nowrap">{entry.capability_id}</code>
                      {entry.via !== 'api' && <span className="block text-xs text-text-muted">via {entry.via}</span>}
                    </Cell>
                    <Cell>
                      <ExecutionStatusBadge status={entry.status} />
                    </Cell>
                    <Cell className="whitespace-nowrap text-text-muted tabular-nums">{formatDuration(entry.duration_ms)}</Cell>
                    <Cell>
                      <ExecutionError error={entry.error} />
                    </Cell>
                    <Cell>
                      <div className="flex justify-end">
                        <Button
                          size="sm"
                          variant="ghost"
                          aria-expanded={open}
                          aria-controls={open ? detailsId : undefined}
                          onClick={() => setExpanded(open ? null : entry.id)}
                        >
                          {open ? 'Hide details' : 'Details'}
                          <span className="sr-only">
                            {' '}
                            of {entry.capability_id} at {formatTimestamp(entry.created_at)}
                          </span>
                        </Button>
                      </div>
                    </Cell>
                  </TableRow>
                  {open && (
                    <tr id={detailsId} className="bg-surface-sunken/50">
                      <td colSpan={columns.length + 1} className="px-4 py-4">
                        <ExecutionDetails entry={entry} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </TableBody>
        </Table>
      )}
    </Card>
  );
}

function ExecutionDetails({ entry }: { entry: CapabilityExecutionEntry }) {
  return (
    <div className="grid max-w-[calc(100vw-4rem)] gap-4 lg:grid-cols-2">
      <JsonBlock title="Input" value={entry.input} />
      <JsonBlock title="Output" value={entry.output} />
      <div className="lg:col-span-2">
        <ExecutionLogs logs={entry.logs} />
      </div>
      {entry.decided_at && (
        <p className="text-xs text-text-muted lg:col-span-2">
          Decided {formatTimestamp(entry.decided_at)}
          {entry.decided_by ? ` by ${entry.decided_by}` : ''}.
        </p>
      )}
    </div>
  );
}
