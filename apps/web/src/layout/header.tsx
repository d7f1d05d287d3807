import { MenuIcon } from '../components/icons';
import { AccountMenu } from './account-menu';
import { ContextSwitcher } from './context-switcher';
import { BrandLink } from './sidebar';

interface HeaderProps {
  drawerOpen: boolean;
  onOpenDrawer: () => void;
}

export function Header({ drawerOpen, onOpenDrawer }: HeaderProps) {
  return (
    <header className="sticky top-0 z-30 flex h-header items-center gap-2 border-b border-border bg-surface px-3 sm:px-4 lg:px-6">
      <button
        type="button"
        onClick={onOpenDrawer}
        aria-expanded={drawerOpen}
        aria-haspopup="dialog"
        className="hidden size-10 items-center justify-center rounded-md text-text hover:bg-surface-hover sm:inline-flex lg:hidden"
      >
        <MenuIcon />
        <span className="sr-only">Open navigation</span>
      </button>
      <div className="hidden sm:block lg:hidden">
        <BrandLink />
      </div>
      <div className="flex min-w-0 flex-1 items-center">
        <ContextSwitcher />
      </div>
      <AccountMenu />
    </header>
  );
}
