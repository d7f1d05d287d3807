import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { cx } from '../lib/class-names';

interface PopoverProps {
  /** Content of the toggle button; must give it an accessible name. */
  trigger: ReactNode;
  triggerClassName?: string;
  align?: 'start' | 'end';
  panelClassName?: string;
  children: (close: () => void) => ReactNode;
}

/**
 * Disclosure popover: a button with aria-expanded controlling a panel that follows it in tab
 * order. Escape closes and returns focus; clicking or tabbing outside closes.
 */
export function Popover({ trigger, triggerClassName, align = 'start', panelClassName, children }: PopoverProps) {
  const [open, setOpen] = useState(false);
  const wrapperRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelId = useId();

  const close = useCallback(() => setOpen(false), []);

  useEffect(() => {
    if (!open) return;
    function onPointerDown(event: PointerEvent) {
      if (!wrapperRef.current?.contains(event.target as Node)) setOpen(false);
    }
    function onKeyDown(event: KeyboardEvent) {
      if (event.key === 'Escape') {
        setOpen(false);
        buttonRef.current?.focus();
      }
    }
    function onFocusIn(event: FocusEvent) {
      if (!wrapperRef.current?.contains(event.target as Node)) setOpen(false);
    }
    document.addEventListener('pointerdown', onPointerDown);
    document.addEventListener('keydown', onKeyDown);
    document.addEventListener('focusin', onFocusIn);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown);
      document.removeEventListener('keydown', onKeyDown);
      document.removeEventListener('focusin', onFocusIn);
    };
  }, [open]);

  return (
    <div ref={wrapperRef} className="relative">
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((value) => !value)}
        className={triggerClassName}
      >
        {trigger}
      </button>
      {open && (
        <div
          id={panelId}
          className={cx(
            'absolute top-full z-40 mt-2 w-72 max-w-[calc(100vw-2rem)] rounded-xl border border-border bg-surface-raised p-2 shadow-lg animate-pop-in',
            align === 'end' ? 'right-0' : 'left-0',
            panelClassName,
          )}
        >
          {children(close)}
        </div>
      )}
    </div>
  );
}

export function PopoverSectionLabel({ children }: { children: ReactNode }) {
  return <p className="px-2 pt-2 pb-1 text-xs font-semibold tracking-wide text-text-muted uppercase">{children}</p>;
}

export const popoverItemClasses = cx(
  'flex w-full items-center gap-2 rounded-md px-2 py-2 text-left text-sm text-text no-underline',
  'hover:bg-surface-hover aria-[current=true]:font-semibold',
);
