import type { ReactNode } from 'react';
import { AccessDenied } from '../../components/access-denied';
import { ButtonLink } from '../../components/button';
import { ChatIcon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { SectionTabs, TabHeader, tabById } from '../../components/section-tabs';
import { type PermissionTab, TabAccess, useOpenFirstTab, useVisibleTabs } from '../../components/tab-access';
import { useSession } from '../../lib/session';
import { usePageTitle } from '../../lib/use-page-title';

export type GatewayTabId = 'providers' | 'routes' | 'usage' | 'request-logs' | 'limits' | 'prices';

export const gatewayTabs: PermissionTab<GatewayTabId>[] = [
  {
    id: 'providers',
    to: '/gateway/providers',
    label: 'Providers',
    permission: 'gateway:read',
    description: 'Model providers the gateway calls with your keys. Their models are offered as provider/model.',
  },
  {
    id: 'routes',
    to: '/gateway/routes',
    label: 'Routes',
    permission: 'gateway:read',
    description: 'Aliases clients send as the model, served by one or more provider models in order or by weight.',
  },
  {
    id: 'usage',
    to: '/gateway/usage',
    label: 'Usage',
    permission: 'usage:read',
    description: 'Requests, tokens and cost through the gateway, grouped the way you need.',
  },
  {
    id: 'request-logs',
    to: '/gateway/request-logs',
    label: 'Request logs',
    permission: 'request_logs:read',
    description: 'Every call through the gateway, newest first, with who answered, how long it took and what it cost.',
  },
  {
    id: 'limits',
    to: '/gateway/limits',
    label: 'Limits & budget',
    permission: 'gateway:read',
    description: 'Rate limits, spending budgets, caching and allowed models for the organization, a workspace or an API key.',
  },
  {
    id: 'prices',
    to: '/gateway/prices',
    label: 'Prices',
    permission: 'gateway:read',
    description:
      'What each model costs per 1M tokens, input / output: the platform’s list prices, and your organization’s own, which take precedence.',
  },
];

/** The permissions that open at least one gateway tab (the nav item shows with any of them). */
export const gatewayPermissions = [...new Set(gatewayTabs.map((tab) => tab.permission))];

const headerDescription = 'One OpenAI-compatible endpoint in front of your model providers, with routing, limits, budgets and metering.';

/** The section's header and tab links; each tab renders below with its own heading. */
function GatewayHeader({ current }: { current: GatewayTabId | null }) {
  const { can } = useSession();
  const tabs = useVisibleTabs(gatewayTabs);
  const playground = can('gateway:use') && (
    <ButtonLink to="/playground" icon={<ChatIcon className="size-4" />}>
      Open playground
    </ButtonLink>
  );
  return (
    <>
      <PageHeader title="AI gateway" description={headerDescription} actions={playground} />
      <SectionTabs label="AI gateway sections" tabs={tabs} current={current} />
    </>
  );
}

interface GatewaySectionProps {
  tab: GatewayTabId;
  children: ReactNode;
}

/**
 * One tab of the AI gateway: the shared header and tabs, then the tab's content, or the access
 * state when the caller's role lacks the tab's permission.
 */
export function GatewaySection({ tab, children }: GatewaySectionProps) {
  const definition = tabById(gatewayTabs, tab);
  usePageTitle(`${definition.label} · AI gateway`);
  return (
    <>
      <GatewayHeader current={tab} />
      <TabAccess tab={definition}>{children}</TabAccess>
    </>
  );
}

/** The tab's own heading (h2) with its one-line description and actions. */
export function SectionHeader({ tab, actions }: { tab: GatewayTabId; actions?: ReactNode }) {
  const definition = tabById(gatewayTabs, tab);
  return <TabHeader title={definition.label} description={definition.description} actions={actions} />;
}

/** `/gateway`: opens the first tab the caller may see. */
export function GatewayIndexPage() {
  usePageTitle('AI gateway');
  const opening = useOpenFirstTab(gatewayTabs);
  if (opening) return null;
  return (
    <>
      <GatewayHeader current={null} />
      <AccessDenied permission="gateway:read" />
    </>
  );
}
