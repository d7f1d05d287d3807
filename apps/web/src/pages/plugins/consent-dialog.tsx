import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { errorMessage } from '../../api/client';
import { consentToPlugin } from '../../api/plugins';
import { pluginKeys } from '../../api/plugins-queries';
import type { PluginInstallation } from '../../api/plugins-types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { Dialog, DialogFooter } from '../../components/dialog';
import { PermissionList } from './permission-list';
import { FIRST_PARTY_PUBLISHER } from './plugin-format';

interface ConsentDialogProps {
  installation: PluginInstallation;
  onClose: () => void;
  onGranted: (installation: PluginInstallation) => void;
}

/**
 * Asks for consent to what the plugin (or its waiting update) may do, in plain words. Granting
 * sends exactly the list shown, so a dialog that showed less can never grant more.
 */
export function ConsentDialog({ installation, onClose, onGranted }: ConsentDialogProps) {
  const queryClient = useQueryClient();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const update = installation.pending_update;
  const version = update?.version ?? installation.version;
  const signedBy = update ? update.signed_by : installation.package.signed_by;
  const permissions = installation.consent_required;

  const grant = useMutation({
    mutationFn: () => consentToPlugin(installation.id, permissions),
    onSuccess: (granted) => {
      queryClient.invalidateQueries({ queryKey: pluginKeys.all });
      onGranted(granted);
    },
  });

  return (
    <Dialog
      open
      onClose={onClose}
      title={`Grant permissions to ${installation.name}`}
      description={
        update
          ? `Version ${version} asks for more than version ${installation.version}. Until you grant it, ${installation.version} keeps running.`
          : `${installation.name} ${version} asks to:`
      }
      initialFocus={cancelRef}
      dismissible={!grant.isPending}
    >
      <div className="flex flex-col gap-4">
        <PermissionList permissions={permissions} label={`Permissions ${installation.name} asks for`} added={update?.added_permissions} />
        {signedBy === FIRST_PARTY_PUBLISHER ? (
          <p className="text-sm text-text-muted">
            <span className="font-medium text-text">First-party</span>: it ships with this Atrium server.
          </p>
        ) : signedBy ? (
          <p className="text-sm text-text-muted">
            Signed by <span className="font-medium text-text">{signedBy}</span>, a publisher this server trusts.
          </p>
        ) : (
          <Alert tone="warning" live="none" title="Unsigned">
            Nobody vouches for this bundle: it was installed in developer mode. Grant only what you wrote or reviewed yourself.
          </Alert>
        )}
        {grant.isError && <Alert tone="danger">{errorMessage(grant.error)}</Alert>}
      </div>
      <DialogFooter>
        <Button ref={cancelRef} onClick={onClose} disabled={grant.isPending}>
          Cancel
        </Button>
        <Button variant="primary" loading={grant.isPending} onClick={() => grant.mutate()}>
          Grant
        </Button>
      </DialogFooter>
    </Dialog>
  );
}
