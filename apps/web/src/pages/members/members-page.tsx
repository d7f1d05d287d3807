import { useState } from 'react';
import { isPermissionError } from '../../api/client';
import { useMembersQuery } from '../../api/queries';
import { QueryError } from '../../components/access-denied';
import { Button } from '../../components/button';
import { PlusIcon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { PageSpinner } from '../../components/spinner';
import { useSession } from '../../lib/session';
import { usePageTitle } from '../../lib/use-page-title';
import { InvitationsSection } from './invitations-section';
import { InviteDialog } from './invite-dialog';
import { MembersTable } from './members-table';

export function MembersPage() {
  usePageTitle('Members');
  const { me, canAny, canArea } = useSession();
  const canInvite = canAny('members:write', 'invitations:write');
  const canSeeInvitations = canInvite || canArea('members') || canArea('invitations');
  const query = useMembersQuery();
  const denied = isPermissionError(query.error);
  const [inviting, setInviting] = useState(false);

  return (
    <>
      <PageHeader
        title="Members"
        description={`People with access to ${me.organization.name}, and the role that decides what they can do.`}
        actions={
          canInvite && (
            <Button variant="primary" icon={<PlusIcon className="size-4" />} onClick={() => setInviting(true)}>
              Invite member
            </Button>
          )
        }
      />
      {query.isPending && <PageSpinner label="Loading members…" />}
      {query.isError && <QueryError error={query.error} />}
      {query.data && <MembersTable members={query.data} />}
      {canSeeInvitations && !denied && <InvitationsSection canWrite={canInvite} />}
      <InviteDialog open={inviting} onClose={() => setInviting(false)} />
    </>
  );
}
