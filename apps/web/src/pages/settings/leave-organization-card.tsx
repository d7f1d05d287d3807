import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { landInOrganization } from '../../api/auth';
import { errorMessage } from '../../api/client';
import { leaveOrganization } from '../../api/resources';
import type { OrganizationSummary } from '../../api/types';
import { Button } from '../../components/button';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Card } from '../../components/page-header';
import { useToast } from '../../components/toast';
import { navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useSignOut } from '../../lib/session-actions';

/**
 * Leaves the current organization, then moves the session to another organization the user
 * belongs to, or signs out when there is none (or the switch is refused).
 */
export function LeaveOrganizationCard() {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const signOut = useSignOut();
  const { notify } = useToast();
  const [confirming, setConfirming] = useState(false);
  const organizationName = me.organization.name;

  const leave = useMutation({
    mutationFn: async (): Promise<OrganizationSummary | null> => {
      await leaveOrganization();
      const next = me.memberships?.find(({ organization }) => organization.id !== me.organization.id)?.organization;
      if (!next) return null;
      try {
        await landInOrganization(next.id);
        return next;
      } catch {
        return null;
      }
    },
    onSuccess: async (next) => {
      setConfirming(false);
      if (!next) {
        notify(`You left ${organizationName}.`);
        signOut.mutate();
        return;
      }
      notify(`You left ${organizationName}. Switched to ${next.name}.`);
      navigate('/', { replace: true });
      queryClient.removeQueries({ type: 'inactive' });
      await queryClient.invalidateQueries();
    },
  });

  return (
    <Card>
      <h2 className="text-lg font-semibold text-text">Leave organization</h2>
      <p className="mt-1 mb-4 max-w-2xl text-sm text-text-muted">
        You will lose access to {organizationName} and its workspaces and API keys until someone invites you again. An organization always
        keeps at least one owner, so the last owner must make someone else owner first.
      </p>
      <Button
        variant="danger"
        onClick={() => {
          leave.reset();
          setConfirming(true);
        }}
      >
        Leave organization
      </Button>
      <ConfirmDialog
        open={confirming}
        title={`Leave ${organizationName}?`}
        confirmLabel="Leave"
        onConfirm={() => leave.mutate()}
        onClose={() => setConfirming(false)}
        pending={leave.isPending || signOut.isPending}
        error={leave.isError ? errorMessage(leave.error) : null}
      >
        <p>You will no longer see this organization. Rejoining needs a new invitation.</p>
      </ConfirmDialog>
    </Card>
  );
}
