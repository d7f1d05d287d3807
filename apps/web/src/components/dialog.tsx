import { type ReactNode, type RefObject, useId, useRef } from 'react';
import { createPortal } from 'react-dom';
import { cx } from '../lib/class-names';
import { useModalFocus } from '../lib/focus-trap';
import { CloseIcon } from './icons';

export interface DialogProps {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  description?: ReactNode;
  children: ReactNode;
  size?: 'sm' | 'md' | 'lg';
  /** Element to focus first; defaults to the first focusable element. */
  initialFocus?: RefObject<HTMLElement | null>;
  /** When false, Escape, the backdrop and the close button do nothing (e.g. while saving). */
  dismissible?: boolean;
  testId?: string;
}

const widths = { sm: 'sm:max-w-sm', md: 'sm:max-w-lg', lg: 'sm:max-w-2xl' };

export function Dialog(props: DialogProps) {
  if (!props.open) return null;
  return createPortal(<DialogPanel {...props} />, document.body);
}

function DialogPanel({ onClose, title, description, children, size = 'md', initialFocus, dismissible = true, testId }: DialogProps) {
  const panelRef = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const close = () => {
    if (dismissible) onClose();
  };
  useModalFocus(panelRef, { onEscape: close, initialFocus });

  return (
    <div className="fixed inset-0 z-50 flex items-end justify-center sm:items-center sm:p-4">
      <div aria-hidden="true" className="absolute inset-0 bg-overlay animate-fade-in" onMouseDown={close} />
      <div
        ref={panelRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descriptionId : undefined}
        tabIndex={-1}
        data-testid={testId}
        className={cx(
          'relative flex max-h-[92dvh] w-full flex-col overflow-y-auto rounded-t-xl border border-border bg-surface-raised',
          'shadow-lg animate-rise-in sm:rounded-xl',
          widths[size],
        )}
      >
        <div className="px-5 pt-5 pr-14 sm:px-6 sm:pr-14">
          <div className="flex flex-col gap-1">
            <h2 id={titleId} className="text-lg font-semibold text-text">
              {title}
            </h2>
            {description && (
              <p id={descriptionId} className="text-sm text-text-muted">
                {description}
              </p>
            )}
          </div>
        </div>
        <div className="px-5 pt-4 pb-5 sm:px-6">{children}</div>
        {dismissible && (
          <button
            type="button"
            onClick={onClose}
            className="absolute top-4 right-4 inline-flex size-9 items-center justify-center rounded-md text-text-muted hover:bg-surface-hover hover:text-text"
          >
            <CloseIcon />
            <span className="sr-only">Close dialog</span>
          </button>
        )}
      </div>
    </div>
  );
}

export function DialogFooter({ children }: { children: ReactNode }) {
  return <div className="mt-6 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">{children}</div>;
}
