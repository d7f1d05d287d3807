import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { isApiError } from '../../api/client';
import { queryKeys } from '../../api/queries';
import { createWebhook } from '../../api/resources';
import type { WebhookEndpointWithSecret } from '../../api/types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { Dialog, DialogFooter } from '../../components/dialog';
import { TextField } from '../../components/text-field';
import { useForm } from '../../lib/use-form';
import { EventTypePicker, normalizeEventTypes } from './event-type-picker';
import { WebhookSecretDialog } from './webhook-secret-dialog';

export function CreateWebhookDialog({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  const form = useForm({ url: '', description: '' });
  const [eventTypes, setEventTypes] = useState<string[]>([]);
  const [eventTypesError, setEventTypesError] = useState<string | null>(null);
  const [created, setCreated] = useState<WebhookEndpointWithSecret | null>(null);

  const create = useMutation({
    mutationFn: () =>
      createWebhook({
        url: form.values.url.trim(),
        event_types: normalizeEventTypes(eventTypes),
        description: form.values.description.trim() || undefined,
      }),
    onSuccess: (endpoint) => {
      setCreated(endpoint);
      queryClient.invalidateQueries({ queryKey: queryKeys.webhooks });
    },
    onError: (error) => {
      if (isApiError(error) && error.param?.startsWith('event_types')) {
        form.setFormError(null);
        form.setErrors({});
        setEventTypesError(error.message);
        return;
      }
      form.applyError(error, { url: 'url', description: 'description' });
    },
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const noEventTypes = eventTypes.length === 0;
    setEventTypesError(noEventTypes ? 'Choose at least one event type.' : null);
    const valid = form.validate({ url: 'Enter the URL that should receive the events.' });
    if (valid && !noEventTypes) create.mutate();
  }

  if (created) {
    return <WebhookSecretDialog endpoint={created} title="Your new webhook endpoint" onClose={onClose} />;
  }

  return (
    <Dialog key="create" open onClose={onClose} title="Add endpoint" size="lg" dismissible={!create.isPending}>
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
        <TextField label="Description" optional autoComplete="off" placeholder="e.g. Billing sync" {...form.bind('description')} />
        <DialogFooter>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={create.isPending}>
            Add endpoint
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
