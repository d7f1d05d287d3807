import { cx } from '../lib/class-names';
import { Link, useLocation } from '../lib/router';
import { isActive, useNavItems } from './nav-items';

/** Phone navigation (< 640px): a fixed bar of icon + label links. */
export function BottomNav() {
  const items = useNavItems();
  const { pathname } = useLocation();
  return (
    <nav
      aria-label="Main"
      className="fixed inset-x-0 bottom-0 z-30 h-bottom-nav border-t border-border bg-surface pb-[env(safe-area-inset-bottom)] sm:hidden"
    >
      <ul className="flex h-full items-stretch justify-around">
        {items.map((item) => {
          const active = isActive(pathname, item.to);
          const Icon = item.icon;
          return (
            <li key={item.to} className="flex flex-1">
              <Link
                to={item.to}
                aria-current={active ? 'page' : undefined}
                className={cx(
                  'flex flex-1 flex-col items-center justify-center gap-0.5 text-xs font-medium no-underline',
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
