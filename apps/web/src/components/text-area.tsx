import { forwardRef, type ReactNode, type TextareaHTMLAttributes } from 'react';
import { cx } from '../lib/class-names';
import { controlClasses, Field } from './field';

export interface TextAreaFieldProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'> {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  optional?: boolean;
  id?: string;
  containerClassName?: string;
}

/** A labelled multi-line text field, wired like TextField. */
export const TextAreaField = forwardRef<HTMLTextAreaElement, TextAreaFieldProps>(function TextAreaField(
  { label, hint, error, optional, id, containerClassName, className, rows = 3, ...rest },
  ref,
) {
  return (
    <Field label={label} hint={hint} error={error} optional={optional} id={id} className={containerClassName}>
      {(control) => <textarea ref={ref} rows={rows} className={cx(controlClasses, 'resize-y py-2', className)} {...rest} {...control} />}
    </Field>
  );
});
