import { dateTime, ErrorEnvelope } from '@atrium/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../../kernel/errors.ts';
import { principalOf } from '../../kernel/http/auth-hook.ts';
import { csvDocument } from '../../kernel/http/csv.ts';
import { typed } from '../../kernel/http/server.ts';
import type { UsageEvent } from './ingest.ts';
import { BUILT_IN_METRICS, isBuiltInMetric, METRIC_NAME } from './metrics.ts';
import { type MeteringService, USAGE_GROUPS } from './service.ts';

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope };
const DAY = 86_400_000;
// Late events are accepted for a while (a producer's retries), not forever: invoices close.
const MAX_AGE_DAYS = 35;

const EventBody = z.object({
  metric: z.string().regex(METRIC_NAME, 'lowercase letters, digits, _ . - (max 64), starting with a letter'),
  quantity: z.number().finite().min(0).max(1e12),
  idempotency_key: z.string().min(1).max(200),
  timestamp: dateTime.optional(),
  workspace_id: z.string().max(64).optional(),
  dimensions: z
    .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), z.union([z.string().max(200), z.number(), z.boolean(), z.null()]))
    .refine((value) => Object.keys(value).length <= 20, 'at most 20 dimensions')
    .optional(),
});
type EventBody = z.infer<typeof EventBody>;

const RecordedEvent = EventBody.extend({
  timestamp: z.string(),
  dimensions: z.record(z.string(), z.unknown()),
  workspace_id: z.string().nullable(),
  duplicate: z.boolean().describe('True when this idempotency key was already recorded: it counted once'),
});

const UsageRow = z.object({
  metric: z.string(),
  quantity: z.number(),
  unit: z.string(),
  events: z.number(),
  day: z.string().optional(),
  model: z.string().nullable().optional(),
  provider: z.string().nullable().optional(),
  key: z.string().nullable().optional(),
  workspace: z.string().nullable().optional(),
});

