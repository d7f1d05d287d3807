import { Badge } from '../../components/badge';
import { describePermission } from './plugin-format';

interface PermissionListProps {
  permissions: string[];
  /** Names the list, e.g. "Permissions Notes asks for". */
  label: string;
  /** Permissions to mark as new (an update asking for more). */
  added?: string[];
}

/** Each permission in plain words, with the exact permission beneath it. */
export function PermissionList({ permissions, label, added = [] }: PermissionListProps) {
  if (permissions.length === 0) return <p className="text-sm text-text-muted">No permissions: it can only work on what it is given.</p>;
  return (
    <ul aria-label={label} className="flex flex-col divide-y divide-border rounded-lg border border-border bg-surface">
      {permissions.map((permission) => (
        <li key={permission} className="flex items-start justify-between gap-3 px-3 py-2">
          <span className="flex min-w-0 flex-col">
            <span className="text-sm font-medium text-text">{describePermission(permission)}</span>
            <code className="text-xs break-all text-text-muted">{permission}</code>
          </span>
          {added.includes(permission) && <Badge tone="info">New</Badge>}
        </li>
      ))}
    </ul>
  );
}

/** A compact, comma-separated summary for tables. */
export function PermissionSummary({ permissions }: { permissions: string[] }) {
  if (permissions.length === 0) return <span className="text-text-muted">None</span>;
  return (
    <ul className="flex flex-col gap-0.5 text-xs">
      {permissions.map((permission) => (
        <li key={permission} title={permission}>
          {describePermission(permission)}
        </li>
      ))}
    </ul>
  );
}
