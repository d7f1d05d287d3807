import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef } from 'react';
import { pluginKeys } from '../../api/plugins-queries';
import type { PluginInstallation } from '../../api/plugins-types';
import { Button } from '../../components/button';
import { Dialog, DialogFooter } from '../../components/dialog';
import { BundleFileField, bundleErrorText, useBundleFile } from './bundle-file-field';

interface BundleUploadDialogProps {
  title: string;
  description: string;
  /** The submit button's label. */
  submitLabel: string;
  /** Sends the chosen bundle; answers with the installation it created or changed. */
  upload: (bundle: unknown) => Promise<PluginInstallation>;
  onClose: () => void;
  onUploaded: (installation: PluginInstallation) => void;
}

/** Chooses a bundle file and uploads it; a refusal shows on the file field, which takes focus again. */
export function BundleUploadDialog({ title, description, submitLabel, upload, onClose, onUploaded }: BundleUploadDialogProps) {
  const queryClient = useQueryClient();
  const inputRef = useRef<HTMLInputElement>(null);
  const chosen = useBundleFile();

  const send = useMutation({
    mutationFn: upload,
    onSuccess: (installation) => {
      queryClient.invalidateQueries({ queryKey: pluginKeys.all });
      onUploaded(installation);
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
    send.mutate(chosen.file.bundle);
  }

  return (
    <Dialog open onClose={onClose} title={title} description={description} dismissible={!send.isPending}>
      <form noValidate onSubmit={handleSubmit} className="flex flex-col gap-4">
        <BundleFileField ref={inputRef} error={chosen.error} summary={chosen.file?.summary ?? null} onChange={chosen.handleChange} />
        <DialogFooter>
          <Button onClick={onClose} disabled={send.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={send.isPending || chosen.reading}>
            {submitLabel}
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
