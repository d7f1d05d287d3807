import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { queryKeys } from '../../api/queries';
import { removeMember, updateMemberRole } from '../../api/resources';
import type { Member, Role } from '../../api/types';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { InlineSelect } from '../../components/select-field';
import { Cell, ColumnHeads, Table, TableBody, TableRow } from '../../components/table';
import { useToast } from '../../components/toast';
import { capitalize, formatDate } from '../../lib/format';
import { useSession } from '../../lib/session';
import { roleOptions } from './role-options';

export function MembersTable({ members }: { members: Member[] }) {
  const { me, can } = useSession();
  const canWrite = can('members:write');
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const [removing, setRemoving] = useState<Member | null>(null);

  const changeRole = useMutation({
    mutationFn: ({ member, role }: { member: Member; role: Role }) => updateMemberRole(member.id, role),
    onSuccess: (_, { member, role }) => notify(`${member.user.name || member.user.email} is now ${capitalize(role)}.`),
    onError: (error) => notify(errorMessage(error), 'danger'),
    onSettled: () => {
      queryClient.invalidateQueries({ queryKey: queryKeys.members });
      queryClient.invalidateQueries({ queryKey: queryKeys.me });
    },
  });

  const remove = useMutation({
    mutationFn: (member: Member) => removeMember(member.id),
    onSuccess: (_, member) => {
      notify(`Removed ${member.user.name || member.user.email}.`);
      setRemoving(null);
      queryClient.invalidateQueries({ queryKey: queryKeys.members });
    },
  });

  return (
    <>
      <Table caption="Organization members">
        <ColumnHeads columns={['Member', 'Role', 'Joined']} actions={canWrite} />
        <TableBody>
          {members.map((member) => {
            const isSelf = member.user.id === me.user.id;
            const pendingRole = changeRole.isPending && changeRole.variables?.member.id === member.id;
            return (
              <TableRow key={member.id}>
                <Cell>
                  <div className="flex items-center gap-2 font-medium">
                    {member.user.name || member.user.email}
                    {isSelf && <Badge>You</Badge>}
                  </div>
                  <div className="text-xs break-all text-text-muted">{member.user.email}</div>
                </Cell>
                <Cell>
                  {canWrite ? (
                    <InlineSelect
                      aria-label={`Access level for ${member.user.name || 'this member'}`}
                      options={roleOptions}
                      value={pendingRole ? changeRole.variables?.role : member.role}
                      disabled={pendingRole}
                      onChange={(event) => changeRole.mutate({ member, role: event.target.value as Role })}
                    />
                  ) : (
                    <Badge tone={member.role === 'owner' ? 'brand' : 'neutral'}>{capitalize(member.role)}</Badge>
                  )}
                </Cell>
                <Cell className="whitespace-nowrap text-text-muted">{formatDate(member.created_at)}</Cell>
                {canWrite && (
                  <Cell className="text-right">
                    <Button
                      size="sm"
                      variant="ghost"
                      className="text-danger-text"
                      onClick={() => {
                        remove.reset();
                        setRemoving(member);
                      }}
                    >
                      Remove
                    </Button>
                  </Cell>
                )}
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      <ConfirmDialog
        open={removing !== null}
        title="Remove member?"
        confirmLabel="Remove member"
        onConfirm={() => removing && remove.mutate(removing)}
        onClose={() => setRemoving(null)}
        pending={remove.isPending}
        error={remove.isError ? errorMessage(remove.error) : null}
      >
        <p>
          <span className="font-medium text-text">{removing?.user.name || removing?.user.email}</span> will lose access to this organization
          immediately.
        </p>
      </ConfirmDialog>
    </>
  );
}
