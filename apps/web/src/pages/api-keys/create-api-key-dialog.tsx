import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { queryKeys } from '../../api/queries';
import { createApiKey } from '../../api/resources';
import type { CreatedApiKey } from '../../api/types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { Dialog, DialogFooter } from '../../components/dialog';
import { SelectField } from '../../components/select-field';
import { TextField } from '../../components/text-field';
import { useCurrentWorkspace } from '../../lib/current-workspace';
import { dateInputValue, endOfDayIso } from '../../lib/format';
import { useForm } from '../../lib/use-form';
import { ApiKeySecretDialog } from './api-key-secret-dialog';
import { ScopePicker } from './scope-picker';

export function CreateApiKeyDialog({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  const { workspaces, current } = useCurrentWorkspace();
  const form = useForm({ name: '', workspace: current?.id ?? workspaces[0]?.id ?? '', expires: '' });
  const [scopes, setScopes] = useState<string[]>([]);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const defaultWorkspace = current?.id ?? workspaces[0]?.id ?? '';
  const { setValues } = form;

  useEffect(() => {
    if (defaultWorkspace) setValues((values) => (values.workspace ? values : { ...values, workspace: defaultWorkspace }));
  }, [defaultWorkspace, setValues]);

  const create = useMutation({
    mutationFn: () =>
      createApiKey({
        name: form.values.name.trim(),
        workspace_id: form.values.workspace,
        scopes: scopes.length > 0 ? scopes : undefined,
        expires_at: form.values.expires ? endOfDayIso(form.values.expires) : undefined,
      }),
    onSuccess: (key) => {
      setCreated(key);
      queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys });
    },
    onError: (error) => form.applyError(error, { name: 'name', workspace_id: 'workspace', expires_at: 'expires' }),
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const valid = form.validate(
      { name: 'Enter a name so you can recognise this key later.', workspace: 'Choose a workspace.' },
      form.values.expires && form.values.expires < dateInputValue(1) ? { expires: 'Choose a date after today.' } : {},
    );
    if (valid) create.mutate();
  }

  if (created) {
    return <ApiKeySecretDialog created={created} title="Your new API key" onClose={onClose} />;
  }

  return (
    <Dialog key="create" open onClose={onClose} title="Create API key" dismissible={!create.isPending}>
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex flex-col gap-4">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        <TextField label="Name" autoComplete="off" placeholder="e.g. Production backend" {...form.bind('name')} />
        <SelectField
          label="Workspace"
          options={workspaces.map((workspace) => ({ value: workspace.id, label: workspace.name }))}
          {...form.bind('workspace')}
        />
        <TextField
          label="Expires on"
          type="date"
          optional
          min={dateInputValue(1)}
          hint="Leave empty for a key that does not expire."
          {...form.bind('expires')}
        />
        <ScopePicker selected={scopes} onChange={setScopes} />
        <DialogFooter>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={create.isPending}>
            Create key
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
