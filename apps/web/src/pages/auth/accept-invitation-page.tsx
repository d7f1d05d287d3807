import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { acceptInvitation, fetchMe, lookupInvitation, switchOrganization } from '../../api/auth';
import { errorMessage, isApiError } from '../../api/client';
import { Alert } from '../../components/alert';
import { Badge } from '../../components/badge';
import { Button, ButtonLink } from '../../components/button';
import { PageSpinner } from '../../components/spinner';
import { useToast } from '../../components/toast';
import { AuthLayout } from '../../layout/auth-layout';
import { capitalize, formatDate } from '../../lib/format';
import { Link, navigate, useLocation } from '../../lib/router';

export function AcceptInvitationPage() {
  const { searchParams, href } = useLocation();
  const token = searchParams.get('token') ?? '';
  const queryClient = useQueryClient();
  const { notify } = useToast();

  const preview = useQuery({
    queryKey: ['invitation-preview', token],
    queryFn: () => lookupInvitation(token),
    enabled: Boolean(token),
    retry: false,
  });
  const session = useQuery({
    queryKey: ['me'],
    queryFn: () => fetchMe({ silentUnauthorized: true }),
    retry: false,
  });
  const signedIn = Boolean(session.data);

  const accept = useMutation({
    mutationFn: async () => {
      const result = await acceptInvitation(token);
      if (result.organization?.id) await switchOrganization(result.organization.id);
      return result;
    },
    onSuccess: (result) => {
      queryClient.clear();
      notify(`You joined ${result.organization?.name ?? 'the organization'}.`);
      navigate('/', { replace: true });
    },
  });

  if (!token) {
    return (
      <AuthLayout title="Invitation">
        <Alert tone="danger" title="This invitation link is incomplete">
          Open the link from your invitation email again, or ask the sender for a new invitation.
        </Alert>
      </AuthLayout>
    );
  }

  if (preview.isPending || (session.isPending && !session.isError)) {
    return (
      <AuthLayout title="Invitation">
        <PageSpinner label="Loading invitation…" />
      </AuthLayout>
    );
  }

  if (preview.isError) {
    const expired = isApiError(preview.error) && [404, 410].includes(preview.error.status);
    return (
      <AuthLayout title="Invitation unavailable" footer={<Link to="/">Go to Atrium</Link>}>
        <Alert tone="danger" title={expired ? 'This invitation is no longer valid' : 'Could not load the invitation'}>
          {errorMessage(preview.error)} Ask the person who invited you to send a new invitation.
        </Alert>
      </AuthLayout>
    );
  }

  const invitation = preview.data;
  const next = encodeURIComponent(href);
  const email = encodeURIComponent(invitation.email);
  const mismatch = signedIn && session.data?.user.email.toLowerCase() !== invitation.email.toLowerCase();

  return (
    <AuthLayout title={`Join ${invitation.organization.name}`} description="You have been invited to an organization on Atrium.">
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 rounded-lg border border-border bg-surface-sunken p-4 text-sm">
        <dt className="text-text-muted">Organization</dt>
        <dd className="font-medium text-text">{invitation.organization.name}</dd>
        <dt className="text-text-muted">Invited email</dt>
        <dd className="break-all text-text">{invitation.email}</dd>
        <dt className="text-text-muted">Role</dt>
        <dd>
          <Badge tone="brand">{capitalize(invitation.role)}</Badge>
        </dd>
        <dt className="text-text-muted">Expires</dt>
        <dd className="text-text">{formatDate(invitation.expires_at)}</dd>
      </dl>

      <div className="mt-6 flex flex-col gap-3">
        {accept.isError && <Alert tone="danger">{errorMessage(accept.error)}</Alert>}
        {signedIn ? (
          <>
            <p className="text-sm text-text-muted">
              Signed in as <span className="font-medium text-text">{session.data?.user.email}</span>.
            </p>
            {mismatch && (
              <Alert tone="warning" live="none">
                This invitation was sent to a different email address. It may only be accepted by that account.
              </Alert>
            )}
            <Button variant="primary" className="w-full" loading={accept.isPending} onClick={() => accept.mutate()}>
              Accept invitation
            </Button>
          </>
        ) : (
          <>
            <p className="text-sm text-text-muted">Sign in or create an account to accept. You will come back here afterwards.</p>
            <ButtonLink to={`/login?next=${next}&email=${email}`} variant="primary" className="w-full">
              Sign in to accept
            </ButtonLink>
            <ButtonLink to={`/signup?next=${next}&email=${email}`} className="w-full">
              Create an account
            </ButtonLink>
          </>
        )}
      </div>
    </AuthLayout>
  );
}
