import { type RefObject, useEffect, useRef, useState } from 'react';

const focusableSelector = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  '[tabindex]:not([tabindex="-1"])',
].join(',');

export function focusableWithin(container: HTMLElement): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>(focusableSelector)].filter(
    (element) => !element.closest('[inert]') && element.getClientRects().length > 0,
  );
}

let isolationDepth = 0;

/** Hides the application root from assistive technology and input while a modal is open. */
function isolate(): () => void {
  const root = document.getElementById('root');
  isolationDepth += 1;
  if (root && isolationDepth === 1) {
    root.setAttribute('inert', '');
    root.setAttribute('aria-hidden', 'true');
  }
  return () => {
    isolationDepth -= 1;
    if (root && isolationDepth === 0) {
      root.removeAttribute('inert');
      root.removeAttribute('aria-hidden');
    }
  };
}

interface FocusTrapOptions {
  onEscape?: () => void;
  initialFocus?: RefObject<HTMLElement | null>;
}

/**
 * Keeps Tab focus inside `containerRef` while mounted, moves focus in on open,
 * closes on Escape, and gives focus back to whatever had it before.
 */
export function useModalFocus(containerRef: RefObject<HTMLElement | null>, options: FocusTrapOptions): void {
  const optionsRef = useRef(options);
  optionsRef.current = options;
  // Captured during the first render, before focus moves inside, so it survives effect re-runs.
  const [returnTarget] = useState(() => document.activeElement as HTMLElement | null);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    // Fall back to the current focus when the captured element went away (e.g. a dialog replaced by another).
    const useful = (element: HTMLElement | null) => element?.isConnected && element !== document.body;
    const restoreTo = useful(returnTarget) ? returnTarget : (document.activeElement as HTMLElement | null);
    const release = isolate();

    const target = optionsRef.current.initialFocus?.current ?? focusableWithin(container)[0] ?? container;
    target.focus();

    function handleKeyDown(event: KeyboardEvent) {
      if (!container) return;
      if (event.key === 'Escape' && optionsRef.current.onEscape) {
        event.stopPropagation();
        optionsRef.current.onEscape();
        return;
      }
      if (event.key !== 'Tab') return;
      const focusable = focusableWithin(container);
      if (focusable.length === 0) {
        event.preventDefault();
        container.focus();
        return;
      }
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      const active = document.activeElement;
      if (event.shiftKey && (active === first || !container.contains(active))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || !container.contains(active))) {
        event.preventDefault();
        first.focus();
      }
    }

    document.addEventListener('keydown', handleKeyDown);
    return () => {
      document.removeEventListener('keydown', handleKeyDown);
      release();
      if (restoreTo?.isConnected) restoreTo.focus();
    };
  }, [containerRef, returnTarget]);
}
