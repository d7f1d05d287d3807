import { type ReactNode, useEffect, useRef } from 'react';
import { AccessDenied } from '../../components/access-denied';
import { ButtonLink } from '../../components/button';
import { ChatIcon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { cx } from '../../lib/class-names';
import { Link, navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { usePageTitle } from '../../lib/use-page-title';

export type GatewayTabId = 'providers' | 'routes' | 'usage' | 'request-logs' | 'limits' | 'prices';

interface GatewayTab {
  id: GatewayTabId;
  to: string;
  label: string;
  /** The permission the tab needs; tabs the caller lacks it for are not offered. */
  permission: string;
  description: string;
}

export const gatewayTabs: GatewayTab[] = [
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

function useVisibleTabs(): GatewayTab[] {
  const { can } = useSession();
  return gatewayTabs.filter((tab) => can(tab.permission));
}

const headerDescription = 'One OpenAI-compatible endpoint in front of your model providers, with routing, limits, budgets and metering.';

/** The section's header and tab links; each tab renders below with its own heading. */
function GatewayHeader({ current }: { current: GatewayTabId | null }) {
  const { can } = useSession();
  const tabs = useVisibleTabs();
  const navRef = useRef<HTMLElement>(null);

  // On narrow screens the tabs scroll sideways: bring the current one into view.
  useEffect(() => {
    const nav = navRef.current;
    const active = nav?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!nav || !active) return;
    if (active.offsetLeft + active.offsetWidth > nav.clientWidth) nav.scrollLeft = active.offsetLeft - nav.clientWidth / 3;
  }, []);

  const playground = can('gateway:use') && (
    <ButtonLink to="/playground" icon={<ChatIcon className="size-4" />}>
      Open playground
    </ButtonLink>
  );
  return (
    <>
      <PageHeader title="AI gateway" description={headerDescription} actions={playground} />
      {tabs.length > 0 && (
        <nav
          ref={navRef}
          aria-label="AI gateway sections"
          className="relative -mx-4 mb-6 overflow-x-auto border-b border-border px-4 sm:mx-0 sm:px-0"
        >
          <ul className="flex min-w-max gap-1">
            {tabs.map((tab) => {
              const active = tab.id === current;
              return (
                <li key={tab.id}>
                  <Link
                    to={tab.to}
                    aria-current={active ? 'page' : undefined}
                    className={cx(
                      '-mb-px flex items-center border-b-2 px-3 py-2.5 text-sm font-medium whitespace-nowrap no-underline',
                      'transition-colors duration-(--duration-fast)',
                      active
                        ? 'border-brand-text text-brand-text'
                        : 'border-transparent text-text-muted hover:border-border-strong hover:text-text',
                    )}
                  >
                    {tab.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
      )}
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
  const { can } = useSession();
  const definition = gatewayTabs.find((entry) => entry.id === tab) ?? gatewayTabs[0];
  usePageTitle(`${definition.label} · AI gateway`);
  return (
    <>
      <GatewayHeader current={tab} />
      {can(definition.permission) ? (
        children
      ) : (
        <>
          <SectionHeader tab={tab} />
          <AccessDenied permission={definition.permission} headingLevel={3} />
        </>
      )}
    </>
  );
}

/** The tab's own heading (h2) with its one-line description and actions. */
export function SectionHeader({ tab, actions }: { tab: GatewayTabId; actions?: ReactNode }) {
  const definition = gatewayTabs.find((entry) => entry.id === tab) ?? gatewayTabs[0];
  return (
    <div className="mb-4 flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
      <div className="flex flex-col gap-1">
        <h2 className="text-lg font-semibold text-text">{definition.label}</h2>
        <p className="max-w-2xl text-sm text-text-muted">{definition.description}</p>
      </div>
      {actions && <div className="flex flex-wrap gap-2">{actions}</div>}
    </div>
  );
}

/** `/gateway`: opens the first tab the caller may see. */
export function GatewayIndexPage() {
  usePageTitle('AI gateway');
  const tabs = useVisibleTabs();
  const first = tabs[0]?.to;
  useEffect(() => {
    if (first) navigate(first, { replace: true });
  }, [first]);
  if (first) return null;
  return (
    <>
      <GatewayHeader current={null} />
      <AccessDenied permission="gateway:read" />
    </>
  );
}
