import { type ComponentType, lazy, Suspense, useEffect, useRef } from 'react';
import { PageErrorBoundary } from './components/page-error-boundary';
import { PageSpinner } from './components/spinner';
import { AppShell } from './layout/app-shell';
import { useLocation } from './lib/router';
import { AdminIndexPage } from './pages/admin/admin-layout';
import { AdminPlansPage } from './pages/admin/plans-page';
import { AdminRevenuePage } from './pages/admin/revenue-page';
import { ApiKeysPage } from './pages/api-keys/api-keys-page';
import { AuditLogPage } from './pages/audit-log/audit-log-page';
import { AcceptInvitationPage } from './pages/auth/accept-invitation-page';
import { ForgotPasswordPage } from './pages/auth/forgot-password-page';
import { LoginPage } from './pages/auth/login-page';
import { ResetPasswordPage } from './pages/auth/reset-password-page';
import { SignupPage } from './pages/auth/signup-page';
import { BillingBanner } from './pages/billing/billing-banner';
import { BillingIndexPage } from './pages/billing/billing-layout';
import { CreditsPage } from './pages/billing/credits-page';
import { BillingDetailsPage } from './pages/billing/details-page';
import { InvoicesPage } from './pages/billing/invoices-page';
import { PlanPage } from './pages/billing/plan-page';
import { BillingUsagePage } from './pages/billing/usage-page';
import { GatewayIndexPage } from './pages/gateway/gateway-layout';
import { LimitsPage } from './pages/gateway/limits-page';
import { PricesPage } from './pages/gateway/prices-page';
import { ProvidersPage } from './pages/gateway/providers-page';
import { RequestLogsPage } from './pages/gateway/request-logs-page';
import { RoutesPage } from './pages/gateway/routes-page';
import { UsagePage } from './pages/gateway/usage-page';
import { MembersPage } from './pages/members/members-page';
import { NotFoundPage } from './pages/not-found-page';
import { OverviewPage } from './pages/overview-page';
import { PlaygroundPage } from './pages/playground/playground-page';
import { ProfilePage } from './pages/profile-page';
import { SettingsPage } from './pages/settings/settings-page';
import { WebhooksPage } from './pages/webhooks/webhooks-page';
import { WorkspacesPage } from './pages/workspaces/workspaces-page';

/** The Plugins section loads on first visit: most sessions never open it. */
const pluginPages = () => import('./pages/plugins/plugin-pages');
const PluginsIndexPage = lazy(() => pluginPages().then((module) => ({ default: module.PluginsIndexPage })));
const InstalledPluginsPage = lazy(() => pluginPages().then((module) => ({ default: module.InstalledPluginsPage })));
const PluginPage = lazy(() => pluginPages().then((module) => ({ default: module.PluginPage })));
const CapabilitiesPage = lazy(() => pluginPages().then((module) => ({ default: module.CapabilitiesPage })));
const ApprovalsPage = lazy(() => pluginPages().then((module) => ({ default: module.ApprovalsPage })));
const McpServersPage = lazy(() => pluginPages().then((module) => ({ default: module.McpServersPage })));

/** Pages reachable without a session. */
export const publicRoutes: Record<string, ComponentType> = {
  '/login': LoginPage,
  '/signup': SignupPage,
  '/forgot-password': ForgotPasswordPage,
  '/reset-password': ResetPasswordPage,
  '/invitations/accept': AcceptInvitationPage,
};

/** Pages inside the authenticated shell. */
const appRoutes: Record<string, ComponentType> = {
  '/': OverviewPage,
  '/playground': PlaygroundPage,
  '/gateway': GatewayIndexPage,
  '/gateway/providers': ProvidersPage,
  '/gateway/routes': RoutesPage,
  '/gateway/usage': UsagePage,
  '/gateway/request-logs': RequestLogsPage,
  '/gateway/limits': LimitsPage,
  '/gateway/prices': PricesPage,
  '/workspaces': WorkspacesPage,
  '/members': MembersPage,
  '/api-keys': ApiKeysPage,
  '/webhooks': WebhooksPage,
  '/plugins': PluginsIndexPage,
  '/plugins/installed': InstalledPluginsPage,
  '/plugins/plugin': PluginPage,
  '/plugins/capabilities': CapabilitiesPage,
  '/plugins/approvals': ApprovalsPage,
  '/plugins/mcp-servers': McpServersPage,
  '/audit-log': AuditLogPage,
  '/billing': BillingIndexPage,
  '/billing/plan': PlanPage,
  '/billing/usage': BillingUsagePage,
  '/billing/invoices': InvoicesPage,
  '/billing/credits': CreditsPage,
  '/billing/details': BillingDetailsPage,
  '/admin': AdminIndexPage,
  '/admin/plans': AdminPlansPage,
  '/admin/revenue': AdminRevenuePage,
  '/settings': SettingsPage,
  '/profile': ProfilePage,
};

function normalize(pathname: string): string {
  return pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
}

export function isPublicPath(pathname: string): boolean {
  return normalize(pathname) in publicRoutes;
}

/** After client-side navigation, move focus to the new page's heading so it is announced. */
function useFocusOnNavigate(pathname: string) {
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the path change itself is the trigger
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const frame = window.requestAnimationFrame(() => {
      const target = document.getElementById('page-title') ?? document.getElementById('main-content');
      target?.focus({ preventScroll: true });
    });
    return () => window.cancelAnimationFrame(frame);
  }, [pathname]);
}

export function App() {
  const { pathname } = useLocation();
  const path = normalize(pathname);
  useFocusOnNavigate(path);

  const PublicPage = publicRoutes[path];
  if (PublicPage) return <PublicPage />;

  const Page = appRoutes[path] ?? NotFoundPage;
  return (
    <AppShell>
      {/* Above every page's header: a read-only organization, a trial ending, a quota running out. */}
      <BillingBanner />
      {/* A lazy chunk that fails to download shows a reload button, not a blank page. */}
      <PageErrorBoundary resetKey={path}>
        <Suspense fallback={<PageSpinner />}>
          <Page />
        </Suspense>
      </PageErrorBoundary>
    </AppShell>
  );
}
