import { useId, useRef } from 'react';
import { useWorkspacesQuery } from '../../api/queries';
import type { WebhookFilter } from '../../api/types';
import { Button } from '../../components/button';
import { PlusIcon, TrashIcon } from '../../components/icons';
import { SelectField } from '../../components/select-field';
import { TextField } from '../../components/text-field';

export interface FilterRow {
  key: number;
  field: string;
  value: string;
  error?: string;
}

const MAX_ROWS = 20;
let nextKey = 1;

export function filterRow(field = '', value = ''): FilterRow {
  return { key: nextKey++, field, value };
}

/** An endpoint's filter as editable rows; values are shown as text. */
export function filterRows(filter: WebhookFilter | null): FilterRow[] {
  return Object.entries(filter ?? {}).map(([field, value]) => filterRow(field, String(value)));
}

/** `true` and `false` become booleans and plain numbers become numbers; anything else stays text. */
export function parseFilterValue(text: string): string | number | boolean {
  const trimmed = text.trim();
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(trimmed) && Number.isFinite(Number(trimmed))) return Number(trimmed);
  return text;
}

/** Marks incomplete or repeated rows; blank rows are ignored. */
export function checkFilterRows(rows: FilterRow[]): FilterRow[] {
  const seen = new Set<string>();
  return rows.map((row) => {
    const field = row.field.trim();
    let error: string | undefined;
    if (!field && row.value.trim()) error = 'Enter the payload field this value is for.';
    else if (field.length > 100) error = 'A field name has at most 100 characters.';
    else if (field && seen.has(field)) error = 'This field is already in the filter.';
    if (field) seen.add(field);
    return { ...row, error };
  });
}

/** The rows as the API takes them: null when there are none. */
export function filterFromRows(rows: FilterRow[]): WebhookFilter | null {
  const entries = rows.filter((row) => row.field.trim()).map((row) => [row.field.trim(), parseFilterValue(row.value)] as const);
  return entries.length > 0 ? Object.fromEntries(entries) : null;
}

/** How a filter reads in the endpoint list: `workspace_id = ws_…, role = owner`. */
export function describeFilter(filter: WebhookFilter): string {
  return Object.entries(filter)
    .map(([field, value]) => `${field} = ${typeof value === 'string' ? value : String(value)}`)
    .join(', ');
}

interface WebhookFilterEditorProps {
  rows: FilterRow[];
  onChange: (rows: FilterRow[]) => void;
  error?: string | null;
}

/** Key → value rows an event's payload must match, with a shortcut for one workspace. */
export function WebhookFilterEditor({ rows, onChange, error }: WebhookFilterEditorProps) {
  const hintId = useId();
  const errorId = useId();
  const addId = useId();
  const listRef = useRef<HTMLOListElement>(null);
  const workspaces = useWorkspacesQuery();
  const workspaceRow = rows.find((row) => row.field.trim() === 'workspace_id');

  function update(key: number, changes: Partial<FilterRow>) {
    onChange(rows.map((row) => (row.key === key ? { ...row, ...changes, error: undefined } : row)));
  }

  function add() {
    onChange([...rows, filterRow()]);
    window.requestAnimationFrame(() => {
      const inputs = listRef.current?.querySelectorAll<HTMLInputElement>('input[name="filter-field"]');
      inputs?.[inputs.length - 1]?.focus();
    });
  }

  function remove(index: number) {
    onChange(rows.filter((_, position) => position !== index));
    // Keep keyboard focus in the list: on the next row's field, or on "Add condition".
    window.requestAnimationFrame(() => {
      const inputs = listRef.current?.querySelectorAll<HTMLInputElement>('input[name="filter-field"]');
      (inputs?.[Math.min(index, (inputs?.length ?? 1) - 1)] ?? document.getElementById(addId))?.focus();
    });
  }

  function chooseWorkspace(id: string) {
    const others = rows.filter((row) => row.field.trim() !== 'workspace_id');
    onChange(id ? [...others, workspaceRow ? { ...workspaceRow, value: id, error: undefined } : filterRow('workspace_id', id)] : others);
  }

  const workspaceOptions = workspaces.data ?? [];
  const knownWorkspace = workspaceOptions.some((workspace) => workspace.id === workspaceRow?.value.trim());

  return (
    <fieldset className="flex flex-col gap-3" aria-describedby={[hintId, error ? errorId : ''].filter(Boolean).join(' ')}>
      <legend className="mb-1 text-sm font-medium text-text">
        Filter<span className="ml-1 font-normal text-text-muted">(optional)</span>
      </legend>
      <p id={hintId} className="-mt-2 text-xs text-text-muted">
        Only events whose payload has these exact values are delivered, e.g. <code>workspace_id</code>. Type <code>true</code>,{' '}
        <code>false</code> or a number to match those rather than text.
      </p>
      {error && (
        <p id={errorId} className="text-sm text-danger-text">
          {error}
        </p>
      )}
      {workspaceOptions.length > 0 && (
        <SelectField
          label="Only events of workspace"
          optional
          value={knownWorkspace ? (workspaceRow?.value.trim() ?? '') : ''}
          onChange={(event) => chooseWorkspace(event.target.value)}
          options={[
            { value: '', label: workspaceRow && !knownWorkspace ? 'Set by the filter below' : 'Any workspace' },
            ...workspaceOptions.map((workspace) => ({ value: workspace.id, label: workspace.name })),
          ]}
        />
      )}
      {rows.length > 0 && (
        <ol ref={listRef} className="flex flex-col gap-3">
          {rows.map((row, index) => (
            <li key={row.key}>
              <fieldset className="rounded-lg border border-border bg-surface-sunken p-3">
                <legend className="px-1 text-xs font-semibold tracking-wide text-text-muted uppercase">Condition {index + 1}</legend>
                <div className="grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-start">
                  <TextField
                    label="Field"
                    name="filter-field"
                    autoComplete="off"
                    spellCheck={false}
                    placeholder="e.g. workspace_id"
                    maxLength={100}
                    required={false}
                    value={row.field}
                    onChange={(event) => update(row.key, { field: event.target.value })}
                    error={row.error}
                  />
                  <TextField
                    label="Value"
                    autoComplete="off"
                    spellCheck={false}
                    placeholder="e.g. ws_…"
                    maxLength={500}
                    required={false}
                    value={row.value}
                    onChange={(event) => update(row.key, { value: event.target.value })}
                  />
                  <Button
                    variant="ghost"
                    className="text-danger-text sm:mt-6"
                    icon={<TrashIcon className="size-4" />}
                    onClick={() => remove(index)}
                  >
                    Remove<span className="sr-only"> condition {index + 1}</span>
                  </Button>
                </div>
              </fieldset>
            </li>
          ))}
        </ol>
      )}
      <div>
        <Button id={addId} size="sm" icon={<PlusIcon className="size-4" />} onClick={add} disabled={rows.length >= MAX_ROWS}>
          Add condition
        </Button>
      </div>
    </fieldset>
  );
}
