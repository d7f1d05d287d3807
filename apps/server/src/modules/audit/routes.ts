import { ErrorEnvelope, PageQuery } from '@atrium/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../kernel/http/auth-hook.ts';
import { typed } from '../../kernel/http/server.ts';
import type { AuditEntry, AuditService } from './service.ts';

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope };

const AuditLogEntry = z
  .object({
    id: z.string(),
    seq: z.number().int(),
    action: z.string().describe('The domain event type, e.g. api_key.created'),
    actor: z.object({ type: z.string(), id: z.string() }).nullable(),
    target: z.object({ type: z.string(), id: z.string() }).nullable(),
    context: z.object({ request_id: z.string(), ip: z.string(), user_agent: z.string().optional() }).nullable(),
    changes: z.record(z.string(), z.unknown()),
    prev_hash: z.string(),
    hash: z.string(),
    created_at: z.string(),
  })
  .meta({ id: 'AuditLogEntry' });

const AuditQuery = PageQuery.omit({ cursor: true }).extend({
  action: z.string().max(100).optional().describe('An action, or a prefix wildcard such as `api_key.*`'),
  actor: z.string().max(64).optional().describe('A user or API key id'),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  cursor: z.coerce.number().int().min(1).optional(),
});

function entryDto(entry: AuditEntry) {
  return {
    id: entry.id,
    seq: entry.seq,
    action: entry.action,
    actor: entry.actor as { type: string; id: string } | null,
    target: entry.target as { type: string; id: string } | null,
    context: entry.context as { request_id: string; ip: string; user_agent?: string } | null,
    changes: entry.changes as Record<string, unknown>,
    prev_hash: entry.prevHash,
    hash: entry.hash,
    created_at: entry.createdAt.toISOString(),
  };
}

export function registerAuditRoutes(root: FastifyInstance, audit: AuditService) {
  const app = typed(root);

  app.get(
    '/api/v1/audit-logs',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['Audit log'],
        summary: 'Audit entries, newest first, with filters',
        querystring: AuditQuery,
        response: { 200: z.object({ data: z.array(AuditLogEntry), next_cursor: z.string().nullable() }), ...errors },
      },
    },
    async (request) => {
      const { action, actor, from, to, cursor, limit } = request.query;
      const result = await audit.list(principalOf(request).orgId, {
        action,
        actor,
        from: from ? new Date(from) : undefined,
        to: to ? new Date(to) : undefined,
        cursor,
        limit,
      });
      return { data: result.data.map(entryDto), next_cursor: result.nextCursor };
    },
  );

  app.get(
    '/api/v1/audit-logs/verify',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['Audit log'],
        summary: 'Recompute the hash chain and report where it breaks',
        response: {
          200: z.object({
            intact: z.boolean(),
            checked: z.number().int(),
            head: z.string().nullable().optional(),
            broken_at: z.object({ seq: z.number().int(), id: z.string(), expected_seq: z.number().int() }).optional(),
          }),
          ...errors,
        },
      },
    },
    async (request) => audit.verify(principalOf(request).orgId),
  );
}
