import { installPlugin } from '../../api/plugins';
import type { PluginInstallation } from '../../api/plugins-types';
import { BundleUploadDialog } from './bundle-upload-dialog';

interface InstallPluginDialogProps {
  workspace: { id: string; name: string };
  onClose: () => void;
  /** The new installation, waiting for consent. */
  onInstalled: (installation: PluginInstallation) => void;
}

/** Uploads a bundle into the current workspace; consent to its permissions comes next. */
export function InstallPluginDialog({ workspace, onClose, onInstalled }: InstallPluginDialogProps) {
  return (
    <BundleUploadDialog
      title="Install plugin"
      description={`Into the workspace ${workspace.name}. You will review what it may do before it runs.`}
      submitLabel="Install"
      upload={(bundle) => installPlugin(workspace.id, bundle)}
      onClose={onClose}
      onUploaded={onInstalled}
    />
  );
}
