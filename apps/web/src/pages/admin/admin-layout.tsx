import { type ReactNode, useEffect } from 'react';
import { AccessDenied } from '../../components/access-denied';
import { PageHeader } from '../../components/page-header';
import { SectionTabs, TabHeader, tabById } from '../../components/section-tabs';
import { navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { usePageTitle } from '../../lib/use-page-title';

export type AdminTabId = 'plans' | 'revenue';

/** Every operator page needs this permission, which only platform operators hold. */
export const OPERATOR_PERMISSION = 'platform:operate';

const adminTabs: { id: AdminTabId; to: string; label: string; description: string }[] = [
  {
    id: 'plans',
    to: '/admin/plans',
    label: 'Plans',
    description: 'The plan catalogue. An edit publishes a new version for new subscribers; existing subscribers keep theirs.',
  },
  {
    id: 'revenue',
    to: '/admin/revenue',
    label: 'Revenue',
    description: 'Recurring revenue, churn and trial conversion across every organization.',
  },
];

const headerDescription = 'Run this Atrium platform: its plans and its revenue.';

/** One operator tab: the shared header and tabs, then its content, or the access state without `platform:operate`. */
export function AdminSection({ tab, children }: { tab: AdminTabId; children: ReactNode }) {
  const { can } = useSession();
  const definition = tabById(adminTabs, tab);
  usePageTitle(`${definition.label} · Operator`);
  const allowed = can(OPERATOR_PERMISSION);
  return (
    <>
      <PageHeader title="Operator" description={headerDescription} />
      {allowed && <SectionTabs label="Operator sections" tabs={adminTabs} current={tab} />}
      {allowed ? children : <AccessDenied permission={OPERATOR_PERMISSION} />}
    </>
  );
}

/** The tab's own heading (h2) with its description and actions. */
export function AdminTabHeader({ tab, actions }: { tab: AdminTabId; actions?: ReactNode }) {
  const definition = tabById(adminTabs, tab);
  return <TabHeader title={definition.label} description={definition.description} actions={actions} />;
}

/** `/admin`: opens the plans. */
export function AdminIndexPage() {
  usePageTitle('Operator');
  const { can } = useSession();
  const allowed = can(OPERATOR_PERMISSION);
  useEffect(() => {
    if (allowed) navigate('/admin/plans', { replace: true });
  }, [allowed]);
  if (allowed) return null;
  return (
    <>
      <PageHeader title="Operator" description={headerDescription} />
      <AccessDenied permission={OPERATOR_PERMISSION} />
    </>
  );
}
