/** A scalar a `{{name}}` placeholder can be filled with. */
export type TemplateValue = string | number | boolean;
export type Variables = Record<string, TemplateValue>;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}$/;

/**
 * A template named variables that were not given. Failing is safer than sending a literal
 * `{{id}}` to an API that might act on it.
 */
export class MissingVariablesError extends Error {
  override readonly name = 'MissingVariablesError';

  constructor(readonly missing: string[]) {
    super(`missing variables: ${missing.join(', ')}`);
  }
}

/** Collects every placeholder name in a template. */
function namesIn(text: string): string[] {
  return Array.from(text.matchAll(PLACEHOLDER), (match) => match[1]);
}

/**
 * Fills `{{name}}` placeholders; `encode` transforms each value (e.g. `encodeURIComponent` for
 * URLs, so a value can never add a path segment or a query parameter).
 *
 * @example
 * fillText('/users/{{id}}', { id: 'a/b' }, encodeURIComponent); // '/users/a%2Fb'
 */
export function fillText(text: string, variables: Variables, encode: (value: string) => string = (value) => value): string {
  const missing = namesIn(text).filter((name) => !Object.hasOwn(variables, name));
  if (missing.length > 0) throw new MissingVariablesError([...new Set(missing)]);
  return text.replace(PLACEHOLDER, (_match, name: string) => encode(String(variables[name])));
}

/**
 * Fills placeholders in every string of a JSON value (keys are left alone). A string that is
 * exactly one placeholder takes the variable's own type, so `{"count": "{{n}}"}` sends a number.
 *
 * @example
 * fillJson({ title: 'Hi {{name}}', count: '{{n}}' }, { name: 'Ada', n: 3 }); // { title: 'Hi Ada', count: 3 }
 */
export function fillJson(value: unknown, variables: Variables): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_PLACEHOLDER.exec(value);
    if (whole) {
      if (!Object.hasOwn(variables, whole[1])) throw new MissingVariablesError([whole[1]]);
      return variables[whole[1]];
    }
    return fillText(value, variables);
  }
  if (Array.isArray(value)) return value.map((item) => fillJson(item, variables));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillJson(item, variables)]));
  }
  return value;
}
