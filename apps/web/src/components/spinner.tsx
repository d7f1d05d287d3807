import { cx } from '../lib/class-names';

interface SpinnerProps {
  /** Announced text; omit for a decorative spinner (e.g. inside a busy button). */
  label?: string;
  className?: string;
}

export function Spinner({ label, className }: SpinnerProps) {
  const icon = (
    <svg
      viewBox="0 0 24 24"
      aria-hidden="true"
      focusable="false"
      className={cx('animate-spin motion-reduce:animate-none', className ?? 'size-5')}
    >
      <circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" strokeOpacity="0.25" strokeWidth="3" />
      <path d="M21 12a9 9 0 0 0-9-9" fill="none" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
    </svg>
  );
  if (!label) return icon;
  return (
    // biome-ignore lint/a11y/useSemanticElements: an explicit status role is announced more reliably than <output>
    <span role="status" className="inline-flex items-center gap-2 text-sm text-text-muted">
      {icon}
      <span>{label}</span>
    </span>
  );
}

export function PageSpinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="flex min-h-40 items-center justify-center">
      <Spinner label={label} className="size-6" />
    </div>
  );
}
