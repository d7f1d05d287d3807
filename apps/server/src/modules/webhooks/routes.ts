import { ErrorEnvelope, IdParams } from '@atrium/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../kernel/http/auth-hook.ts';
import { typed } from '../../kernel/http/server.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { EndpointRow, WebhooksService } from './service.ts';

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope };

const Endpoint = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    event_types: z.array(z.string()),
    workspace_id: z.string().nullable(),
    enabled: z.boolean(),
    filter: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullable(),
    rate_limit: z.number().int().nullable(),
    disabled_reason: z.string().nullable(),
    failing_since: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'WebhookEndpoint' });

const EventTypes = z.array(z.string().min(1).max(100)).min(1).max(100).describe('Event types; `prefix.*` and `*` are wildcards');
const CreateEndpointBody = z.object({
  url: z.string().min(1).max(2048),
  event_types: EventTypes,
  workspace_id: z.string().min(1).max(64).optional(),
  description: z.string().max(500).optional(),
  enabled: z.boolean().optional(),
  filter: z
    .record(z.string().min(1).max(100), z.union([z.string().max(500), z.number(), z.boolean()]))
    .nullable()
    .optional()
    .describe('Only events whose payload has these exact field values'),
  rate_limit: z.number().int().min(1).max(1000).nullable().optional().describe('Deliveries per second at most'),
});
const UpdateEndpointBody = CreateEndpointBody.omit({ workspace_id: true }).partial();

const Delivery = z.object({
  id: z.string(),
  message_id: z.string(),
  event_type: z.string(),
  attempt: z.number().int(),
  status_code: z.number().int().nullable(),
  latency_ms: z.number().int(),
  response_excerpt: z.string().nullable(),
  error: z.string().nullable(),
  message_status: z.string().describe('pending (will retry), succeeded or failed (gave up)'),
  created_at: z.string(),
});

function endpointDto(row: EndpointRow) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    event_types: row.eventTypes,
    workspace_id: row.workspaceId,
    enabled: row.enabled,
    filter: row.filter as Record<string, string | number | boolean> | null,
    rate_limit: row.rateLimit,
    disabled_reason: row.disabledReason,
    failing_since: row.failingSince?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function registerWebhookRoutes(root: FastifyInstance, kernel: Kernel, webhooks: WebhooksService) {
  const app = typed(root);
  const tags = ['Webhooks'];

  app.get(
    '/api/v1/webhooks/event-types',
    {
      config: { permission: 'webhooks:read' },
      schema: {
        tags,
        summary: 'The event catalogue: every event type with the JSON Schema of its payload',
        response: {
          200: z.object({
            data: z.array(z.object({ type: z.string(), description: z.string(), schema: z.record(z.string(), z.unknown()) })),
          }),
          ...errors,
        },
      },
    },
    async () => ({ data: kernel.events.catalog() }),
  );

  app.get(
    '/api/v1/webhooks',
    {
      config: { permission: 'webhooks:read' },
      schema: { tags, summary: 'List webhook endpoints', response: { 200: z.object({ data: z.array(Endpoint) }), ...errors } },
    },
    async (request) => ({ data: (await webhooks.list(principalOf(request).orgId)).map(endpointDto) }),
  );

  app.post(
    '/api/v1/webhooks',
    {
      config: { permission: 'webhooks:write' },
      schema: {
        tags,
        summary: 'Create an endpoint (its signing secret is in the response)',
        body: CreateEndpointBody,
        response: { 201: Endpoint.extend({ secret: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      const { row, secret } = await webhooks.create(principalOf(request).orgId, request.body);
      return reply.code(201).send({ ...endpointDto(row), secret });
    },
  );

  app.get(
    '/api/v1/webhooks/:id',
    {
      config: { permission: 'webhooks:read' },
      schema: { tags, summary: 'Get an endpoint', params: IdParams, response: { 200: Endpoint, ...errors } },
    },
    async (request) => endpointDto(await webhooks.get(principalOf(request).orgId, request.params.id)),
  );

  app.patch(
    '/api/v1/webhooks/:id',
    {
      config: { permission: 'webhooks:write' },
      schema: { tags, summary: 'Update an endpoint', params: IdParams, body: UpdateEndpointBody, response: { 200: Endpoint, ...errors } },
    },
    async (request) => endpointDto(await webhooks.update(principalOf(request).orgId, request.params.id, request.body)),
  );

  app.delete(
    '/api/v1/webhooks/:id',
    {
      config: { permission: 'webhooks:write' },
      schema: { tags, summary: 'Delete an endpoint', params: IdParams, response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      await webhooks.remove(principalOf(request).orgId, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/webhooks/:id/test',
    {
      config: { permission: 'webhooks:write' },
      schema: {
        tags,
        summary: 'Send a webhook.test event to this endpoint',
        params: IdParams,
        response: { 202: z.object({ message_id: z.string() }), ...errors },
      },
    },
    async (request, reply) => reply.code(202).send({ message_id: await webhooks.sendTest(principalOf(request).orgId, request.params.id) }),
  );

  app.post(
    '/api/v1/webhooks/:id/rotate-secret',
    {
      config: { permission: 'webhooks:write' },
      schema: {
        tags,
        summary: 'Replace the signing secret; the old one keeps signing for 24 hours',
        params: IdParams,
        response: { 200: Endpoint.extend({ secret: z.string(), previous_secret_expires_at: z.string() }), ...errors },
      },
    },
    async (request) => {
      const { row, secret } = await webhooks.rotateSecret(principalOf(request).orgId, request.params.id);
      return { ...endpointDto(row), secret, previous_secret_expires_at: row.previousSecretExpiresAt?.toISOString() ?? '' };
    },
  );

  app.post(
    '/api/v1/webhooks/:id/replay',
    {
      config: { permission: 'webhooks:write' },
      schema: {
        tags,
        summary: 'Replay one message, or every failed message since a time',
        params: IdParams,
        body: z
          .object({ message_id: z.string().min(1).max(64).optional(), since: z.iso.datetime({ offset: true }).optional() })
          .refine((value) => (value.message_id === undefined) !== (value.since === undefined), {
            message: 'Send either message_id or since.',
            path: ['message_id'],
          }),
        response: { 202: z.object({ replayed: z.number().int() }), ...errors },
      },
    },
    async (request, reply) => {
      const orgId = principalOf(request).orgId;
      const body = request.body;
      if (body.message_id) {
        await webhooks.replayMessage(orgId, request.params.id, body.message_id);
        return reply.code(202).send({ replayed: 1 });
      }
      return reply.code(202).send({ replayed: await webhooks.replayFailed(orgId, request.params.id, new Date(body.since ?? 0)) });
    },
  );

  app.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      config: { permission: 'webhooks:read' },
      schema: {
        tags,
        summary: 'The latest delivery attempts of this endpoint',
        params: IdParams,
        response: { 200: z.object({ data: z.array(Delivery) }), ...errors },
      },
    },
    async (request) => ({
      data: (await webhooks.deliveries(principalOf(request).orgId, request.params.id)).map(({ attempt, eventType, messageStatus }) => ({
        id: attempt.id,
        message_id: attempt.messageId,
        event_type: eventType,
        attempt: attempt.attempt,
        status_code: attempt.statusCode,
        latency_ms: attempt.latencyMs,
        response_excerpt: attempt.responseExcerpt,
        error: attempt.error,
        message_status: messageStatus,
        created_at: attempt.createdAt.toISOString(),
      })),
    }),
  );
}
