import { Alert } from './alert';
import { Button } from './button';
import { CopyField } from './copy-field';
import { Dialog, DialogFooter } from './dialog';

interface SecretOnceDialogProps {
  /** Identifies the secret's owner, so a new secret remounts the dialog. */
  ownerId: string;
  title: string;
  description: string;
  warningTitle: string;
  warning: string;
  label: string;
  secret: string;
  testId: string;
  note?: string;
  onClose: () => void;
}

/** Shows a freshly issued secret exactly once, with a copy button and a clear warning. */
export function SecretOnceDialog(props: SecretOnceDialogProps) {
  return (
    <Dialog key={`secret-${props.ownerId}`} open onClose={props.onClose} title={props.title} description={props.description}>
      <div className="flex flex-col gap-4">
        <Alert tone="warning" live="none" title={props.warningTitle}>
          {props.warning}
        </Alert>
        {props.note && <p className="text-sm text-text-muted">{props.note}</p>}
        <CopyField label={props.label} value={props.secret} testId={props.testId} />
      </div>
      <DialogFooter>
        <Button variant="primary" onClick={props.onClose}>
          Done
        </Button>
      </DialogFooter>
    </Dialog>
  );
}
