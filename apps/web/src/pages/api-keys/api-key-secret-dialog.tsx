import type { CreatedApiKey } from '../../api/types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { CopyField } from '../../components/copy-field';
import { Dialog, DialogFooter } from '../../components/dialog';

interface ApiKeySecretDialogProps {
  created: CreatedApiKey;
  title: string;
  onClose: () => void;
  note?: string;
}

/** Shows a freshly issued secret exactly once, with a copy button and a clear warning. */
export function ApiKeySecretDialog({ created, title, onClose, note }: ApiKeySecretDialogProps) {
  return (
    <Dialog
      key={`secret-${created.id}`}
      open
      onClose={onClose}
      title={title}
      description="Copy the secret now and store it somewhere safe. It will not be shown again."
    >
      <div className="flex flex-col gap-4">
        <Alert tone="warning" live="none" title="This is the only time you can see this key">
          If you lose it, rotate the key to get a new secret.
        </Alert>
        {note && <p className="text-sm text-text-muted">{note}</p>}
        <CopyField label={`Secret for ${created.name}`} value={created.key} testId="api-key-secret" />
      </div>
      <DialogFooter>
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      </DialogFooter>
    </Dialog>
  );
}
