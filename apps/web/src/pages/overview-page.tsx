import type { ReactNode } from 'react';
import { Badge } from '../components/badge';
import { ButtonLink } from '../components/button';
import { CopyField } from '../components/copy-field';
import { KeyIcon } from '../components/icons';
import { Card, PageHeader } from '../components/page-header';
import { useCurrentWorkspace } from '../lib/current-workspace';
import { capitalize } from '../lib/format';
import { useSession } from '../lib/session';
import { usePageTitle } from '../lib/use-page-title';

function gatewayExample(origin: string): string {
  return [
    `curl ${origin}/v1/chat/completions \\`,
    '  -H "Authorization: Bearer $ATRIUM_API_KEY" \\',
    '  -H "Content-Type: application/json" \\',
    `  -d '{"model": "default", "messages": [{"role": "user", "content": "Hello"}]}'`,
  ].join('\n');
}

export function OverviewPage() {
  usePageTitle('Overview');
  const { me, can } = useSession();
  const { workspaces, current, isLoading } = useCurrentWorkspace();
  const canCreateKeys = can('api_keys:write');

  return (
    <>
      <PageHeader title="Overview" description={`Welcome back${me.user.name ? `, ${me.user.name}` : ''}.`} />
      <div className="grid gap-4 sm:grid-cols-3">
        <Stat label="Organization" value={me.organization.name} detail={<Badge tone="brand">{capitalize(me.role)}</Badge>} />
        <Stat label="Workspaces" value={isLoading ? '…' : String(workspaces.length)} detail={current ? `Current: ${current.name}` : null} />
        <Stat label="Signed in as" value={me.user.name || me.user.email} detail={me.user.email} />
      </div>

      <Card className="mt-6">
        <div className="flex items-start gap-3">
          <div className="rounded-full bg-brand-subtle p-2 text-brand-text">
            <KeyIcon />
          </div>
          <div>
            <h2 className="text-lg font-semibold text-text">Get started</h2>
            <p className="text-sm text-text-muted">Two steps to your first request through the Atrium gateway.</p>
          </div>
        </div>
        <ol className="mt-6 flex flex-col gap-6">
          <li className="flex gap-4">
            <StepNumber value={1} />
            <div className="flex flex-1 flex-col gap-2">
              <h3 className="font-semibold text-text">Create an API key</h3>
              <p className="text-sm text-text-muted">
                Keys belong to a workspace{current ? ` (currently ${current.name})` : ''}. The secret is shown once, so store it in your
                secret manager.
              </p>
              {canCreateKeys ? (
                <div>
                  <ButtonLink to="/api-keys" variant="primary" size="sm">
                    Create an API key
                  </ButtonLink>
                </div>
              ) : (
                <p className="text-sm text-text-muted">Ask an organization admin to create a key for you.</p>
              )}
            </div>
          </li>
          <li className="flex gap-4">
            <StepNumber value={2} />
            <div className="flex min-w-0 flex-1 flex-col gap-2">
              <h3 className="font-semibold text-text">Call the gateway</h3>
              <p className="text-sm text-text-muted">
                Send requests with the key as a bearer token. Set <code>ATRIUM_API_KEY</code> to your secret first.
              </p>
              <CopyField label="Example request" value={gatewayExample(window.location.origin)} multiline />
            </div>
          </li>
        </ol>
      </Card>
    </>
  );
}

function Stat({ label, value, detail }: { label: string; value: string; detail?: ReactNode }) {
  return (
    <div className="rounded-xl border border-border bg-surface p-5 shadow-sm">
      <p className="text-sm text-text-muted">{label}</p>
      <p className="mt-1 truncate text-xl font-semibold text-text">{value}</p>
      {detail && <div className="mt-2 truncate text-sm text-text-muted">{detail}</div>}
    </div>
  );
}

function StepNumber({ value }: { value: number }) {
  return (
    <span
      aria-hidden="true"
      className="flex size-8 shrink-0 items-center justify-center rounded-full border border-border-strong text-sm font-semibold text-text"
    >
      {value}
    </span>
  );
}
