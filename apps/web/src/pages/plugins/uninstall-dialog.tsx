import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { errorMessage } from '../../api/client';
import { uninstallPlugin } from '../../api/plugins';
import { pluginKeys } from '../../api/plugins-queries';
import type { PluginInstallation } from '../../api/plugins-types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { Dialog, DialogFooter } from '../../components/dialog';
import { TextField } from '../../components/text-field';

interface UninstallDialogProps {
  installation: PluginInstallation;
  onClose: () => void;
  /** How many stored records were deleted with it. */
  onUninstalled: (purgedRecords: number) => void;
}

/** Uninstalling deletes what the plugin stored, so it asks for the plugin id typed out. */
export function UninstallDialog({ installation, onClose, onUninstalled }: UninstallDialogProps) {
  const queryClient = useQueryClient();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const confirmed = typed.trim() === installation.plugin_id;

  const uninstall = useMutation({
    mutationFn: () => uninstallPlugin(installation.id, installation.plugin_id),
    onSuccess: (result) => {
      queryClient.removeQueries({ queryKey: pluginKeys.detail(installation.id) });
      queryClient.invalidateQueries({ queryKey: pluginKeys.all });
      onUninstalled(result.purged_records);
    },
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (!confirmed) {
      setError(`Type ${installation.plugin_id} to confirm.`);
      return;
    }
    setError(null);
    uninstall.mutate();
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title={`Uninstall ${installation.name}?`}
      size="sm"
      initialFocus={cancelRef}
      dismissible={!uninstall.isPending}
    >
      <form noValidate onSubmit={handleSubmit} className="flex flex-col gap-4 text-sm text-text-muted">
        <p>Its capabilities and hooks stop at once, and everything it stored in this workspace is deleted. This cannot be undone.</p>
        <TextField
          label={
            <>
              Type <code className="font-semibold">{installation.plugin_id}</code> to confirm
            </>
          }
          autoComplete="off"
          spellCheck={false}
          value={typed}
          error={error}
          onChange={(event) => setTyped(event.target.value)}
        />
        {uninstall.isError && <Alert tone="danger">{errorMessage(uninstall.error)}</Alert>}
        <DialogFooter>
          <Button ref={cancelRef} onClick={onClose} disabled={uninstall.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="danger" loading={uninstall.isPending}>
            Uninstall
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
