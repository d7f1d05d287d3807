import { forwardRef, type InputHTMLAttributes, type ReactNode } from 'react';
import { cx } from '../lib/class-names';
import { controlClasses, Field } from './field';

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  optional?: boolean;
  id?: string;
  containerClassName?: string;
}

export const TextField = forwardRef<HTMLInputElement, TextFieldProps>(function TextField(
  { label, hint, error, optional, id, containerClassName, className, type = 'text', ...rest },
  ref,
) {
  return (
    <Field label={label} hint={hint} error={error} optional={optional} id={id} className={containerClassName}>
      {(control) => (
        <input
          ref={ref}
          type={type}
          className={cx(controlClasses, 'h-10', className)}
          required={rest.required ?? !optional}
          {...rest}
          {...control}
        />
      )}
    </Field>
  );
});
