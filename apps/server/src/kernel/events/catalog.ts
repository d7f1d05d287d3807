import type { EventTypeDefinition } from './events.ts';

/**
 * A catalogue entry whose payload is an object of string fields (ids, names, emails), the common
 * case. `optional` fields may be absent or null.
 *
 * @example
 * eventType('workspace.created', 'A workspace was created', ['workspace_id', 'name'])
 */
export function eventType(type: string, description: string, fields: string[], extra: Record<string, unknown> = {}): EventTypeDefinition {
  const properties: Record<string, unknown> = Object.fromEntries(fields.map((field) => [field, { type: 'string' }]));
  return {
    type,
    description,
    schema: { type: 'object', properties: { ...properties, ...extra }, required: fields, additionalProperties: true },
  };
}
