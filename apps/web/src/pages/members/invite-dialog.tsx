import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { queryKeys } from '../../api/queries';
import { createInvitation } from '../../api/resources';
import type { CreatedInvitation, Role } from '../../api/types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { CopyField } from '../../components/copy-field';
import { Dialog, DialogFooter } from '../../components/dialog';
import { SelectField } from '../../components/select-field';
import { TextField } from '../../components/text-field';
import { useForm } from '../../lib/use-form';
import { ROLE_DESCRIPTIONS, roleOptions } from './role-options';

function absoluteUrl(url: string): string {
  return url.startsWith('/') ? `${window.location.origin}${url}` : url;
}

export function InviteDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const form = useForm({ email: '', role: 'member' });
  const [created, setCreated] = useState<CreatedInvitation | null>(null);

  const invite = useMutation({
    mutationFn: () => createInvitation({ email: form.values.email.trim(), role: form.values.role as Role }),
    onSuccess: (invitation) => {
      setCreated(invitation);
      queryClient.invalidateQueries({ queryKey: queryKeys.invitations });
    },
    onError: (error) => form.applyError(error, { email: 'email', role: 'role' }),
  });

  function handleClose() {
    form.reset();
    setCreated(null);
    invite.reset();
    onClose();
  }

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (form.validate({ email: 'Enter the email address to invite.' })) invite.mutate();
  }

  if (created) {
    const link = absoluteUrl(created.url);
    return (
      <Dialog key="sent" open={open} onClose={handleClose} title="Invitation created">
        <div className="flex flex-col gap-4">
          <p className="text-sm text-text-muted">
            Share this link with <span className="font-medium text-text">{created.email}</span> so they can join. They also receive it by
            email when email delivery is set up.
          </p>
          <CopyField label="Invite link" value={link} testId="invite-link" />
        </div>
        <DialogFooter>
          <Button variant="primary" onClick={handleClose}>
            Done
          </Button>
        </DialogFooter>
      </Dialog>
    );
  }

  return (
    <Dialog key="form" open={open} onClose={handleClose} title="Invite a member" dismissible={!invite.isPending}>
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex flex-col gap-4">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        <TextField label="Email" type="email" autoComplete="off" {...form.bind('email')} />
        <SelectField label="Role" options={roleOptions} hint={ROLE_DESCRIPTIONS[form.values.role as Role]} {...form.bind('role')} />
        <DialogFooter>
          <Button onClick={handleClose} disabled={invite.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={invite.isPending}>
            Send invitation
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
