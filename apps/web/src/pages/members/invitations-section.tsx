import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { queryKeys, useInvitationsQuery } from '../../api/queries';
import { revokeInvitation } from '../../api/resources';
import type { Invitation } from '../../api/types';
import { QueryError } from '../../components/access-denied';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { Spinner } from '../../components/spinner';
import { Cell, ColumnHeads, Table, TableBody, TableRow } from '../../components/table';
import { useToast } from '../../components/toast';
import { capitalize, formatDate, isPast } from '../../lib/format';

export function InvitationsSection({ canWrite }: { canWrite: boolean }) {
  const query = useInvitationsQuery();
  const queryClient = useQueryClient();
  const { notify } = useToast();

  const revoke = useMutation({
    mutationFn: (invitation: Invitation) => revokeInvitation(invitation.id),
    onSuccess: (_, invitation) => {
      notify(`Revoked the invitation for ${invitation.email}.`);
      queryClient.invalidateQueries({ queryKey: queryKeys.invitations });
    },
    onError: (error) => notify(errorMessage(error), 'danger'),
  });

  return (
    <section className="mt-10">
      <h2 className="mb-3 text-lg font-semibold text-text">Pending invitations</h2>
      {query.isPending && <Spinner label="Loading invitations…" />}
      {query.isError && <QueryError error={query.error} headingLevel={3} />}
      {query.data && query.data.length === 0 && <p className="text-sm text-text-muted">No pending invitations.</p>}
      {query.data && query.data.length > 0 && (
        <Table caption="Pending invitations">
          <ColumnHeads columns={['Email', 'Role', 'Sent', 'Expires']} actions={canWrite} />
          <TableBody>
            {query.data.map((invitation) => (
              <TableRow key={invitation.id}>
                <Cell className="break-all">{invitation.email}</Cell>
                <Cell>
                  <Badge>{capitalize(invitation.role)}</Badge>
                </Cell>
                <Cell className="whitespace-nowrap text-text-muted">{formatDate(invitation.created_at)}</Cell>
                <Cell className="whitespace-nowrap">
                  {isPast(invitation.expires_at) ? (
                    <Badge tone="warning">Expired</Badge>
                  ) : (
                    <span className="text-text-muted">{formatDate(invitation.expires_at)}</span>
                  )}
                </Cell>
                {canWrite && (
                  <Cell className="text-right">
                    <Button
                      size="sm"
                      variant="ghost"
                      className="text-danger-text"
                      loading={revoke.isPending && revoke.variables?.id === invitation.id}
                      onClick={() => revoke.mutate(invitation)}
                    >
                      Revoke
                    </Button>
                  </Cell>
                )}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </section>
  );
}
