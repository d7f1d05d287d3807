import { useId, useState } from 'react';
import { usePermissionCatalogQuery } from '../../api/queries';
import { Checkbox } from '../../components/checkbox';
import { ChevronDownIcon } from '../../components/icons';
import { Spinner } from '../../components/spinner';
import { cx } from '../../lib/class-names';
import { useSession } from '../../lib/session';

interface ScopePickerProps {
  selected: string[];
  onChange: (scopes: string[]) => void;
}

/**
 * Optional scope checklist, collapsed by default. Only permissions the user holds are offered,
 * since a key can never do more than its creator.
 */
export function ScopePicker({ selected, onChange }: ScopePickerProps) {
  const [expanded, setExpanded] = useState(false);
  const panelId = useId();
  const { me } = useSession();
  const catalog = usePermissionCatalogQuery(expanded);
  const own = new Set(me.permissions);
  const available = (catalog.data?.permissions ?? []).filter((permission) => own.has(permission.id) || own.has('*'));

  function toggle(id: string, checked: boolean) {
    onChange(checked ? [...selected, id] : selected.filter((scope) => scope !== id));
  }

  return (
    <div className="flex flex-col gap-2">
      <button
        type="button"
        aria-expanded={expanded}
        aria-controls={panelId}
        onClick={() => setExpanded((value) => !value)}
        className="flex items-center gap-1 self-start rounded text-sm font-medium text-brand-text"
      >
        <ChevronDownIcon className={cx('size-4 transition-transform duration-(--duration-fast)', !expanded && '-rotate-90')} />
        Limit scopes {selected.length > 0 ? `(${selected.length} selected)` : '(optional)'}
      </button>
      <p className="text-xs text-text-muted">Without scopes, the key can do what your role allows.</p>
      {expanded && (
        <div id={panelId} className="rounded-lg border border-border bg-surface-sunken p-3">
          {catalog.isPending && <Spinner label="Loading permissions…" />}
          {catalog.isError && <p className="text-sm text-danger-text">Could not load permissions.</p>}
          {catalog.data && (
            <fieldset className="flex max-h-60 flex-col gap-3 overflow-y-auto">
              <legend className="sr-only">Scopes</legend>
              {available.length === 0 && <p className="text-sm text-text-muted">No permissions available.</p>}
              {available.map((permission) => (
                <Checkbox
                  key={permission.id}
                  label={<code className="text-xs">{permission.id}</code>}
                  description={permission.description}
                  checked={selected.includes(permission.id)}
                  onChange={(event) => toggle(permission.id, event.target.checked)}
                />
              ))}
            </fieldset>
          )}
        </div>
      )}
    </div>
  );
}
