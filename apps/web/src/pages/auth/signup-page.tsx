import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { signup } from '../../api/auth';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { TextField } from '../../components/text-field';
import { AuthLayout } from '../../layout/auth-layout';
import { Link, navigate, safeNext, useLocation, withNext } from '../../lib/router';
import { useForm } from '../../lib/use-form';

export function SignupPage() {
  const { searchParams } = useLocation();
  const next = safeNext(searchParams.get('next'));
  const queryClient = useQueryClient();
  const form = useForm({ name: '', email: searchParams.get('email') ?? '', password: '', organization: '' });
  const [pending, setPending] = useState(false);

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const valid = form.validate({
      name: 'Enter your name.',
      email: 'Enter your email address.',
      password: 'Choose a password.',
      organization: 'Enter a name for your organization.',
    });
    if (!valid) return;
    setPending(true);
    try {
      await signup({
        name: form.values.name.trim(),
        email: form.values.email.trim(),
        password: form.values.password,
        organization: form.values.organization.trim(),
      });
      queryClient.clear();
      navigate(next, { replace: true });
    } catch (error) {
      form.applyError(error, {
        name: 'name',
        email: 'email',
        password: 'password',
        organization: 'organization',
        organization_name: 'organization',
      });
      setPending(false);
    }
  }

  return (
    <AuthLayout
      title="Create your account"
      description="Start with an organization and a first workspace; you can invite your team later."
      footer={
        <>
          Already have an account? <Link to={next === '/' ? '/login' : withNext('/login', next)}>Sign in</Link>
        </>
      }
    >
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex flex-col gap-4">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        <TextField label="Name" autoComplete="name" {...form.bind('name')} />
        <TextField label="Email" type="email" autoComplete="email" {...form.bind('email')} />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          hint="Use a long passphrase you do not use anywhere else."
          {...form.bind('password')}
        />
        <TextField
          label="Organization"
          autoComplete="organization"
          hint="Usually your company or team name."
          {...form.bind('organization')}
        />
        <Button type="submit" variant="primary" loading={pending} className="w-full">
          Create account
        </Button>
      </form>
    </AuthLayout>
  );
}
