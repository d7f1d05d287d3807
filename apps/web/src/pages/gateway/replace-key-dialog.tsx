import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { updateProvider } from '../../api/gateway';
import { gatewayKeys } from '../../api/gateway-queries';
import type { ProviderConnection } from '../../api/gateway-types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { Dialog, DialogFooter } from '../../components/dialog';
import { TextField } from '../../components/text-field';
import { useToast } from '../../components/toast';
import { useForm } from '../../lib/use-form';

/** Stores a new key for a connection; the old one is discarded at once. */
export function ReplaceKeyDialog({ provider, onClose }: { provider: ProviderConnection; onClose: () => void }) {
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const form = useForm({ apiKey: '' });

  const replace = useMutation({
    mutationFn: () => updateProvider(provider.id, { api_key: form.values.apiKey.trim() }),
    onSuccess: (updated) => {
      queryClient.invalidateQueries({ queryKey: gatewayKeys.providers });
      notify(`Stored a new key for ${updated.name}, ending in ${updated.api_key_hint ?? '…'}.`);
      onClose();
    },
    onError: (error) => form.applyError(error, { api_key: 'apiKey' }),
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (form.validate({ apiKey: 'Enter the new API key.' })) replace.mutate();
  }

  const title = provider.has_api_key ? 'Replace API key' : 'Add API key';
  return (
    <Dialog
      open
      onClose={onClose}
      title={title}
      description={
        provider.has_api_key
          ? `The key ending in ${provider.api_key_hint ?? '…'} stops being used for ${provider.name} as soon as you save.`
          : `Calls to ${provider.name} will send this key.`
      }
      dismissible={!replace.isPending}
    >
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex flex-col gap-4">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        <TextField
          label="New API key"
          type="password"
          autoComplete="new-password"
          spellCheck={false}
          hint="Stored encrypted; only its last four characters are shown again."
          {...form.bind('apiKey')}
        />
        <DialogFooter>
          <Button onClick={onClose} disabled={replace.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={replace.isPending}>
            Save key
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
