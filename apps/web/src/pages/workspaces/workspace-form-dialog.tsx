import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect } from 'react';
import { queryKeys } from '../../api/queries';
import { createWorkspace, updateWorkspace } from '../../api/resources';
import type { Workspace } from '../../api/types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { Dialog, DialogFooter } from '../../components/dialog';
import { TextField } from '../../components/text-field';
import { useToast } from '../../components/toast';
import { useForm } from '../../lib/use-form';

interface WorkspaceFormDialogProps {
  open: boolean;
  /** The workspace to edit; null creates a new one. */
  workspace: Workspace | null;
  onClose: () => void;
  onCreated?: (workspace: Workspace) => void;
}

export function WorkspaceFormDialog({ open, workspace, onClose, onCreated }: WorkspaceFormDialogProps) {
  const editing = workspace !== null;
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const form = useForm({ name: '', description: '' });
  const { reset } = form;

  // biome-ignore lint/correctness/useExhaustiveDependencies: refill only when the dialog opens or targets another workspace
  useEffect(() => {
    if (open) reset({ name: workspace?.name ?? '', description: workspace?.description ?? '' });
  }, [open, workspace?.id]);

  const save = useMutation({
    mutationFn: () => {
      const input = { name: form.values.name.trim(), description: form.values.description.trim() || undefined };
      return editing ? updateWorkspace(workspace.id, input) : createWorkspace(input);
    },
    onSuccess: (saved) => {
      queryClient.invalidateQueries({ queryKey: queryKeys.workspaces });
      queryClient.invalidateQueries({ queryKey: queryKeys.me });
      notify(editing ? `Saved ${saved.name}.` : `Created ${saved.name}.`);
      if (!editing) onCreated?.(saved);
      onClose();
    },
    onError: (error) => form.applyError(error, { name: 'name', description: 'description' }),
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (form.validate({ name: 'Enter a name for the workspace.' })) save.mutate();
  }

  function handleClose() {
    save.reset();
    onClose();
  }

  return (
    <Dialog
      open={open}
      onClose={handleClose}
      title={editing ? 'Edit workspace' : 'New workspace'}
      description={editing ? undefined : 'Workspaces separate API keys, usage and settings within your organization.'}
      dismissible={!save.isPending}
    >
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex flex-col gap-4">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        <TextField label="Name" autoComplete="off" {...form.bind('name')} />
        <TextField label="Description" optional autoComplete="off" {...form.bind('description')} />
        <DialogFooter>
          <Button onClick={handleClose} disabled={save.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={save.isPending}>
            {editing ? 'Save changes' : 'Create workspace'}
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
