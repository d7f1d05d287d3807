import { useEffect, useId, useRef, useState } from 'react';
import { cx } from '../lib/class-names';
import { copyText } from '../lib/clipboard';
import { Button } from './button';
import { CheckIcon, CopyIcon } from './icons';

interface CopyFieldProps {
  /** Visible label describing the value (rendered as text, not a form label). */
  label: string;
  value: string;
  testId?: string;
  multiline?: boolean;
  className?: string;
}

/** Shows a value in monospace with a "Copy" button and a polite confirmation. */
export function CopyField({ label, value, testId, multiline = false, className }: CopyFieldProps) {
  const labelId = useId();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => () => window.clearTimeout(timer.current), []);

  async function handleCopy() {
    const copied = await copyText(value);
    setState(copied ? 'copied' : 'failed');
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setState('idle'), 4000);
  }

  return (
    <div className={cx('flex flex-col gap-1.5', className)}>
      <p id={labelId} className="text-sm font-medium text-text">
        {label}
      </p>
      <div className="flex items-stretch gap-2">
        <code
          data-testid={testId}
          className={cx(
            'min-w-0 flex-1 rounded-md border border-border bg-surface-sunken px-3 py-2 text-sm text-text select-all',
            multiline ? 'whitespace-pre-wrap break-words' : 'break-all',
          )}
        >
          {value}
        </code>
        <Button
          onClick={handleCopy}
          aria-describedby={labelId}
          icon={state === 'copied' ? <CheckIcon className="size-4" /> : <CopyIcon className="size-4" />}
        >
          Copy
        </Button>
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: an explicit status role is announced more reliably than <output> */}
      <p role="status" className="min-h-4 text-xs text-text-muted">
        {state === 'copied' && 'Copied to clipboard.'}
        {state === 'failed' && 'Could not copy automatically. Select the text and copy it manually.'}
      </p>
    </div>
  );
}
