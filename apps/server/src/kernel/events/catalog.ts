import { z } from 'zod';
import type { EventTypeDefinition } from './events.ts';

/**
 * Catalogue entries from a module's event definitions (in `@atrium/contracts`): the payload's zod
 * schema becomes the JSON Schema that webhook consumers and the docs see.
 *
 * @example
 * kernel.events.declare(...eventTypes(IdentityEvents));
 */
export function eventTypes(definitions: Record<string, { description: string; payload: z.ZodType }>): EventTypeDefinition[] {
  return Object.entries(definitions).map(([type, definition]) => ({
    type,
    description: definition.description,
    schema: z.toJSONSchema(definition.payload) as Record<string, unknown>,
  }));
}
