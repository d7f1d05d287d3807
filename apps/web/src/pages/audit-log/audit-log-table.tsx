import type { AuditActor, AuditLogEntry } from '../../api/types';
import { Button } from '../../components/button';
import { Cell, HeaderCell, Table, TableBody, TableHead, TableRow, TimeCell } from '../../components/table';

interface AuditLogTableProps {
  entries: AuditLogEntry[];
  /** Display names of users, by user id, when the caller may list members. */
  names: Map<string, string>;
  onShowDetails: (entry: AuditLogEntry) => void;
}

const actorTypes: Record<string, string> = { user: 'User', api_key: 'API key', system: 'System' };

/** "User", "API key" or the type as recorded, for an actor or target. */
export function describeType(type: string): string {
  return actorTypes[type] ?? type.replaceAll('_', ' ');
}

export function ActorLabel({ actor, names }: { actor: AuditActor | null; names: Map<string, string> }) {
  if (!actor || actor.type === 'system') return <span className="text-text-muted">System</span>;
  const name = actor.type === 'user' ? names.get(actor.id) : undefined;
  return (
    <span className="flex flex-col">
      <span className="font-medium whitespace-nowrap">{name ?? describeType(actor.type)}</span>
      <code className="text-xs text-text-muted">{actor.id}</code>
    </span>
  );
}

export function AuditLogTable({ entries, names, onShowDetails }: AuditLogTableProps) {
  return (
    <Table caption="Audit log entries, newest first">
      <TableHead>
        <TableRow>
          <HeaderCell>Time</HeaderCell>
          <HeaderCell>Actor</HeaderCell>
          <HeaderCell>Action</HeaderCell>
          <HeaderCell>Target</HeaderCell>
          <HeaderCell>IP</HeaderCell>
          <HeaderCell>
            <span className="sr-only">Details</span>
          </HeaderCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {entries.map((entry) => (
          <TableRow key={entry.id}>
            <TimeCell at={entry.created_at} />
            <Cell>
              <ActorLabel actor={entry.actor} names={names} />
            </Cell>
            <Cell>
              <code className="text-xs whitespace-nowrap">{entry.action}</code>
            </Cell>
            <Cell>
              {entry.target ? (
                <span className="flex flex-col">
                  <span className="whitespace-nowrap">{describeType(entry.target.type)}</span>
                  <code className="text-xs text-text-muted">{entry.target.id}</code>
                </span>
              ) : (
                <span className="text-text-muted">—</span>
              )}
            </Cell>
            <Cell className="whitespace-nowrap text-text-muted">{entry.context?.ip ?? '—'}</Cell>
            <Cell>
              <div className="flex justify-end">
                <Button size="sm" variant="ghost" onClick={() => onShowDetails(entry)}>
                  Details<span className="sr-only"> of entry {entry.seq}</span>
                </Button>
              </div>
            </Cell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
