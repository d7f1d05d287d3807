import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { login } from '../../api/auth';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { TextField } from '../../components/text-field';
import { AuthLayout } from '../../layout/auth-layout';
import { Link, navigate, safeNext, useLocation, withNext } from '../../lib/router';
import { useForm } from '../../lib/use-form';

export function LoginPage() {
  const { searchParams } = useLocation();
  const next = safeNext(searchParams.get('next'));
  const queryClient = useQueryClient();
  const form = useForm({ email: searchParams.get('email') ?? '', password: '' });
  const [pending, setPending] = useState(false);

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const valid = form.validate({ email: 'Enter your email address.', password: 'Enter your password.' });
    if (!valid) return;
    setPending(true);
    try {
      await login({ email: form.values.email.trim(), password: form.values.password });
      queryClient.clear();
      navigate(next, { replace: true });
    } catch (error) {
      form.applyError(error, { email: 'email', password: 'password' });
      setPending(false);
    }
  }

  return (
    <AuthLayout
      title="Sign in to Atrium"
      footer={
        <>
          New to Atrium? <Link to={next === '/' ? '/signup' : withNext('/signup', next)}>Create an account</Link>
        </>
      }
    >
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex flex-col gap-4">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        <TextField label="Email" type="email" autoComplete="email" {...form.bind('email')} />
        <TextField label="Password" type="password" autoComplete="current-password" {...form.bind('password')} />
        <div className="-mt-1 text-right text-sm">
          <Link to="/forgot-password">Forgot password?</Link>
        </div>
        <Button type="submit" variant="primary" loading={pending} className="w-full">
          Sign in
        </Button>
      </form>
    </AuthLayout>
  );
}
