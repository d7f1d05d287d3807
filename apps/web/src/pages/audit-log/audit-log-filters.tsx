import type { FormEvent } from 'react';
import type { AuditLogFilters } from '../../api/types';
import { Button } from '../../components/button';
import { TextField } from '../../components/text-field';
import { startOfDayIso } from '../../lib/format';
import { useForm } from '../../lib/use-form';

const empty = { action: '', actor: '', from: '', to: '' };

/** The filters as the API takes them: blank fields left out, dates widened to whole local days. */
function toFilters(values: typeof empty): AuditLogFilters {
  const filters: AuditLogFilters = {};
  if (values.action.trim()) filters.action = values.action.trim();
  if (values.actor.trim()) filters.actor = values.actor.trim();
  if (values.from) filters.from = startOfDayIso(values.from);
  // The last millisecond of the day, so entries written in its final second still match.
  if (values.to) filters.to = new Date(`${values.to}T23:59:59.999`).toISOString();
  return filters;
}

/** Action, actor and date filters; the list and the export links follow them once applied. */
export function AuditLogFiltersForm({ onApply }: { onApply: (filters: AuditLogFilters) => void }) {
  const form = useForm(empty);

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const { from, to } = form.values;
    const valid = form.validate({}, from && to && to < from ? { to: 'Choose a date on or after the From date.' } : {});
    if (valid) onApply(toFilters(form.values));
  }

  function handleClear() {
    form.reset(empty);
    onApply({});
  }

  return (
    <form
      ref={form.formRef}
      noValidate
      onSubmit={handleSubmit}
      aria-label="Filter audit entries"
      className="mb-6 grid gap-4 rounded-xl border border-border bg-surface p-4 shadow-sm sm:grid-cols-2 lg:grid-cols-4"
    >
      <TextField
        label="Action"
        required={false}
        autoComplete="off"
        spellCheck={false}
        placeholder="e.g. api_key.*"
        hint="An action, or a prefix ending in .*"
        {...form.bind('action')}
      />
      <TextField
        label="Actor"
        required={false}
        autoComplete="off"
        spellCheck={false}
        placeholder="User or API key ID"
        hint="The ID of a user or API key"
        {...form.bind('actor')}
      />
      <TextField label="From" type="date" required={false} {...form.bind('from')} />
      <TextField label="To" type="date" required={false} min={form.values.from || undefined} {...form.bind('to')} />
      <div className="flex gap-2 sm:col-span-2 lg:col-span-4">
        <Button type="submit" variant="primary">
          Apply filters
        </Button>
        <Button onClick={handleClear}>Clear</Button>
      </div>
    </form>
  );
}
