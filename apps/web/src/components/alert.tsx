import type { ReactNode } from 'react';
import { cx } from '../lib/class-names';
import { AlertIcon, CheckIcon, InfoIcon } from './icons';

export type AlertTone = 'info' | 'success' | 'warning' | 'danger';

const tones: Record<AlertTone, string> = {
  info: 'bg-info-subtle text-info-text border-info/40',
  success: 'bg-success-subtle text-success-text border-success/40',
  warning: 'bg-warning-subtle text-warning-text border-warning/40',
  danger: 'bg-danger-subtle text-danger-text border-danger/40',
};

interface AlertProps {
  tone?: AlertTone;
  title?: ReactNode;
  children?: ReactNode;
  className?: string;
  /** 'alert' interrupts (errors); 'status' is polite; 'none' for static notes. */
  live?: 'alert' | 'status' | 'none';
}

/** Inline message box; errors are announced with role=alert, confirmations with role=status. */
export function Alert({ tone = 'info', title, children, className, live }: AlertProps) {
  const role = live ?? (tone === 'danger' ? 'alert' : 'status');
  const Icon = tone === 'success' ? CheckIcon : tone === 'info' ? InfoIcon : AlertIcon;
  return (
    <div
      role={role === 'none' ? undefined : role}
      className={cx('flex gap-3 rounded-lg border px-4 py-3 text-sm [&_a]:text-current [&_a]:underline', tones[tone], className)}
    >
      <Icon className="mt-0.5 size-4 shrink-0" />
      <div className="flex flex-col gap-0.5">
        {title && <p className="font-semibold">{title}</p>}
        {children && <div>{children}</div>}
      </div>
    </div>
  );
}
