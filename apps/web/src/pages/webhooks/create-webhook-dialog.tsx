import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { isApiError } from '../../api/client';
import { queryKeys } from '../../api/queries';
import { createWebhook, updateWebhook } from '../../api/resources';
import type { WebhookEndpoint, WebhookEndpointWithSecret } from '../../api/types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { Dialog, DialogFooter } from '../../components/dialog';
import { TextField } from '../../components/text-field';
import { useToast } from '../../components/toast';
import { useForm } from '../../lib/use-form';
import { EventTypePicker, normalizeEventTypes } from './event-type-picker';
import { checkFilterRows, type FilterRow, filterFromRows, filterRows, WebhookFilterEditor } from './webhook-filter-editor';
import { WebhookSecretDialog } from './webhook-secret-dialog';

interface WebhookEndpointDialogProps {
  /** The endpoint to edit; without it the dialog adds one. */
  endpoint?: WebhookEndpoint | null;
  onClose: () => void;
}

/** Adds an endpoint (then shows its secret once), or edits one: URL, events, filter, rate limit, description. */
export function WebhookEndpointDialog({ endpoint, onClose }: WebhookEndpointDialogProps) {
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const form = useForm({
    url: endpoint?.url ?? '',
    description: endpoint?.description ?? '',
    rateLimit: endpoint?.rate_limit ? String(endpoint.rate_limit) : '',
  });
  const [eventTypes, setEventTypes] = useState<string[]>(endpoint?.event_types ?? []);
  const [eventTypesError, setEventTypesError] = useState<string | null>(null);
  const [filter, setFilter] = useState<FilterRow[]>(() => filterRows(endpoint?.filter ?? null));
  const [filterError, setFilterError] = useState<string | null>(null);
  const [created, setCreated] = useState<WebhookEndpointWithSecret | null>(null);

  const save = useMutation({
    mutationFn: () => {
      const rateLimit = form.values.rateLimit.trim();
      const body = {
        url: form.values.url.trim(),
        event_types: normalizeEventTypes(eventTypes),
        filter: filterFromRows(filter),
        rate_limit: rateLimit ? Number(rateLimit) : null,
      };
      const description = form.values.description.trim();
      if (endpoint) return updateWebhook(endpoint.id, { ...body, description });
      return createWebhook({ ...body, description: description || undefined });
    },
    onSuccess: (saved) => {
      queryClient.invalidateQueries({ queryKey: queryKeys.webhooks });
      if (endpoint) {
        notify(`Saved ${saved.url}.`);
        onClose();
      } else {
        setCreated(saved as WebhookEndpointWithSecret);
      }
    },
    onError: (error) => {
      setEventTypesError(null);
      setFilterError(null);
      const param = isApiError(error) ? (error.param ?? '') : '';
      if (param.startsWith('event_types') || param.startsWith('filter')) {
        form.setFormError(null);
        form.setErrors({});
        (param.startsWith('filter') ? setFilterError : setEventTypesError)(isApiError(error) ? error.message : null);
        return;
      }
      form.applyError(error, { url: 'url', description: 'description', rate_limit: 'rateLimit' });
    },
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const noEventTypes = eventTypes.length === 0;
    setEventTypesError(noEventTypes ? 'Choose at least one event type.' : null);
    setFilterError(null);
    const checked = checkFilterRows(filter);
    setFilter(checked);
    const rateLimit = form.values.rateLimit.trim();
    const limit = Number(rateLimit);
    const valid = form.validate(
      { url: 'Enter the URL that should receive the events.' },
      {
        rateLimit:
          rateLimit && (!Number.isInteger(limit) || limit < 1 || limit > 1000) ? 'Enter a whole number from 1 to 1000.' : undefined,
      },
    );
    const filterValid = checked.every((row) => !row.error);
    if (!filterValid && valid) {
      window.requestAnimationFrame(() => form.formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
    }
    if (valid && !noEventTypes && filterValid) save.mutate();
  }

  if (created) {
    return <WebhookSecretDialog endpoint={created} title="Your new webhook endpoint" onClose={onClose} />;
  }

  return (
    <Dialog
      key={endpoint ? `edit-${endpoint.id}` : 'create'}
      open
      onClose={onClose}
      title={endpoint ? 'Edit endpoint' : 'Add endpoint'}
      size="lg"
      dismissible={!save.isPending}
    >
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex flex-col gap-4">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        <TextField
          label="Endpoint URL"
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          placeholder="https://example.com/webhooks/atrium"
          {...form.bind('url')}
        />
        <EventTypePicker selected={eventTypes} onChange={setEventTypes} error={eventTypesError} />
        <WebhookFilterEditor rows={filter} onChange={setFilter} error={filterError} />
        <TextField
          label="Rate limit"
          type="number"
          inputMode="numeric"
          optional
          min={1}
          max={1000}
          step={1}
          placeholder="No limit"
          hint="At most this many deliveries per second (1–1000). Leave empty for no limit."
          {...form.bind('rateLimit')}
        />
        <TextField label="Description" optional autoComplete="off" placeholder="e.g. Billing sync" {...form.bind('description')} />
        <DialogFooter>
          <Button onClick={onClose} disabled={save.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={save.isPending}>
            {endpoint ? 'Save endpoint' : 'Add endpoint'}
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
