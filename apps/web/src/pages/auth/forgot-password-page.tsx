import { type FormEvent, useState } from 'react';
import { requestPasswordReset } from '../../api/auth';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { TextField } from '../../components/text-field';
import { AuthLayout } from '../../layout/auth-layout';
import { Link } from '../../lib/router';
import { useForm } from '../../lib/use-form';

export function ForgotPasswordPage() {
  const form = useForm({ email: '' });
  const [pending, setPending] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (!form.validate({ email: 'Enter your email address.' })) return;
    setPending(true);
    setSentTo(null);
    try {
      const email = form.values.email.trim();
      await requestPasswordReset(email);
      setSentTo(email);
    } catch (error) {
      form.applyError(error, { email: 'email' });
    } finally {
      setPending(false);
    }
  }

  return (
    <AuthLayout
      title="Reset your password"
      description="Enter the email you sign in with and we will send you a link to choose a new password."
      footer={<Link to="/login">Back to sign in</Link>}
    >
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex flex-col gap-4">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        {sentTo && (
          <Alert tone="success" title="Check your inbox">
            If an account exists for {sentTo}, a reset link is on its way. The link expires soon, so use it promptly.
          </Alert>
        )}
        <TextField label="Email" type="email" autoComplete="email" {...form.bind('email')} />
        <Button type="submit" variant="primary" loading={pending} className="w-full">
          Send reset link
        </Button>
      </form>
    </AuthLayout>
  );
}
