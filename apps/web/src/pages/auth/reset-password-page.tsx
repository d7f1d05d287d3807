import { type FormEvent, useState } from 'react';
import { resetPassword } from '../../api/auth';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { TextField } from '../../components/text-field';
import { useToast } from '../../components/toast';
import { AuthLayout } from '../../layout/auth-layout';
import { Link, navigate, useLocation } from '../../lib/router';
import { useForm } from '../../lib/use-form';

export function ResetPasswordPage() {
  const { searchParams } = useLocation();
  const token = searchParams.get('token') ?? '';
  const form = useForm({ password: '' });
  const [pending, setPending] = useState(false);
  const { notify } = useToast();

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (!form.validate({ password: 'Enter a new password.' })) return;
    setPending(true);
    try {
      await resetPassword(token, form.values.password);
      notify('Your password was reset. Sign in with your new password.');
      navigate('/login', { replace: true });
    } catch (error) {
      form.applyError(error, { password: 'password', new_password: 'password' });
      setPending(false);
    }
  }

  if (!token) {
    return (
      <AuthLayout title="Choose a new password" footer={<Link to="/login">Back to sign in</Link>}>
        <Alert tone="danger" title="This reset link is incomplete">
          Open the link from your email again, or <Link to="/forgot-password">request a new reset link</Link>.
        </Alert>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Choose a new password"
      description="Enter a new password for your Atrium account."
      footer={<Link to="/forgot-password">Request a new link</Link>}
    >
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex flex-col gap-4">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        <TextField label="New password" type="password" autoComplete="new-password" {...form.bind('password')} />
        <Button type="submit" variant="primary" loading={pending} className="w-full">
          Reset password
        </Button>
      </form>
    </AuthLayout>
  );
}
