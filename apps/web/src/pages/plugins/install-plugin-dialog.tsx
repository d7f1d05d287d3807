import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef } from 'react';
import { installPlugin } from '../../api/plugins';
import { pluginKeys } from '../../api/plugins-queries';
import type { PluginInstallation } from '../../api/plugins-types';
import { Button } from '../../components/button';
import { Dialog, DialogFooter } from '../../components/dialog';
import { BundleFileField, bundleErrorText, useBundleFile } from './bundle-file-field';

interface InstallPluginDialogProps {
  workspace: { id: string; name: string };
  onClose: () => void;
  /** The new installation, waiting for consent. */
  onInstalled: (installation: PluginInstallation) => void;
}

/** Uploads a bundle into the current workspace; consent to its permissions comes next. */
export function InstallPluginDialog({ workspace, onClose, onInstalled }: InstallPluginDialogProps) {
  const queryClient = useQueryClient();
  const inputRef = useRef<HTMLInputElement>(null);
  const chosen = useBundleFile();

  const install = useMutation({
    mutationFn: (bundle: unknown) => installPlugin(workspace.id, bundle),
    onSuccess: (installation) => {
      queryClient.invalidateQueries({ queryKey: pluginKeys.all });
      onInstalled(installation);
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
    install.mutate(chosen.file.bundle);
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title="Install plugin"
      description={`Into the workspace ${workspace.name}. You will review what it may do before it runs.`}
      dismissible={!install.isPending}
    >
      <form noValidate onSubmit={handleSubmit} className="flex flex-col gap-4">
        <BundleFileField ref={inputRef} error={chosen.error} summary={chosen.file?.summary ?? null} onChange={chosen.handleChange} />
        <DialogFooter>
          <Button onClick={onClose} disabled={install.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={install.isPending || chosen.reading}>
            Install
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
