import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { errorMessage } from '../../api/client';
import { queryKeys } from '../../api/queries';
import { rotateApiKey } from '../../api/resources';
import type { ApiKey, CreatedApiKey } from '../../api/types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { RadioGroup } from '../../components/checkbox';
import { Dialog, DialogFooter } from '../../components/dialog';
import { ApiKeySecretDialog } from './api-key-secret-dialog';

const overlapOptions = [
  { value: '3600', label: '1 hour' },
  { value: '86400', label: '24 hours', description: 'Recommended: time to roll out the new secret everywhere.' },
  { value: '604800', label: '7 days' },
  { value: '0', label: 'Immediately', description: 'The old secret stops working right away.' },
];

function overlapNote(seconds: number): string {
  if (seconds === 0) return 'The old secret no longer works.';
  const label = overlapOptions.find((option) => option.value === String(seconds))?.label ?? `${seconds} seconds`;
  return `The old secret keeps working for ${label}, then stops.`;
}

export function RotateApiKeyDialog({ apiKey, onClose }: { apiKey: ApiKey; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [overlap, setOverlap] = useState('86400');
  const [rotated, setRotated] = useState<CreatedApiKey | null>(null);

  const rotate = useMutation({
    mutationFn: () => rotateApiKey(apiKey.id, Number(overlap)),
    onSuccess: (key) => {
      setRotated(key);
      queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys });
    },
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    rotate.mutate();
  }

  if (rotated) {
    return <ApiKeySecretDialog created={rotated} title="Your rotated API key" note={overlapNote(Number(overlap))} onClose={onClose} />;
  }

  return (
    <Dialog
      key="rotate"
      open
      onClose={onClose}
      title="Rotate API key"
      description={`Issue a new secret for ${apiKey.name}. Choose how long the current secret keeps working.`}
      dismissible={!rotate.isPending}
    >
      <form noValidate onSubmit={handleSubmit} className="flex flex-col gap-4">
        {rotate.isError && <Alert tone="danger">{errorMessage(rotate.error)}</Alert>}
        <RadioGroup
          legend="Keep the old secret working for"
          name="rotation-overlap"
          value={overlap}
          options={overlapOptions}
          onChange={setOverlap}
        />
        <DialogFooter>
          <Button onClick={onClose} disabled={rotate.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={rotate.isPending}>
            Rotate key
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
