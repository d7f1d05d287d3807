import { LogoMark } from '../components/icons';
import { Link } from '../lib/router';
import { NavList } from './nav-items';

/** Desktop navigation (>= 1024px). */
export function Sidebar() {
  return (
    <nav aria-label="Main" className="fixed inset-y-0 left-0 z-20 hidden w-sidebar flex-col border-r border-border bg-surface lg:flex">
      <div className="flex h-header items-center px-5">
        <BrandLink />
      </div>
      <div className="flex-1 overflow-y-auto px-3 py-4">
        <NavList />
      </div>
    </nav>
  );
}

export function BrandLink({ onNavigate }: { onNavigate?: () => void }) {
  return (
    <Link to="/" onClick={onNavigate} className="flex items-center gap-2 rounded-md text-base font-semibold text-text no-underline">
      <LogoMark />
      <span>Atrium</span>
    </Link>
  );
}
