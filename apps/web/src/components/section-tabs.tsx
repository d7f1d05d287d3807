import { type ReactNode, useEffect, useRef } from 'react';
import { cx } from '../lib/class-names';
import { Link } from '../lib/router';

export interface SectionTab {
  id: string;
  to: string;
  label: string;
}

/** The tab with this id, or the first tab when none has it. */
export function tabById<Tab extends SectionTab>(tabs: Tab[], id: string): Tab {
  return tabs.find((entry) => entry.id === id) ?? tabs[0];
}

interface SectionTabsProps {
  /** Names the navigation landmark, e.g. "Billing sections". */
  label: string;
  tabs: SectionTab[];
  current: string | null;
}

/**
 * A section's tab links under its page header. On narrow screens the tabs scroll sideways and
 * the current one is brought into view.
 */
export function SectionTabs({ label, tabs, current }: SectionTabsProps) {
  const navRef = useRef<HTMLElement>(null);

  useEffect(() => {
    const nav = navRef.current;
    const active = nav?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!nav || !active) return;
    if (active.offsetLeft + active.offsetWidth > nav.clientWidth) nav.scrollLeft = active.offsetLeft - nav.clientWidth / 3;
  }, []);

  if (tabs.length === 0) return null;
  return (
    <nav ref={navRef} aria-label={label} className="relative -mx-4 mb-6 overflow-x-auto border-b border-border px-4 sm:mx-0 sm:px-0">
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
  );
}

/** A tab's own heading (h2) with its one-line description and actions. */
export function TabHeader({ title, description, actions }: { title: string; description: string; actions?: ReactNode }) {
  return (
    <div className="mb-4 flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
      <div className="flex flex-col gap-1">
        <h2 className="text-lg font-semibold text-text">{title}</h2>
        <p className="max-w-2xl text-sm text-text-muted">{description}</p>
      </div>
      {actions && <div className="flex flex-wrap gap-2">{actions}</div>}
    </div>
  );
}
