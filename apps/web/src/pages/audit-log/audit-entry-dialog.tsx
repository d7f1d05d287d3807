import type { ReactNode } from 'react';
import type { AuditLogEntry } from '../../api/types';
import { Button } from '../../components/button';
import { Dialog, DialogFooter } from '../../components/dialog';
import { formatTimestamp } from '../../lib/format';
import { ActorLabel, describeType } from './audit-log-table';

interface AuditEntryDialogProps {
  entry: AuditLogEntry;
  names: Map<string, string>;
  onClose: () => void;
}

/** Everything one entry records: its changes, where the request came from, and its place in the chain. */
export function AuditEntryDialog({ entry, names, onClose }: AuditEntryDialogProps) {
  return (
    <Dialog open onClose={onClose} size="lg" title={`Entry ${entry.seq}: ${entry.action}`} description={formatTimestamp(entry.created_at)}>
      <dl className="grid gap-4 sm:grid-cols-2">
        <Detail term="Actor">
          <ActorLabel actor={entry.actor} names={names} />
        </Detail>
        <Detail term="Target">
          {entry.target ? (
            <>
              {describeType(entry.target.type)} <code>{entry.target.id}</code>
            </>
          ) : (
            '—'
          )}
        </Detail>
        <Detail term="Request ID">
          <code>{entry.context?.request_id ?? '—'}</code>
        </Detail>
        <Detail term="IP address">{entry.context?.ip ?? '—'}</Detail>
        <Detail term="User agent" wide>
          {entry.context?.user_agent ?? '—'}
        </Detail>
        <Detail term="Changes" wide>
          <pre className="rounded-md bg-surface-sunken p-3 font-mono text-xs break-all whitespace-pre-wrap">
            {JSON.stringify(entry.changes, null, 2)}
          </pre>
        </Detail>
        <Detail term="Previous hash" wide>
          <code className="text-xs break-all">{entry.prev_hash}</code>
        </Detail>
        <Detail term="Hash" wide>
          <code className="text-xs break-all">{entry.hash}</code>
        </Detail>
        <Detail term="Entry ID" wide>
          <code className="text-xs">{entry.id}</code>
        </Detail>
      </dl>
      <DialogFooter>
        <Button variant="primary" onClick={onClose}>
          Close
        </Button>
      </DialogFooter>
    </Dialog>
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
