import { useState } from 'react';
import { useApiKeysIfAllowed, usePolicyQuery } from '../../api/gateway-queries';
import type { PolicyScope } from '../../api/gateway-types';
import { QueryError } from '../../components/access-denied';
import { RadioGroup } from '../../components/checkbox';
import { Card } from '../../components/page-header';
import { SelectField } from '../../components/select-field';
import { PageSpinner } from '../../components/spinner';
import { useCurrentWorkspace } from '../../lib/current-workspace';
import { useSession } from '../../lib/session';
import { GatewaySection, SectionHeader } from './gateway-layout';
import { PolicyForm } from './policy-form';

export function LimitsPage() {
  return (
    <GatewaySection tab="limits">
      <Limits />
    </GatewaySection>
  );
}

const scopeDescriptions: Record<PolicyScope, string> = {
  organization: 'Applies to every call in the organization, from any workspace, key or console session.',
  workspace: 'Applies to calls made in one workspace, by its API keys and in the playground.',
  api_key: 'Applies to calls made with one API key.',
};

function Limits() {
  const { me, can } = useSession();
  const canWrite = can('gateway:write');
  const canListKeys = can('api_keys:read');
  const { workspaces, current } = useCurrentWorkspace();
  const apiKeys = useApiKeysIfAllowed(canListKeys);
  const activeKeys = (apiKeys.data ?? []).filter((key) => !key.revoked_at);
  const [scope, setScope] = useState<PolicyScope>('organization');
  const [workspaceId, setWorkspaceId] = useState<string>('');
  const [keyId, setKeyId] = useState<string>('');

  const chosenWorkspace = workspaceId || current?.id || workspaces[0]?.id || '';
  const chosenKey = keyId || activeKeys[0]?.id || '';
  const scopeId = scope === 'organization' ? me.organization.id : scope === 'workspace' ? chosenWorkspace : chosenKey;
  const policy = usePolicyQuery(scope, scopeId || null);

  const workspaceName = new Map(workspaces.map((workspace) => [workspace.id, workspace.name]));
  const scopeLabel =
    scope === 'organization'
      ? 'the organization'
      : scope === 'workspace'
        ? `workspace ${workspaceName.get(chosenWorkspace) ?? chosenWorkspace}`
        : `API key ${activeKeys.find((key) => key.id === chosenKey)?.name ?? chosenKey}`;
  const title =
    scope === 'organization'
      ? `${me.organization.name} (organization)`
      : scope === 'workspace'
        ? `Workspace ${workspaceName.get(chosenWorkspace) ?? ''}`
        : `API key ${activeKeys.find((key) => key.id === chosenKey)?.name ?? ''}`;

  return (
    <>
      <SectionHeader tab="limits" />
      <div className="flex flex-col gap-6">
        <Card>
          <div className="flex flex-col gap-4">
            <RadioGroup
              legend="Edit the limits of"
              name="policy-scope"
              value={scope}
              inline
              options={[
                { value: 'organization', label: 'The organization' },
                { value: 'workspace', label: 'A workspace' },
                { value: 'api_key', label: 'An API key' },
              ]}
              onChange={setScope}
            />
            {scope === 'workspace' && (
              <SelectField
                label="Workspace"
                containerClassName="max-w-md"
                value={chosenWorkspace}
                options={workspaces.map((workspace) => ({ value: workspace.id, label: workspace.name }))}
                onChange={(event) => setWorkspaceId(event.target.value)}
              />
            )}
            {scope === 'api_key' && canListKeys && activeKeys.length > 0 && (
              <SelectField
                label="API key"
                containerClassName="max-w-md"
                value={chosenKey}
                options={activeKeys.map((key) => ({
                  value: key.id,
                  label: `${key.name} (…${key.last4})${workspaceName.has(key.workspace_id) ? ` · ${workspaceName.get(key.workspace_id)}` : ''}`,
                }))}
                onChange={(event) => setKeyId(event.target.value)}
              />
            )}
            <p className="text-sm text-text-muted">
              {scopeDescriptions[scope]} Every level applies: a call must fit its API key’s, its workspace’s and the organization’s limits.
            </p>
          </div>
        </Card>
        {scope === 'api_key' && !canListKeys && (
          <p className="text-sm text-text-muted">
            Choosing an API key needs the <code>api_keys:read</code> permission, which your role does not include.
          </p>
        )}
        {scope === 'api_key' && canListKeys && apiKeys.isPending && <PageSpinner label="Loading API keys…" />}
        {scope === 'api_key' && canListKeys && apiKeys.isError && <QueryError error={apiKeys.error} headingLevel={3} />}
        {scope === 'api_key' && canListKeys && apiKeys.isSuccess && activeKeys.length === 0 && (
          <p className="text-sm text-text-muted">
            There are no active API keys. Create one on the API keys page to give it its own limits.
          </p>
        )}
        {scopeId && (
          <Card>
            <h3 className="mb-4 text-base font-semibold text-text">{title}</h3>
            {policy.isPending && <PageSpinner label="Loading limits…" />}
            {policy.isError && <QueryError error={policy.error} headingLevel={3} />}
            {policy.data && <PolicyForm key={`${scope}:${scopeId}`} policy={policy.data} scopeLabel={scopeLabel} canWrite={canWrite} />}
          </Card>
        )}
      </div>
    </>
  );
}
