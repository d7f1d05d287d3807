import { useEffect, useRef } from 'react';
import { createPortal } from 'react-dom';
import { CloseIcon } from '../components/icons';
import { useModalFocus } from '../lib/focus-trap';
import { NavList } from './nav-items';
import { BrandLink } from './sidebar';

interface NavigationDrawerProps {
  open: boolean;
  onClose: () => void;
}

/** Tablet navigation (640–1023px): a modal drawer with trapped focus; Escape closes it. */
export function NavigationDrawer({ open, onClose }: NavigationDrawerProps) {
  useEffect(() => {
    if (!open) return;
    const wide = window.matchMedia('(min-width: 1024px), (max-width: 639.98px)');
    const closeIfOutOfRange = () => {
      if (wide.matches) onClose();
    };
    wide.addEventListener('change', closeIfOutOfRange);
    return () => wide.removeEventListener('change', closeIfOutOfRange);
  }, [open, onClose]);

  if (!open) return null;
  return createPortal(<DrawerPanel onClose={onClose} />, document.body);
}

function DrawerPanel({ onClose }: { onClose: () => void }) {
  const panelRef = useRef<HTMLDivElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  useModalFocus(panelRef, { onEscape: onClose, initialFocus: closeRef });

  return (
    <div className="fixed inset-0 z-50 flex">
      <div className="absolute inset-0 bg-overlay animate-fade-in" aria-hidden="true" onClick={onClose} />
      <div
        ref={panelRef}
        id="navigation-drawer"
        role="dialog"
        aria-modal="true"
        aria-label="Navigation"
        tabIndex={-1}
        className="relative flex h-full w-72 max-w-[85vw] flex-col border-r border-border bg-surface shadow-lg animate-slide-in"
      >
        <div className="flex h-header items-center justify-between px-5">
          <BrandLink onNavigate={onClose} />
          <button
            ref={closeRef}
            type="button"
            onClick={onClose}
            className="inline-flex size-10 items-center justify-center rounded-md text-text-muted hover:bg-surface-hover hover:text-text"
          >
            <CloseIcon />
            <span className="sr-only">Close navigation</span>
          </button>
        </div>
        <nav aria-label="Main" className="flex-1 overflow-y-auto px-3 py-4">
          <NavList onNavigate={onClose} />
        </nav>
      </div>
    </div>
  );
}
