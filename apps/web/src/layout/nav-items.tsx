import type { ComponentType, SVGProps } from 'react';
import {
  AuditLogIcon,
  ChatIcon,
  FolderIcon,
  GatewayIcon,
  HomeIcon,
  KeyIcon,
  SettingsIcon,
  UserIcon,
  UsersIcon,
  WebhookIcon,
} from '../components/icons';
import { cx } from '../lib/class-names';
import { Link, useLocation } from '../lib/router';
import { useSession } from '../lib/session';
import { CreditCardIcon, OperatorIcon } from '../pages/billing/billing-icons';
import { PluginIcon } from '../pages/plugins/plugin-icons';

export interface NavItem {
  to: string;
  label: string;
  icon: ComponentType<SVGProps<SVGSVGElement>>;
  /** Permission area (e.g. `members` for `members:read`); null means always visible. */
  area: string | null;
  /** Exact permissions instead of an area: visible with any of them. */
  permissions?: string[];
}

const allItems: NavItem[] = [
  { to: '/', label: 'Overview', icon: HomeIcon, area: null },
  { to: '/playground', label: 'Playground', icon: ChatIcon, area: null, permissions: ['gateway:use'] },
  { to: '/gateway', label: 'AI gateway', icon: GatewayIcon, area: null, permissions: ['gateway:read', 'usage:read', 'request_logs:read'] },
  { to: '/workspaces', label: 'Workspaces', icon: FolderIcon, area: 'workspaces' },
  { to: '/members', label: 'Members', icon: UsersIcon, area: 'members' },
  { to: '/api-keys', label: 'API keys', icon: KeyIcon, area: 'api_keys' },
  { to: '/webhooks', label: 'Webhooks', icon: WebhookIcon, area: 'webhooks' },
  { to: '/plugins', label: 'Plugins', icon: PluginIcon, area: null, permissions: ['plugins:read', 'capabilities:read'] },
  { to: '/audit-log', label: 'Audit log', icon: AuditLogIcon, area: 'audit' },
  { to: '/billing', label: 'Billing', icon: CreditCardIcon, area: null, permissions: ['billing:read', 'usage:read'] },
  { to: '/settings', label: 'Settings', icon: SettingsIcon, area: 'org' },
  { to: '/profile', label: 'Profile', icon: UserIcon, area: null },
  { to: '/admin', label: 'Operator', icon: OperatorIcon, area: null, permissions: ['platform:operate'] },
];

export function useNavItems(): NavItem[] {
  const { canArea, canAny } = useSession();
  return allItems.filter((item) => {
    if (item.permissions) return canAny(...item.permissions);
    return item.area === null || canArea(item.area) || canArea(item.area.replace('_', '-'));
  });
}

export function isActive(pathname: string, to: string): boolean {
  return to === '/' ? pathname === '/' : pathname === to || pathname.startsWith(`${to}/`);
}

/** Vertical list of navigation links, used by the desktop sidebar and the tablet drawer. */
export function NavList({ onNavigate }: { onNavigate?: () => void }) {
  const items = useNavItems();
  const { pathname } = useLocation();
  return (
    <ul className="flex flex-col gap-1">
      {items.map((item) => {
        const active = isActive(pathname, item.to);
        const Icon = item.icon;
        return (
          <li key={item.to}>
            <Link
              to={item.to}
              onClick={onNavigate}
              aria-current={active ? 'page' : undefined}
              className={cx(
                'flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium no-underline',
                'transition-colors duration-(--duration-fast)',
                active ? 'bg-brand-subtle text-brand-text' : 'text-text-muted hover:bg-surface-hover hover:text-text',
              )}
            >
              <Icon className="size-5 shrink-0" />
              {item.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
