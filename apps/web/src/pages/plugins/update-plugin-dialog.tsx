import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef } from 'react';
import { updatePluginBundle } from '../../api/plugins';
import { pluginKeys } from '../../api/plugins-queries';
import type { PluginInstallation } from '../../api/plugins-types';
import { Button } from '../../components/button';
import { Dialog, DialogFooter } from '../../components/dialog';
import { BundleFileField, bundleErrorText, useBundleFile } from './bundle-file-field';

interface UpdatePluginDialogProps {
  installation: PluginInstallation;
  onClose: () => void;
  /** The installation after the update: running the new version, or holding it for consent. */
  onUpdated: (installation: PluginInstallation) => void;
}

/** Uploads another version of the same plugin; new permissions wait for consent. */
export function UpdatePluginDialog({ installation, onClose, onUpdated }: UpdatePluginDialogProps) {
  const queryClient = useQueryClient();
  const inputRef = useRef<HTMLInputElement>(null);
  const chosen = useBundleFile();

  const update = useMutation({
    mutationFn: (bundle: unknown) => updatePluginBundle(installation.id, bundle),
    onSuccess: (updated) => {
      queryClient.invalidateQueries({ queryKey: pluginKeys.all });
      onUpdated(updated);
    },
    onError: (error) => {
      chosen.setError(bundleErrorText(error));
      window.requestAnimationFrame(() => inputRef.current?.focus());
    },
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (!chosen.file) {
      chosen.setError(chosen.error ?? 'Choose a plugin bundle file.');
      inputRef.current?.focus();
      return;
    }
    update.mutate(chosen.file.bundle);
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title={`Update ${installation.name}`}
      description={`Version ${installation.version} is installed. If the new version asks for more permissions, you review them next; until then ${installation.version} keeps running.`}
      dismissible={!update.isPending}
    >
      <form noValidate onSubmit={handleSubmit} className="flex flex-col gap-4">
        <BundleFileField ref={inputRef} error={chosen.error} summary={chosen.file?.summary ?? null} onChange={chosen.handleChange} />
        <DialogFooter>
          <Button onClick={onClose} disabled={update.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={update.isPending || chosen.reading}>
            Update
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
