import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { createOrganization } from '../api/resources';
import { Alert } from '../components/alert';
import { Button } from '../components/button';
import { Dialog, DialogFooter } from '../components/dialog';
import { TextField } from '../components/text-field';
import { useToast } from '../components/toast';
import { splitApiError } from '../lib/form-errors';
import { useSwitchOrganization } from '../lib/session-actions';

export function CreateOrganizationDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const switchOrganization = useSwitchOrganization();
  const { notify } = useToast();
  const create = useMutation({
    mutationFn: async (value: string) => {
      const created = await createOrganization(value);
      await switchOrganization.mutateAsync(created.organization.id);
      return created;
    },
  });

  function reset() {
    setName('');
    setNameError(null);
    setFormError(null);
    create.reset();
  }

  function handleClose() {
    reset();
    onClose();
  }

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) {
      setNameError('Enter a name for the organization.');
      return;
    }
    setNameError(null);
    setFormError(null);
    create.mutate(name.trim(), {
      onSuccess: (created) => {
        notify(`Created ${created.organization.name}.`);
        handleClose();
      },
      onError: (error) => {
        const { fieldErrors, formError: message } = splitApiError(error, { name: 'name' });
        setNameError(fieldErrors.name ?? null);
        setFormError(message);
      },
    });
  }

  return (
    <Dialog open={open} onClose={handleClose} title="New organization" dismissible={!create.isPending}>
      <form noValidate onSubmit={handleSubmit} className="flex flex-col gap-4">
        {formError && <Alert tone="danger">{formError}</Alert>}
        <TextField
          label="Name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          error={nameError}
          hint="You will be its owner, with a first workspace ready to use."
          autoComplete="organization"
        />
        <DialogFooter>
          <Button onClick={handleClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={create.isPending}>
            Create organization
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
