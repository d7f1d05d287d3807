import { ApiError, errorMessage } from '../api/client';

export type FieldErrors<Field extends string> = Partial<Record<Field, string>>;

export interface SplitErrors<Field extends string> {
  fieldErrors: FieldErrors<Field>;
  formError: string | null;
}

/** Attaches an API error to the matching form field when `param` names one, else to the form. */
export function splitApiError<Field extends string>(error: unknown, fields: Record<string, Field>): SplitErrors<Field> {
  if (error instanceof ApiError && error.param) {
    const segments = [
      error.param,
      ...error.param
        .split(/[./[\]]/)
        .filter(Boolean)
        .reverse(),
    ];
    const field = segments.filter((segment) => Object.hasOwn(fields, segment)).map((segment) => fields[segment])[0];
    if (field) return { fieldErrors: { [field]: error.message } as FieldErrors<Field>, formError: null };
  }
  return { fieldErrors: {}, formError: errorMessage(error) };
}

export function requireFields<Field extends string>(
  values: Record<Field, string>,
  messages: Partial<Record<Field, string>>,
): FieldErrors<Field> {
  const errors: FieldErrors<Field> = {};
  for (const field of Object.keys(messages) as Field[]) {
    if (!values[field]?.trim()) errors[field] = messages[field];
  }
  return errors;
}

export function hasErrors(errors: Record<string, string | undefined>): boolean {
  return Object.values(errors).some(Boolean);
}
