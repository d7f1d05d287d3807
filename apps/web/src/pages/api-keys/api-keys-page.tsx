import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { queryKeys, useApiKeysQuery } from '../../api/queries';
import { revokeApiKey } from '../../api/resources';
import type { ApiKey } from '../../api/types';
import { QueryError } from '../../components/access-denied';
import { Button } from '../../components/button';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EmptyState } from '../../components/empty-state';
import { KeyIcon, PlusIcon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { PageSpinner } from '../../components/spinner';
import { useToast } from '../../components/toast';
import { useCurrentWorkspace } from '../../lib/current-workspace';
import { useSession } from '../../lib/session';
import { usePageTitle } from '../../lib/use-page-title';
import { ApiKeysTable } from './api-keys-table';
import { CreateApiKeyDialog } from './create-api-key-dialog';
import { RotateApiKeyDialog } from './rotate-api-key-dialog';

export function ApiKeysPage() {
  usePageTitle('API keys');
  const { can } = useSession();
  const canWrite = can('api_keys:write');
  const query = useApiKeysQuery();
  const { workspaces } = useCurrentWorkspace();
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const [creating, setCreating] = useState(false);
  const [rotating, setRotating] = useState<ApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  const revoke = useMutation({
    mutationFn: (key: ApiKey) => revokeApiKey(key.id),
    onSuccess: (_, key) => {
      notify(`Revoked ${key.name}.`);
      setRevoking(null);
      queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys });
    },
  });

  const createButton = canWrite && (
    <Button variant="primary" icon={<PlusIcon className="size-4" />} onClick={() => setCreating(true)}>
      Create API key
    </Button>
  );

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys authenticate calls to the Atrium gateway. Each key belongs to one workspace."
        actions={createButton}
      />
      {query.isPending && <PageSpinner label="Loading API keys…" />}
      {query.isError && <QueryError error={query.error} />}
      {query.data && query.data.length === 0 && (
        <EmptyState
          icon={<KeyIcon />}
          title="No API keys yet"
          description={
            canWrite
              ? 'Create a key to call the gateway from your code. The secret is shown only once.'
              : 'Ask an organization admin to create a key for you.'
          }
        />
      )}
      {query.data && query.data.length > 0 && (
        <ApiKeysTable
          keys={query.data}
          workspaces={workspaces}
          canWrite={canWrite}
          onRotate={setRotating}
          onRevoke={(key) => {
            revoke.reset();
            setRevoking(key);
          }}
        />
      )}
      {creating && <CreateApiKeyDialog onClose={() => setCreating(false)} />}
      {rotating && <RotateApiKeyDialog apiKey={rotating} onClose={() => setRotating(null)} />}
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke API key?"
        confirmLabel="Revoke key"
        onConfirm={() => revoking && revoke.mutate(revoking)}
        onClose={() => setRevoking(null)}
        pending={revoke.isPending}
        error={revoke.isError ? errorMessage(revoke.error) : null}
      >
        <p>
          Requests using <span className="font-medium text-text">{revoking?.name}</span> will be rejected immediately. This cannot be
          undone.
        </p>
      </ConfirmDialog>
    </>
  );
}
