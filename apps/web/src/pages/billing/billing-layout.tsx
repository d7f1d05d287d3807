import { type ReactNode, useEffect } from 'react';
import { AccessDenied } from '../../components/access-denied';
import { PageHeader } from '../../components/page-header';
import { navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { usePageTitle } from '../../lib/use-page-title';
import { SectionTabs, TabHeader } from './section-tabs';

export type BillingTabId = 'plan' | 'usage' | 'invoices' | 'credits' | 'details';

interface BillingTab {
  id: BillingTabId;
  to: string;
  label: string;
  /** The permission the tab needs; tabs the caller lacks it for are not offered. */
  permission: string;
  description: string;
}

export const billingTabs: BillingTab[] = [
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

function useVisibleTabs(): BillingTab[] {
  const { can } = useSession();
  return billingTabs.filter((tab) => can(tab.permission));
}

const headerDescription = 'Your plan, what you have used, and what it costs.';

function BillingHeader({ current }: { current: BillingTabId | null }) {
  const tabs = useVisibleTabs();
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
  const { can } = useSession();
  const definition = billingTabs.find((entry) => entry.id === tab) ?? billingTabs[0];
  usePageTitle(`${definition.label} · Billing`);
  return (
    <>
      <BillingHeader current={tab} />
      {can(definition.permission) ? (
        children
      ) : (
        <>
          <BillingTabHeader tab={tab} />
          <AccessDenied permission={definition.permission} headingLevel={3} />
        </>
      )}
    </>
  );
}

/** The tab's own heading (h2) with its one-line description and actions. */
export function BillingTabHeader({ tab, actions }: { tab: BillingTabId; actions?: ReactNode }) {
  const definition = billingTabs.find((entry) => entry.id === tab) ?? billingTabs[0];
  return <TabHeader title={definition.label} description={definition.description} actions={actions} />;
}

/** `/billing`: opens the first tab the caller may see. */
export function BillingIndexPage() {
  usePageTitle('Billing');
  const tabs = useVisibleTabs();
  const first = tabs[0]?.to;
  useEffect(() => {
    if (first) navigate(first, { replace: true });
  }, [first]);
  if (first) return null;
  return (
    <>
      <BillingHeader current={null} />
      <AccessDenied permission="billing:read" />
    </>
  );
}
