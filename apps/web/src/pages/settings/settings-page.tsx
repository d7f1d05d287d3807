import type { ReactNode } from 'react';
import { useOrganizationQuery } from '../../api/queries';
import type { Organization, Role } from '../../api/types';
import { QueryError } from '../../components/access-denied';
import { Badge } from '../../components/badge';
import { CopyField } from '../../components/copy-field';
import { Card, PageHeader } from '../../components/page-header';
import { PageSpinner } from '../../components/spinner';
import { capitalize, formatDate } from '../../lib/format';
import { useSession } from '../../lib/session';
import { usePageTitle } from '../../lib/use-page-title';
import { LeaveOrganizationCard } from './leave-organization-card';
import { RenameOrganizationForm } from './rename-organization-form';

export function SettingsPage() {
  usePageTitle('Settings');
  const { me, can } = useSession();
  const query = useOrganizationQuery();

  return (
    <>
      <PageHeader title="Settings" description="Your organization's details and your membership of it." />
      {query.isPending && <PageSpinner label="Loading organization…" />}
      {query.isError && <QueryError error={query.error} />}
      {query.data && (
        <div className="flex flex-col gap-6">
          <OrganizationDetails organization={query.data} role={me.role} />
          {can('org:write') && <RenameOrganizationForm organization={query.data} />}
          <LeaveOrganizationCard />
        </div>
      )}
    </>
  );
}

function OrganizationDetails({ organization, role }: { organization: Organization; role: Role }) {
  return (
    <Card>
      <h2 className="mb-4 text-lg font-semibold text-text">Organization</h2>
      <dl className="mb-4 grid gap-4 sm:grid-cols-2">
        <Detail term="Name">{organization.name}</Detail>
        <Detail term="Slug">
          <code>{organization.slug}</code>
        </Detail>
        <Detail term="Your role">
          <Badge tone="brand">{capitalize(role)}</Badge>
        </Detail>
        <Detail term="Created">{formatDate(organization.created_at)}</Detail>
      </dl>
      <CopyField label="Organization ID" value={organization.id} testId="organization-id" className="max-w-xl" />
    </Card>
  );
}

function Detail({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <dt className="text-sm text-text-muted">{term}</dt>
      <dd className="break-words text-sm font-medium text-text">{children}</dd>
    </div>
  );
}
