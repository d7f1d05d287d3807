import type { CreatedApiKey } from '../../api/types';
import { SecretOnceDialog } from '../../components/secret-once-dialog';

interface ApiKeySecretDialogProps {
  created: CreatedApiKey;
  title: string;
  onClose: () => void;
  note?: string;
}

/** The new API key's secret, shown once. */
export function ApiKeySecretDialog({ created, title, onClose, note }: ApiKeySecretDialogProps) {
  return (
    <SecretOnceDialog
      ownerId={created.id}
      title={title}
      description="Copy the secret now and store it somewhere safe. It will not be shown again."
      warningTitle="This is the only time you can see this key"
      warning="If you lose it, rotate the key to get a new secret."
      label={`Secret for ${created.name}`}
      secret={created.key}
      testId="api-key-secret"
      note={note}
      onClose={onClose}
    />
  );
}
