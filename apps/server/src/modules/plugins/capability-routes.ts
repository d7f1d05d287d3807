import { IdParams } from '@atrium/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ExecutionEntry, ExecutionResult } from '../../kernel/capabilities/capabilities.ts';
import { principalOf } from '../../kernel/http/auth-hook.ts';
import { typed } from '../../kernel/http/server.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { actorOf, errors, type WorkspaceResolver } from './route-helpers.ts';

const ExecutionDto = z
  .object({
    id: z.string(),
    capability_id: z.string(),
    status: z.enum(['succeeded', 'failed', 'pending_approval', 'approved', 'rejected']),
    output: z.unknown(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    logs: z.array(z.object({ level: z.string(), message: z.string(), at: z.string() })),
    duration_ms: z.number(),
  })
  .meta({ id: 'CapabilityExecution' });

export const ExecutionEntryDto = ExecutionDto.extend({
  workspace_id: z.string().nullable(),
  provider: z.string(),
  owner_id: z.string().nullable(),
  input: z.unknown(),
  via: z.string(),
  actor: z.object({ type: z.string(), id: z.string() }).nullable(),
  decided_by: z.string().nullable(),
  decided_at: z.string().nullable(),
  created_at: z.string(),
}).meta({ id: 'CapabilityExecutionEntry' });

const CapabilityDto = z
  .object({
    id: z.string(),
    description: z.string(),
    provider: z.enum(['builtin', 'plugin', 'mcp']),
    owner_id: z.string().nullable(),
    owner_name: z.string().nullable(),
    input_schema: z.record(z.string(), z.unknown()),
    output_schema: z.record(z.string(), z.unknown()).nullable(),
    requires_approval: z.boolean(),
    ui: z.boolean(),
  })
  .meta({ id: 'Capability' });

function executionDto(result: ExecutionResult) {
  return {
    id: result.id,
    capability_id: result.capabilityId,
    status: result.status,
    output: result.output,
    error: result.error,
    logs: result.logs,
    duration_ms: result.durationMs,
  };
}

export function executionEntryDto(row: ExecutionEntry) {
  return {
    id: row.id,
    capability_id: row.capabilityId,
    status: row.status as 'succeeded',
    output: row.output,
    error: row.error as { code: string; message: string } | null,
    logs: (row.logs as Array<{ level: string; message: string; at: string }> | null) ?? [],
    duration_ms: row.durationMs,
    workspace_id: row.workspaceId,
    provider: row.provider,
    owner_id: row.ownerId,
    input: row.input,
    via: row.via,
    actor: row.actor as { type: string; id: string } | null,
    decided_by: row.decidedBy,
    decided_at: row.decidedAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
  };
}

/** The capability registry's HTTP surface: list, invoke, the execution log and approvals. */
export function registerCapabilityRoutes(root: FastifyInstance, kernel: Kernel, workspaceOf: WorkspaceResolver) {
  const app = typed(root);
  const capabilityTags = ['Capabilities'];

  app.get(
    '/api/v1/capabilities',
    {
      config: { permission: 'capabilities:read' },
      schema: {
        tags: capabilityTags,
        summary: 'Every capability a workspace can call',
        querystring: z.object({ workspace_id: z.string().max(64).optional() }),
        response: { 200: z.object({ data: z.array(CapabilityDto) }), ...errors },
      },
    },
    async (request) => {
      const orgId = principalOf(request).orgId;
      const workspaceId = await workspaceOf(request, request.query.workspace_id);
      const found = await kernel.capabilities.list({ orgId, workspaceId });
      return {
        data: found.map((capability) => ({
          id: capability.id,
          description: capability.description,
          provider: capability.provider,
          owner_id: capability.ownerId ?? null,
          owner_name: capability.ownerName ?? null,
          input_schema: capability.input,
          output_schema: capability.output ?? null,
          requires_approval: capability.requiresApproval ?? false,
          ui: capability.ui ?? false,
        })),
      };
    },
  );

  app.post(
    '/api/v1/capabilities/:id/invoke',
    {
      config: { permission: 'capabilities:invoke' },
      schema: {
        tags: capabilityTags,
        summary: 'Call a capability; one that requires approval answers 202 and waits',
        params: z.object({ id: z.string().min(1).max(200) }),
        body: z.object({ workspace_id: z.string().max(64).optional(), input: z.unknown().optional() }),
        response: { 200: ExecutionDto, 202: ExecutionDto, ...errors },
      },
    },
    async (request, reply) => {
      const orgId = principalOf(request).orgId;
      const workspaceId = await workspaceOf(request, request.body.workspace_id);
      const result = await kernel.capabilities.execute({ orgId, workspaceId }, request.params.id, request.body.input ?? {}, {
        actor: actorOf(request),
        via: 'api',
      });
      return reply.code(result.status === 'pending_approval' ? 202 : 200).send(executionDto(result));
    },
  );

  app.get(
    '/api/v1/capability-executions',
    {
      config: { permission: 'capabilities:read' },
      schema: {
        tags: capabilityTags,
        summary: 'The execution log of every capability, newest first (`status=pending_approval` for the approval queue)',
        querystring: z.object({
          status: z.string().max(30).optional(),
          capability_id: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ data: z.array(ExecutionEntryDto) }), ...errors },
      },
    },
    async (request) => {
      const rows = await kernel.capabilities.executions(principalOf(request).orgId, {
        status: request.query.status,
        capabilityId: request.query.capability_id,
        limit: request.query.limit,
      });
      return { data: rows.map(executionEntryDto) };
    },
  );

  app.get(
    '/api/v1/capability-executions/:id',
    {
      config: { permission: 'capabilities:read' },
      schema: { tags: capabilityTags, summary: 'One execution', params: IdParams, response: { 200: ExecutionEntryDto, ...errors } },
    },
    async (request) => executionEntryDto(await kernel.capabilities.execution(principalOf(request).orgId, request.params.id)),
  );

  for (const decision of ['approve', 'reject'] as const) {
    app.post(
      `/api/v1/capability-executions/:id/${decision}`,
      {
        config: { permission: 'capabilities:approve' },
        schema: {
          tags: capabilityTags,
          summary: decision === 'approve' ? 'Approve a waiting execution: it runs now' : 'Reject a waiting execution: it never runs',
          params: IdParams,
          response: { 200: ExecutionDto, ...errors },
        },
      },
      async (request) =>
        executionDto(await kernel.capabilities.decide(principalOf(request).orgId, request.params.id, decision, actorOf(request))),
    );
  }
}
