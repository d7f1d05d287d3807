import { z } from 'zod';

/** The error envelope every endpoint answers with on failure. */
export const ErrorEnvelope = z
  .object({
    error: z
      .object({
        type: z.string().describe('Broad class, e.g. invalid_request_error, not_found_error'),
        code: z.string().describe('Stable machine-readable code'),
        message: z.string(),
        param: z.string().optional().describe('The request field at fault'),
        request_id: z.string(),
      })
      .loose()
      .describe('Some errors add facts, e.g. quota_exceeded adds metric, used, limit and upgrade_url'),
  })
  .loose()
  .meta({ id: 'Error' });

/** An ISO 8601 date-time with an offset, as accepted in queries and bodies. */
export const dateTime = z.iso.datetime({ offset: true });

export const Timestamp = z.string().describe('ISO 8601 timestamp');

/** A page of results; pass `next_cursor` back as `cursor` for the next one. */
export function page<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() });
}

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(64).optional(),
});

export const IdParams = z.object({ id: z.string().min(1).max(64) });

export const Role = z.enum(['owner', 'admin', 'developer', 'member', 'viewer', 'billing']);
