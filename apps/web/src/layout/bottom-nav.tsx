import { useEffect, useRef } from 'react';
import { cx } from '../lib/class-names';
import { Link, useLocation } from '../lib/router';
import { isActive, useNavItems } from './nav-items';

/**
 * Phone navigation (< 640px): a fixed bar of icon + label links. When there are more links than
 * fit, the bar scrolls sideways and keeps the current page's link in view.
 */
export function BottomNav() {
  const items = useNavItems();
  const { pathname } = useLocation();
  const listRef = useRef<HTMLUListElement>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the path (and the links shown) are the trigger
  useEffect(() => {
    const list = listRef.current;
    const current = list?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!list || !current) return;
    const left = current.offsetLeft - list.offsetLeft;
    if (left < list.scrollLeft || left + current.offsetWidth > list.scrollLeft + list.clientWidth) {
      list.scrollLeft = left - (list.clientWidth - current.offsetWidth) / 2;
    }
  }, [pathname, items.length]);

  return (
    <nav
      aria-label="Main"
      className="fixed inset-x-0 bottom-0 z-30 h-bottom-nav border-t border-border bg-surface pb-[env(safe-area-inset-bottom)] sm:hidden"
    >
      <ul ref={listRef} className="flex h-full items-stretch overflow-x-auto overscroll-x-contain">
        {items.map((item) => {
          const active = isActive(pathname, item.to);
          const Icon = item.icon;
          return (
            <li key={item.to} className="flex min-w-17 flex-1">
              <Link
                to={item.to}
                aria-current={active ? 'page' : undefined}
                className={cx(
                  'flex flex-1 flex-col items-center justify-center gap-0.5 px-1 text-center text-xs font-medium no-underline',
                  active ? 'text-brand-text' : 'text-text-muted hover:text-text',
                )}
              >
                <Icon className="size-5" />
                {item.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
