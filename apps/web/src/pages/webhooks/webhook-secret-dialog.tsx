import type { WebhookEndpointWithSecret } from '../../api/types';
import { SecretOnceDialog } from '../../components/secret-once-dialog';

interface WebhookSecretDialogProps {
  endpoint: WebhookEndpointWithSecret;
  title: string;
  onClose: () => void;
  note?: string;
}

/** The endpoint's new signing secret, shown once. */
export function WebhookSecretDialog({ endpoint, title, onClose, note }: WebhookSecretDialogProps) {
  return (
    <SecretOnceDialog
      ownerId={endpoint.id}
      title={title}
      description="Copy the signing secret now and store it where your endpoint can read it. It will not be shown again."
      warningTitle="This is the only time you can see this secret"
      warning="If you lose it, rotate the secret to get a new one."
      label={`Signing secret for ${endpoint.url}`}
      secret={endpoint.secret}
      testId="webhook-secret"
      note={note}
      onClose={onClose}
    />
  );
}
