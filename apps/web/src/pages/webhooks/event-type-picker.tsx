import { useId } from 'react';
import { useWebhookEventTypesQuery } from '../../api/queries';
import type { WebhookEventType } from '../../api/types';
import { Checkbox } from '../../components/checkbox';
import { Spinner } from '../../components/spinner';

interface EventTypePickerProps {
  selected: string[];
  onChange: (eventTypes: string[]) => void;
  error?: string | null;
}

/** The part of an event type before its first dot: `workspace` for `workspace.created`. */
export function eventPrefix(type: string): string {
  return type.split('.')[0] ?? type;
}

function groupByPrefix(eventTypes: WebhookEventType[]): [string, WebhookEventType[]][] {
  const groups = new Map<string, WebhookEventType[]>();
  for (const eventType of eventTypes) {
    const prefix = eventPrefix(eventType.type);
    groups.set(prefix, [...(groups.get(prefix) ?? []), eventType]);
  }
  return [...groups.entries()].sort(([first], [second]) => first.localeCompare(second));
}

/**
 * Checkboxes for the event catalogue, grouped by prefix. "All events" (`*`) and each
 * `prefix.*` cover the types under them, so those are shown checked and locked.
 */
export function EventTypePicker({ selected, onChange, error }: EventTypePickerProps) {
  const errorId = useId();
  const catalog = useWebhookEventTypesQuery();
  const all = selected.includes('*');

  function toggle(value: string, checked: boolean) {
    onChange(checked ? [...selected, value] : selected.filter((type) => type !== value));
  }

  return (
    <fieldset className="flex flex-col gap-3" aria-describedby={error ? errorId : undefined}>
      <legend className="mb-1 text-sm font-medium text-text">Event types</legend>
      {error && (
        <p id={errorId} className="text-sm text-danger-text">
          {error}
        </p>
      )}
      {catalog.isPending && <Spinner label="Loading event types…" />}
      {catalog.isError && <p className="text-sm text-danger-text">Could not load the event types.</p>}
      {catalog.data && (
        <div className="flex max-h-72 flex-col gap-4 overflow-y-auto rounded-lg border border-border bg-surface-sunken p-3">
          <Checkbox
            label="All events"
            description="Every event, including types added later."
            checked={all}
            onChange={(event) => toggle('*', event.target.checked)}
          />
          {groupByPrefix(catalog.data).map(([prefix, eventTypes]) => {
            const wildcard = `${prefix}.*`;
            const groupCovered = all || selected.includes(wildcard);
            return (
              <fieldset key={prefix} className="flex flex-col gap-2">
                <legend className="mb-1 text-xs font-semibold tracking-wide text-text-muted uppercase">{prefix}</legend>
                <Checkbox
                  label={<code className="text-xs">{wildcard}</code>}
                  description={`Every ${prefix} event.`}
                  checked={groupCovered}
                  disabled={all}
                  onChange={(event) => toggle(wildcard, event.target.checked)}
                />
                {eventTypes.map((eventType) => (
                  <Checkbox
                    key={eventType.type}
                    label={<code className="text-xs">{eventType.type}</code>}
                    description={eventType.description}
                    checked={groupCovered || selected.includes(eventType.type)}
                    disabled={groupCovered}
                    onChange={(event) => toggle(eventType.type, event.target.checked)}
                  />
                ))}
              </fieldset>
            );
          })}
        </div>
      )}
    </fieldset>
  );
}

/** The selection as the API takes it: wildcards win over the exact types they cover. */
export function normalizeEventTypes(selected: string[]): string[] {
  if (selected.includes('*')) return ['*'];
  const wildcards = new Set(selected.filter((type) => type.endsWith('.*')).map((type) => type.slice(0, -2)));
  return [...new Set(selected.filter((type) => type.endsWith('.*') || !wildcards.has(eventPrefix(type))))];
}
