import { type ChangeEvent, useCallback, useRef, useState } from 'react';
import { type FieldErrors, hasErrors, requireFields, splitApiError } from './form-errors';

/**
 * Minimal controlled-form state: values, per-field errors, one form-level error, and focus
 * moved to the first invalid field whenever errors are shown.
 */
export function useForm<Field extends string>(initial: Record<Field, string>) {
  const formRef = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState(initial);
  const [errors, setErrorsState] = useState<FieldErrors<Field>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const focusFirstInvalid = useCallback(() => {
    window.requestAnimationFrame(() => {
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    });
  }, []);

  const setErrors = useCallback(
    (next: FieldErrors<Field>) => {
      setErrorsState(next);
      if (hasErrors(next)) focusFirstInvalid();
    },
    [focusFirstInvalid],
  );

  function bind(field: Field) {
    return {
      name: field,
      value: values[field],
      error: errors[field],
      onChange: (event: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
        const value = event.target.value;
        setValues((current) => ({ ...current, [field]: value }));
      },
    };
  }

  /** Marks empty required fields; returns true when the form may be submitted. */
  function validate(messages: Partial<Record<Field, string>>, extra: FieldErrors<Field> = {}): boolean {
    const found = { ...requireFields(values, messages), ...extra };
    for (const key of Object.keys(found) as Field[]) if (!found[key]) delete found[key];
    setFormError(null);
    setErrors(found);
    return !hasErrors(found);
  }

  /** Shows an API error next to the field named by `param`, or above the form. */
  function applyError(error: unknown, params: Record<string, Field>) {
    const split = splitApiError(error, params);
    setErrors(split.fieldErrors);
    setFormError(split.formError);
  }

  function reset(next: Record<Field, string> = initial) {
    setValues(next);
    setErrorsState({});
    setFormError(null);
  }

  return { formRef, values, setValues, errors, setErrors, formError, setFormError, bind, validate, applyError, reset };
}