export function registerMeteringRoutes(
  root: FastifyInstance,
  metering: MeteringService,
  options: {
    workspaceExists(orgId: string, workspaceId: string): Promise<void>;
    period(orgId: string): Promise<{ start: Date; end: Date }>;
  },
) {
  const app = typed(root);
  const clock = () => new Date();

  function toEvent(request: FastifyRequest, body: EventBody, index?: number): UsageEvent {
    const principal = principalOf(request);
    const where = (field: string) => (index === undefined ? field : `events[${index}].${field}`);
    if (isBuiltInMetric(body.metric)) {
      throw new ValidationError(
        `'${body.metric}' is measured by Atrium itself; post custom metrics under another name.`,
        where('metric'),
        'reserved_metric',
      );
    }
    const at = body.timestamp ? new Date(body.timestamp) : clock();
    if (at.getTime() > clock().getTime() + 5 * 60_000) throw new ValidationError('timestamp is in the future.', where('timestamp'));
    if (at.getTime() < clock().getTime() - MAX_AGE_DAYS * DAY) {
      throw new ValidationError(`timestamp is more than ${MAX_AGE_DAYS} days old.`, where('timestamp'));
    }
    return {
      orgId: principal.orgId,
      metric: body.metric,
      quantity: body.quantity,
      idempotencyKey: body.idempotency_key,
      at,
      workspaceId: body.workspace_id ?? principal.workspaceId ?? null,
      apiKeyId: principal.type === 'api_key' ? principal.id : null,
      dimensions: body.dimensions ?? {},
      source: 'api',
    };
  }

  const recorded = (event: UsageEvent & { inserted: boolean }) => ({
    metric: event.metric,
    quantity: event.quantity,
    idempotency_key: event.idempotencyKey,
    timestamp: event.at.toISOString(),
    workspace_id: event.workspaceId ?? null,
    dimensions: event.dimensions ?? {},
    duplicate: !event.inserted,
  });

  async function checkWorkspaces(orgId: string, events: UsageEvent[]) {
    const ids = new Set(events.map((event) => event.workspaceId).filter((id): id is string => !!id));
    for (const id of ids) await options.workspaceExists(orgId, id);
  }

  app.post(
    '/api/v1/usage/events',
    {
      config: { permission: 'usage:write' },
      schema: {
        tags: ['Usage'],
        summary: 'Record a usage event of a custom metric (idempotent by idempotency_key)',
        body: EventBody,
        response: { 200: RecordedEvent, 201: RecordedEvent, ...errors },
      },
    },
    async (request, reply) => {
      const event = toEvent(request, request.body);
      await checkWorkspaces(event.orgId, [event]);
      const [result] = await metering.record([event]);
      return reply.code(result.inserted ? 201 : 200).send(recorded(result));
    },
  );

  app.post(
    '/api/v1/usage/events/batch',
    {
      config: { permission: 'usage:write' },
      schema: {
        tags: ['Usage'],
        summary: 'Record up to 1,000 usage events at once; each is idempotent on its own',
        body: z.object({ events: z.array(EventBody).min(1).max(1000) }),
        response: { 200: z.object({ data: z.array(RecordedEvent), inserted: z.number(), duplicates: z.number() }), ...errors },
      },
    },
    async (request) => {
      const events = request.body.events.map((body, index) => toEvent(request, body, index));
      await checkWorkspaces(events[0].orgId, events);
      const results = await metering.record(events);
      const inserted = results.filter((event) => event.inserted).length;
      return { data: results.map(recorded), inserted, duplicates: results.length - inserted };
    },
  );

  app.get(
    '/api/v1/usage',
    {
      config: { permission: 'usage:read' },
      schema: {
        tags: ['Usage'],
        summary: 'Usage per metric, grouped by metric, day, model, provider, key or workspace (`format=csv` for a file)',
        description: 'Defaults to the current billing period. Sum metrics add up; gauges (storage_bytes, seats, agents) report their peak.',
        querystring: z.object({
          group_by: z.enum(USAGE_GROUPS).default('metric'),
          from: dateTime.optional(),
          to: dateTime.optional(),
          metric: z.string().max(64).optional(),
          workspace_id: z.string().max(64).optional(),
          api_key_id: z.string().max(64).optional(),
          format: z.enum(['json', 'csv']).default('json'),
        }),
        response: {
          200: z.object({ group_by: z.string(), from: z.string(), to: z.string(), data: z.array(UsageRow) }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { orgId } = principalOf(request);
      const query = request.query;
      const period = await options.period(orgId);
      const from = query.from ? new Date(query.from) : period.start;
      const to = query.to ? new Date(query.to) : period.end;
      if (from >= to) throw new ValidationError('from must be before to.', 'from');
      const rows = await metering.usage(orgId, {
        groupBy: query.group_by,
        from,
        to,
        metric: query.metric,
        workspaceId: query.workspace_id,
        apiKeyId: query.api_key_id,
      });
      const data = rows.map(({ group, ...row }) => (query.group_by === 'metric' ? row : { ...row, [query.group_by]: group }));
      if (query.format === 'csv') {
        const grouped = query.group_by !== 'metric';
        const header = [...(grouped ? [query.group_by] : []), 'metric', 'quantity', 'unit', 'events'];
        const body = csvDocument(
          header,
          rows.map((row) => [...(grouped ? [row.group] : []), row.metric, row.quantity, row.unit, row.events]),
        );
        return (reply as FastifyReply)
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="usage-by-${query.group_by}.csv"`)
          .send(body);
      }
      return { group_by: query.group_by, from: from.toISOString(), to: to.toISOString(), data };
    },
  );

  app.get(
    '/api/v1/usage/quotas',
    {
      config: { permission: 'usage:read' },
      schema: {
        tags: ['Usage'],
        summary: "This period's usage of every metric the plan limits, against its limit",
        response: {
          200: z.object({
            data: z.array(
              z.object({
                metric: z.string(),
                description: z.string(),
                unit: z.string(),
                used: z.number(),
                limit: z.number().nullable(),
                remaining: z.number().nullable(),
                percent: z.number().nullable(),
                hard: z.boolean().describe('Beyond the limit calls are refused (402); otherwise billed as overage'),
                period_end: z.string(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const quotas = await metering.quotas(principalOf(request).orgId);
      return {
        data: quotas.map((quota) => ({
          metric: quota.metric,
          description: BUILT_IN_METRICS[quota.metric]?.description ?? 'Custom metric',
          unit: BUILT_IN_METRICS[quota.metric]?.unit ?? 'unit',
          used: quota.used,
          limit: quota.limit,
          remaining: quota.remaining,
          percent: quota.limit ? Math.round((quota.used / quota.limit) * 1000) / 10 : null,
          hard: quota.hard,
          period_end: quota.periodEnd.toISOString(),
        })),
      };
    },
  );
}
