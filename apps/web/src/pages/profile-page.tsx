import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { changePassword, updateMe } from '../api/auth';
import { queryKeys } from '../api/queries';
import { Alert } from '../components/alert';
import { Button } from '../components/button';
import { RadioGroup } from '../components/checkbox';
import { Card, PageHeader } from '../components/page-header';
import { TextField } from '../components/text-field';
import { useToast } from '../components/toast';
import { useSession } from '../lib/session';
import { useSignOut } from '../lib/session-actions';
import { THEME_OPTIONS, type ThemePreference, useTheme } from '../lib/theme';
import { useForm } from '../lib/use-form';
import { usePageTitle } from '../lib/use-page-title';

export function ProfilePage() {
  usePageTitle('Profile');
  const { me } = useSession();
  const { preference, setPreference } = useTheme();
  const signOut = useSignOut();

  return (
    <>
      <PageHeader title="Profile" description={`Signed in as ${me.user.email}.`} />
      <div className="flex flex-col gap-6">
        <DetailsCard />
        <PasswordCard />
        <Card>
          <h2 className="mb-4 text-lg font-semibold text-text">Appearance</h2>
          <RadioGroup<ThemePreference>
            legend="Theme"
            name="profile-theme"
            value={preference}
            options={THEME_OPTIONS.map((option) => ({
              ...option,
              description: option.value === 'system' ? 'Follows your device setting.' : undefined,
            }))}
            onChange={setPreference}
            inline
          />
        </Card>
        <Card>
          <h2 className="text-lg font-semibold text-text">Session</h2>
          <p className="mt-1 mb-4 text-sm text-text-muted">End your Atrium session in this browser.</p>
          <Button onClick={() => signOut.mutate()} loading={signOut.isPending}>
            Log out of this device
          </Button>
        </Card>
      </div>
    </>
  );
}

function DetailsCard() {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const form = useForm({ name: me.user.name ?? '' });
  const save = useMutation({
    mutationFn: () => updateMe(form.values.name.trim()),
    onSuccess: () => {
      notify('Profile saved.');
      queryClient.invalidateQueries({ queryKey: queryKeys.me });
    },
    onError: (error) => form.applyError(error, { name: 'name' }),
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (form.validate({ name: 'Enter your name.' })) save.mutate();
  }

  return (
    <Card>
      <h2 className="mb-4 text-lg font-semibold text-text">Personal details</h2>
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex max-w-md flex-col gap-4">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        <TextField label="Name" autoComplete="name" {...form.bind('name')} />
        <div>
          <Button type="submit" variant="primary" loading={save.isPending}>
            Save profile
          </Button>
        </div>
      </form>
    </Card>
  );
}

function PasswordCard() {
  const { notify } = useToast();
  const form = useForm({ current: '', next: '' });
  const change = useMutation({
    mutationFn: () => changePassword(form.values.current, form.values.next),
    onSuccess: () => {
      notify('Password changed.');
      form.reset();
    },
    onError: (error) => form.applyError(error, { current_password: 'current', new_password: 'next', password: 'next' }),
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const valid = form.validate({ current: 'Enter your current password.', next: 'Enter a new password.' });
    if (valid) change.mutate();
  }

  return (
    <Card>
      <h2 className="mb-4 text-lg font-semibold text-text">Change password</h2>
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex max-w-md flex-col gap-4">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        <TextField label="Current password" type="password" autoComplete="current-password" {...form.bind('current')} />
        <TextField label="New password" type="password" autoComplete="new-password" {...form.bind('next')} />
        <div>
          <Button type="submit" variant="primary" loading={change.isPending}>
            Change password
          </Button>
        </div>
      </form>
    </Card>
  );
}
