import { Readable } from 'node:stream';
import { ErrorEnvelope, PageQuery } from '@atrium/contracts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../kernel/http/auth-hook.ts';
import { typed } from '../../kernel/http/server.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { entryDto } from './dto.ts';
import { EXPORT_CONTENT_TYPES, EXPORT_FORMATS, exportChunks } from './export.ts';
import type { AuditCriteria, AuditService } from './service.ts';

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

const ExportQuery = AuditQuery.pick({ action: true, actor: true, from: true, to: true }).extend({
  format: z.enum(EXPORT_FORMATS).default('csv').describe('`csv` (RFC 4180, with a header row) or `jsonl` (JSON Lines)'),
});

function criteriaOf(query: { action?: string; actor?: string; from?: string; to?: string }): AuditCriteria {
  return {
    action: query.action,
    actor: query.actor,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
  };
}

export function registerAuditRoutes(root: FastifyInstance, kernel: Kernel, audit: AuditService) {
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
      const { cursor, limit } = request.query;
      const result = await audit.list(principalOf(request).orgId, { ...criteriaOf(request.query), cursor, limit });
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

  app.get(
    '/api/v1/audit-logs/export',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['Audit log'],
        summary: 'Download every matching entry, oldest first, as CSV or JSON Lines',
        description:
          "Streams the entries as an attachment. CSV cells a spreadsheet would run as a formula (starting with =, +, -, @) get a leading `'`. The export is itself recorded as `audit_log.exported`.",
        querystring: ExportQuery,
        response: {
          200: {
            description: 'The entries, streamed',
            content: { 'text/csv': { schema: z.string() }, 'application/x-ndjson': { schema: z.string() } },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { format, ...filters } = request.query;
      await audit.recordExport(principal.orgId, { type: principal.type, id: principal.id }, { format, filters });
      const date = kernel.clock().toISOString().slice(0, 10);
      // The schema documents the body as text; what is sent is a stream of it.
      return (reply as FastifyReply)
        .type(EXPORT_CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="audit-log-${principal.orgId}-${date}.${format}"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(exportChunks(audit.entries(principal.orgId, criteriaOf(filters)), format)));
    },
  );
}
