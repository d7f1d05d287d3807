import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { isApiError } from '../api/client';
import { useMeQuery } from '../api/queries';
import { Alert } from '../components/alert';
import { Button } from '../components/button';
import { PageSpinner } from '../components/spinner';
import { CurrentWorkspaceProvider } from '../lib/current-workspace';
import { navigate, useLocation, withNext } from '../lib/router';
import { SessionProvider } from '../lib/session';
import { BottomNav } from './bottom-nav';
import { Header } from './header';
import { NavigationDrawer } from './navigation-drawer';
import { Sidebar } from './sidebar';
import { SkipLink } from './skip-link';

/** Authenticated layout: loads /me, redirects to sign-in on 401, then renders the responsive shell. */
export function AppShell({ children }: { children: ReactNode }) {
  const me = useMeQuery();
  const location = useLocation();
  const unauthorized = isApiError(me.error) && me.error.status === 401;

  useEffect(() => {
    if (unauthorized) navigate(withNext('/login', location.href), { replace: true });
  }, [unauthorized, location.href]);

  if (me.data) {
    return (
      <SessionProvider me={me.data}>
        <CurrentWorkspaceProvider organizationId={me.data.organization.id}>
          <ShellLayout>{children}</ShellLayout>
        </CurrentWorkspaceProvider>
      </SessionProvider>
    );
  }

  return (
    <main id="main-content" tabIndex={-1} className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-4 p-6">
      <h1 className="sr-only">Atrium</h1>
      {me.isError && !unauthorized ? (
        <>
          <Alert tone="danger" title="Could not load your account">
            {me.error.message}
          </Alert>
          <Button onClick={() => me.refetch()}>Try again</Button>
        </>
      ) : (
        <PageSpinner />
      )}
    </main>
  );
}

function ShellLayout({ children }: { children: ReactNode }) {
  const [drawerOpen, setDrawerOpen] = useState(false);
  const closeDrawer = useCallback(() => setDrawerOpen(false), []);
  return (
    <div className="min-h-dvh">
      <SkipLink />
      <Sidebar />
      <div className="flex min-h-dvh flex-col lg:pl-sidebar">
        <Header drawerOpen={drawerOpen} onOpenDrawer={() => setDrawerOpen(true)} />
        <main
          id="main-content"
          tabIndex={-1}
          className="mx-auto w-full max-w-6xl flex-1 px-4 pt-6 pb-[calc(var(--spacing-bottom-nav)+1.5rem)] focus:outline-none sm:px-6 sm:pb-10 lg:px-8"
        >
          {children}
        </main>
      </div>
      <BottomNav />
      <NavigationDrawer open={drawerOpen} onClose={closeDrawer} />
    </div>
  );
}
