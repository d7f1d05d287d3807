import { type ReactNode, useEffect } from 'react';
import { navigate } from '../lib/router';
import { useSession } from '../lib/session';
import { AccessDenied } from './access-denied';
import { type SectionTab, TabHeader } from './section-tabs';

/** A tab that needs a permission, with the one-line description its heading shows. */
export interface PermissionTab<Id extends string = string> extends SectionTab {
  id: Id;
  /** The permission the tab needs; tabs the caller lacks it for are not offered. */
  permission: string;
  description: string;
}

/** The tabs the caller's role may open, in order. */
export function useVisibleTabs<Tab extends PermissionTab>(tabs: Tab[]): Tab[] {
  const { can } = useSession();
  return tabs.filter((tab) => can(tab.permission));
}

/**
 * For a section's index route: opens the first tab the caller may see, in place of the index.
 * Whether there is one; without it the index shows the access state instead.
 */
export function useOpenFirstTab(tabs: PermissionTab[]): boolean {
  const first = useVisibleTabs(tabs)[0]?.to;
  useEffect(() => {
    if (first) navigate(first, { replace: true });
  }, [first]);
  return Boolean(first);
}

/** The tab's content, or its heading and the access state when the caller's role lacks the tab's permission. */
export function TabAccess({ tab, children }: { tab: PermissionTab; children: ReactNode }) {
  const { can } = useSession();
  if (can(tab.permission)) return children;
  return (
    <>
      <TabHeader title={tab.label} description={tab.description} />
      <AccessDenied permission={tab.permission} headingLevel={3} />
    </>
  );
}
