import { updatePluginBundle } from '../../api/plugins';
import type { PluginInstallation } from '../../api/plugins-types';
import { BundleUploadDialog } from './bundle-upload-dialog';

interface UpdatePluginDialogProps {
  installation: PluginInstallation;
  onClose: () => void;
  /** The installation after the update: running the new version, or holding it for consent. */
  onUpdated: (installation: PluginInstallation) => void;
}

/** Uploads another version of the same plugin; new permissions wait for consent. */
export function UpdatePluginDialog({ installation, onClose, onUpdated }: UpdatePluginDialogProps) {
  return (
    <BundleUploadDialog
      title={`Update ${installation.name}`}
      description={`Version ${installation.version} is installed. If the new version asks for more permissions, you review them next; until then ${installation.version} keeps running.`}
      submitLabel="Update"
      upload={(bundle) => updatePluginBundle(installation.id, bundle)}
      onClose={onClose}
      onUploaded={onUpdated}
    />
  );
}
