import { type InputHTMLAttributes, type ReactNode, useId } from 'react';

interface CheckboxProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'id'> {
  label: ReactNode;
  description?: ReactNode;
}

export function Checkbox({ label, description, ...rest }: CheckboxProps) {
  const id = useId();
  const descriptionId = description ? `${id}-description` : undefined;
  return (
    <div className="flex items-start gap-3">
      <input
        id={id}
        type="checkbox"
        aria-describedby={descriptionId}
        className="mt-0.5 size-4 shrink-0 rounded border-border-strong accent-brand"
        {...rest}
      />
      <div className="flex flex-col">
        <label htmlFor={id} className="text-sm font-medium text-text">
          {label}
        </label>
        {description && (
          <span id={descriptionId} className="text-xs text-text-muted">
            {description}
          </span>
        )}
      </div>
    </div>
  );
}

interface RadioOption<Value extends string> {
  value: Value;
  label: string;
  description?: string;
}

interface RadioGroupProps<Value extends string> {
  legend: string;
  name: string;
  value: Value;
  options: RadioOption<Value>[];
  onChange: (value: Value) => void;
  inline?: boolean;
}

export function RadioGroup<Value extends string>({ legend, name, value, options, onChange, inline }: RadioGroupProps<Value>) {
  const id = useId();
  return (
    <fieldset className="flex flex-col gap-2">
      <legend className="mb-1 text-sm font-medium text-text">{legend}</legend>
      <div className={inline ? 'flex flex-wrap gap-x-5 gap-y-2' : 'flex flex-col gap-2'}>
        {options.map((option) => {
          const optionId = `${id}-${option.value}`;
          return (
            <div key={option.value} className="flex items-start gap-2">
              <input
                id={optionId}
                type="radio"
                name={name}
                value={option.value}
                checked={value === option.value}
                onChange={() => onChange(option.value)}
                aria-describedby={option.description ? `${optionId}-description` : undefined}
                className="mt-0.5 size-4 shrink-0 accent-brand"
              />
              <div className="flex flex-col">
                <label htmlFor={optionId} className="text-sm text-text">
                  {option.label}
                </label>
                {option.description && (
                  <span id={`${optionId}-description`} className="text-xs text-text-muted">
                    {option.description}
                  </span>
                )}
              </div>
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}
