import { forwardRef, type ReactNode, type SelectHTMLAttributes } from 'react';
import { cx } from '../lib/class-names';
import { controlClasses, Field } from './field';

export interface SelectOption {
  value: string;
  label: string;
  disabled?: boolean;
}

export interface SelectFieldProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> {
  label: ReactNode;
  options: SelectOption[];
  hint?: ReactNode;
  error?: string | null;
  optional?: boolean;
  id?: string;
  containerClassName?: string;
}

export const SelectField = forwardRef<HTMLSelectElement, SelectFieldProps>(function SelectField(
  { label, options, hint, error, optional, id, containerClassName, className, ...rest },
  ref,
) {
  return (
    <Field label={label} hint={hint} error={error} optional={optional} id={id} className={containerClassName}>
      {(control) => (
        <select ref={ref} className={cx(controlClasses, 'h-10 pr-8', className)} {...rest} {...control}>
          {options.map((option) => (
            <option key={option.value} value={option.value} disabled={option.disabled}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
});

/** A bare select for tight spots such as table cells; requires an accessible name. */
export const InlineSelect = forwardRef<HTMLSelectElement, SelectHTMLAttributes<HTMLSelectElement> & { options: SelectOption[] }>(
  function InlineSelect({ options, className, ...rest }, ref) {
    return (
      <select ref={ref} className={cx(controlClasses, 'h-8 w-auto pr-8', className)} {...rest}>
        {options.map((option) => (
          <option key={option.value} value={option.value} disabled={option.disabled}>
            {option.label}
          </option>
        ))}
      </select>
    );
  },
);
