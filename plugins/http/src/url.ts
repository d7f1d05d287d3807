import { fillText, type TemplateValue, type Variables } from './template.ts';

export type QueryValue = TemplateValue | TemplateValue[];

/** A problem with the base URL or the path, found before anything is sent. */
export class InvalidUrlError extends Error {
  override readonly name = 'InvalidUrlError';
}

// The sandbox has no URL class: a base URL is checked by shape.
const BASE_URL = /^https?:\/\/[^/?#\s@]+(\/[^?#\s]*)?(\?[^#\s]*)?$/i;

/** The `base_url` setting without a trailing slash; refuses anything but a plain http(s) URL. */
export function normaliseBaseUrl(value: unknown): string {
  if (typeof value !== 'string' || !BASE_URL.test(value.trim())) {
    throw new InvalidUrlError('the base_url setting must be an http(s) URL such as https://api.example.com/v1');
  }
  return value.trim().replace(/\/+$/, '');
}

/**
 * The full URL of a request: the base URL, the templated path (variables URL-encoded) and the
 * query. The path must be relative: the configured headers (often credentials) are meant for the
 * base URL's host only, so a path cannot point the request somewhere else.
 *
 * @example
 * buildUrl('https://api.example.com/v1', '/users/{{id}}', { fields: 'name' }, { id: 42 });
 * // 'https://api.example.com/v1/users/42?fields=name'
 */
export function buildUrl(baseUrl: string, path: string, query: Record<string, QueryValue> = {}, variables: Variables = {}): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//') || path.includes('\\')) {
    throw new InvalidUrlError('path must be relative to the base URL (no scheme, no host)');
  }
  const filledPath = fillText(path, variables, encodeURIComponent);
  const [base, baseQuery] = splitQuery(baseUrl);
  const [pathPart, pathQuery] = splitQuery(filledPath.startsWith('/') ? filledPath : `/${filledPath}`);
  const pairs = [baseQuery, pathQuery].filter((part) => part !== '');
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(fillText(String(item), variables))}`);
    }
  }
  return `${base}${pathPart === '/' ? '' : pathPart}${pairs.length > 0 ? `?${pairs.join('&')}` : ''}`;
}

function splitQuery(text: string): [string, string] {
  const index = text.indexOf('?');
  return index < 0 ? [text, ''] : [text.slice(0, index), text.slice(index + 1)];
}
