import type { ReactNode } from 'react';
import { AccessDenied } from '../../components/access-denied';
import { PageHeader } from '../../components/page-header';
import { SectionTabs, TabHeader, tabById } from '../../components/section-tabs';
import { type PermissionTab, TabAccess, useOpenFirstTab, useVisibleTabs } from '../../components/tab-access';
import { usePageTitle } from '../../lib/use-page-title';

export type BillingTabId = 'plan' | 'usage' | 'invoices' | 'credits' | 'details';

export const billingTabs: PermissionTab<BillingTabId>[] = [
  {
    id: 'plan',
    to: '/billing/plan',
    label: 'Plan',
    permission: 'billing:read',
    description: 'Your subscription, and the plans you can move to. Changes take effect at once; the difference is invoiced.',
  },
  {
    id: 'usage',
    to: '/billing/usage',
    label: 'Usage',
    permission: 'usage:read',
    description: 'What the organization has used this billing period, against the quotas of its plan.',
  },
  {
    id: 'invoices',
    to: '/billing/invoices',
    label: 'Invoices',
    permission: 'billing:read',
    description: 'The invoice building up this period, and every invoice issued so far.',
  },
  {
    id: 'credits',
    to: '/billing/credits',
    label: 'Credits',
    permission: 'billing:read',
    description: 'Credits are used up before anything is charged, oldest expiry first.',
  },
  {
    id: 'details',
    to: '/billing/details',
    label: 'Billing details',
    permission: 'billing:read',
    description: 'The name, address and tax ID printed on your invoices, and where they are sent.',
  },
];

/** The permissions that open at least one billing tab (the nav item shows with any of them). */
export const billingPermissions = [...new Set(billingTabs.map((tab) => tab.permission))];

const headerDescription = 'Your plan, what you have used, and what it costs.';

function BillingHeader({ current }: { current: BillingTabId | null }) {
  const tabs = useVisibleTabs(billingTabs);
  return (
    <>
      <PageHeader title="Billing" description={headerDescription} />
      <SectionTabs label="Billing sections" tabs={tabs} current={current} />
    </>
  );
}

/**
 * One tab of Billing: the shared header and tabs, then the tab's content, or the access state
 * when the caller's role lacks the tab's permission.
 */
export function BillingSection({ tab, children }: { tab: BillingTabId; children: ReactNode }) {
  const definition = tabById(billingTabs, tab);
  usePageTitle(`${definition.label} · Billing`);
  return (
    <>
      <BillingHeader current={tab} />
      <TabAccess tab={definition}>{children}</TabAccess>
    </>
  );
}

/** The tab's own heading (h2) with its one-line description and actions. */
export function BillingTabHeader({ tab, actions }: { tab: BillingTabId; actions?: ReactNode }) {
  const definition = tabById(billingTabs, tab);
  return <TabHeader title={definition.label} description={definition.description} actions={actions} />;
}

/** `/billing`: opens the first tab the caller may see. */
export function BillingIndexPage() {
  usePageTitle('Billing');
  const opening = useOpenFirstTab(billingTabs);
  if (opening) return null;
  return (
    <>
      <BillingHeader current={null} />
      <AccessDenied permission="billing:read" />
    </>
  );
}
