import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { cx } from '../lib/class-names';
import { AlertIcon, CheckIcon, CloseIcon, InfoIcon } from './icons';

type ToastTone = 'success' | 'danger' | 'info';

interface ToastItem {
  id: number;
  message: string;
  tone: ToastTone;
}

interface ToastContextValue {
  notify: (message: string, tone?: ToastTone) => void;
}

const ToastContext = createContext<ToastContextValue | null>(null);

const toneClasses: Record<ToastTone, string> = {
  success: 'border-success/40 text-success-text bg-success-subtle',
  danger: 'border-danger/40 text-danger-text bg-danger-subtle',
  info: 'border-info/40 text-info-text bg-info-subtle',
};

/**
 * Toasts live in their own region on <body>, outside the app root, so they are still announced
 * while a modal dialog hides the rest of the app from assistive technology.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<ToastItem[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => {
    setToasts((current) => current.filter((toast) => toast.id !== id));
  }, []);

  const notify = useCallback(
    (message: string, tone: ToastTone = 'success') => {
      const id = nextId.current++;
      setToasts((current) => [...current.slice(-3), { id, message, tone }]);
      window.setTimeout(() => dismiss(id), tone === 'danger' ? 8000 : 5000);
    },
    [dismiss],
  );

  const value = useMemo(() => ({ notify }), [notify]);

  return (
    <ToastContext.Provider value={value}>
      {children}
      {createPortal(
        <section
          aria-label="Notifications"
          className="pointer-events-none fixed inset-x-0 bottom-20 z-[60] flex flex-col items-center gap-2 px-4 sm:right-4 sm:bottom-4 sm:left-auto sm:items-end"
        >
          {toasts.map((toast) => (
            <ToastMessage key={toast.id} toast={toast} onDismiss={() => dismiss(toast.id)} />
          ))}
        </section>,
        document.body,
      )}
    </ToastContext.Provider>
  );
}

function ToastMessage({ toast, onDismiss }: { toast: ToastItem; onDismiss: () => void }) {
  const Icon = toast.tone === 'success' ? CheckIcon : toast.tone === 'danger' ? AlertIcon : InfoIcon;
  return (
    <div
      role={toast.tone === 'danger' ? 'alert' : 'status'}
      className={cx(
        'pointer-events-auto flex w-full max-w-sm items-start gap-3 rounded-lg border px-4 py-3 text-sm shadow-lg animate-rise-in',
        toneClasses[toast.tone],
      )}
    >
      <Icon className="mt-0.5 size-4 shrink-0" />
      <p className="flex-1 font-medium">{toast.message}</p>
      <button type="button" onClick={onDismiss} className="-m-1 rounded p-1 hover:bg-surface-hover/60">
        <CloseIcon className="size-4" />
        <span className="sr-only">Dismiss notification</span>
      </button>
    </div>
  );
}

export function useToast(): ToastContextValue {
  const value = useContext(ToastContext);
  if (!value) throw new Error('useToast must be used inside ToastProvider');
  return value;
}
