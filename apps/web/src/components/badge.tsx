import type { ReactNode } from 'react';
import { cx } from '../lib/class-names';

export type BadgeTone = 'neutral' | 'brand' | 'success' | 'warning' | 'danger' | 'info';

const tones: Record<BadgeTone, string> = {
  neutral: 'bg-surface-sunken text-text-muted border-border',
  brand: 'bg-brand-subtle text-brand-text border-brand-text/30',
  success: 'bg-success-subtle text-success-text border-success/30',
  warning: 'bg-warning-subtle text-warning-text border-warning/30',
  danger: 'bg-danger-subtle text-danger-text border-danger/30',
  info: 'bg-info-subtle text-info-text border-info/30',
};

export function Badge({ tone = 'neutral', children, className }: { tone?: BadgeTone; children: ReactNode; className?: string }) {
  return (
    <span
      className={cx(
        'inline-flex items-center rounded-full border px-2 py-0.5 text-xs font-medium whitespace-nowrap',
        tones[tone],
        className,
      )}
    >
      {children}
    </span>
  );
}
