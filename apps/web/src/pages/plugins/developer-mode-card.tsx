import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { savePluginPolicy } from '../../api/plugins';
import { pluginKeys, usePluginPolicyQuery } from '../../api/plugins-queries';
import type { PluginPolicy } from '../../api/plugins-types';
import { QueryError } from '../../components/access-denied';
import { Badge } from '../../components/badge';
import { Checkbox } from '../../components/checkbox';
import { Card } from '../../components/page-header';
import { Spinner } from '../../components/spinner';
import { useToast } from '../../components/toast';
import { useSession } from '../../lib/session';

/**
 * Which bundles the organization accepts: signed by a trusted publisher, or (developer mode) also
 * unsigned ones. Only those who may change the organization (`org:write`) can switch it.
 */
export function DeveloperModeCard() {
  const { can } = useSession();
  const canWrite = can('org:write');
  const query = usePluginPolicyQuery();
  const queryClient = useQueryClient();
  const { notify } = useToast();
  // The checkbox follows the click at once (in the same render as the click); a refusal puts it back.
  const [choice, setChoice] = useState<boolean | null>(null);
  const save = useMutation({
    mutationFn: savePluginPolicy,
    onMutate: (developerMode) => {
      const previous = queryClient.getQueryData<PluginPolicy>(pluginKeys.policy);
      if (previous) queryClient.setQueryData(pluginKeys.policy, { ...previous, developer_mode: developerMode });
      return { previous };
    },
    onSuccess: (policy) => {
      queryClient.setQueryData(pluginKeys.policy, policy);
      notify(policy.developer_mode ? 'Developer mode is on: unsigned plugins can be installed.' : 'Developer mode is off.');
    },
    onError: (error, _, saved) => {
      if (saved?.previous) queryClient.setQueryData(pluginKeys.policy, saved.previous);
      notify(errorMessage(error), 'danger');
    },
    onSettled: () => setChoice(null),
  });
  const policy = query.data;

  return (
    <Card className="mt-6">
      <h3 className="mb-1 text-base font-semibold text-text">Installation policy</h3>
      <p className="mb-4 max-w-2xl text-sm text-text-muted">
        Plugins must be signed by a publisher this server trusts. Developer mode also accepts unsigned bundles, for plugins you are writing
        yourself.
      </p>
      {query.isPending && <Spinner label="Loading the installation policy…" />}
      {query.isError && <QueryError error={query.error} headingLevel={3} />}
      {policy && (
        <div className="flex flex-col gap-4">
          {canWrite ? (
            <Checkbox
              label="Developer mode"
              description="Allow unsigned plugins in every workspace of this organization."
              checked={choice ?? policy.developer_mode}
              disabled={save.isPending}
              onChange={(event) => {
                setChoice(event.target.checked);
                save.mutate(event.target.checked);
              }}
            />
          ) : (
            <p className="flex items-center gap-2 text-sm text-text">
              Developer mode
              <Badge tone={policy.developer_mode ? 'warning' : 'neutral'}>{policy.developer_mode ? 'On' : 'Off'}</Badge>
            </p>
          )}
          <div className="flex flex-col gap-1 text-sm">
            <span className="text-text-muted">Trusted publishers</span>
            {policy.trusted_publishers.length > 0 ? (
              <ul className="flex flex-wrap gap-1.5">
                {policy.trusted_publishers.map((publisher) => (
                  <li key={publisher}>
                    <Badge tone="brand">{publisher}</Badge>
                  </li>
                ))}
              </ul>
            ) : (
              <span>None: the operator of this Atrium has not registered any publisher keys.</span>
            )}
          </div>
        </div>
      )}
    </Card>
  );
}
