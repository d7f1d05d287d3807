import { IdParams } from '@atrium/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../../kernel/http/auth-hook.ts';
import { typed } from '../../../kernel/http/server.ts';
import type { Kernel } from '../../../kernel/kernel.ts';
import { actorOf, errors, type WorkspaceResolver } from '../route-helpers.ts';
import type { McpServersService } from './client.ts';
import { capabilityIdOf, type McpServerRow, toolsOf } from './tool-source.ts';

const McpServerDto = z
  .object({
    id: z.string(),
    workspace_id: z.string(),
    name: z.string(),
    slug: z.string().describe('The middle part of its capability ids: `mcp.<slug>.<tool>`'),
    url: z.string(),
    header_names: z.array(z.string()).describe('Headers sent with every request (their values are never returned)'),
    enabled: z.boolean(),
    tools: z.array(z.object({ name: z.string(), capability_id: z.string(), description: z.string() })),
    tools_refreshed_at: z.string().nullable(),
    last_error: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'McpServer' });

const Headers = z
  .record(z.string().min(1).max(100), z.string().max(8192))
  .describe('Request headers, e.g. `{ "Authorization": "Bearer …" }`; stored encrypted');
const CreateBody = z.object({
  workspace_id: z.string().max(64).optional(),
  name: z.string().trim().min(1).max(100),
  url: z.string().min(1).max(2048).describe('The Streamable HTTP endpoint, e.g. https://mcp.example.com/mcp'),
  headers: Headers.optional(),
});
const UpdateBody = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  url: z.string().min(1).max(2048).optional(),
  headers: Headers.nullable().optional().describe('Replaces every header; null removes them'),
  enabled: z.boolean().optional(),
});

export async function mcpServerDto(service: McpServersService, row: McpServerRow) {
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    name: row.name,
    slug: row.slug,
    url: row.url,
    header_names: await service.headerNames(row),
    enabled: row.enabled,
    tools: toolsOf(row).map((tool) => ({ name: tool.name, capability_id: capabilityIdOf(row, tool), description: tool.description })),
    tools_refreshed_at: row.toolsRefreshedAt?.toISOString() ?? null,
    last_error: row.lastError,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** Remote MCP servers connected to a workspace; their tools are capabilities `mcp.<slug>.<tool>`. */
export function registerMcpServerRoutes(
  root: FastifyInstance,
  _kernel: Kernel,
  service: McpServersService,
  workspaceOf: WorkspaceResolver,
) {
  const app = typed(root);
  const tags = ['MCP servers'];
  const dto = (row: McpServerRow) => mcpServerDto(service, row);

  app.get(
    '/api/v1/mcp-servers',
    {
      config: { permission: 'plugins:read' },
      schema: {
        tags,
        summary: 'Connected MCP servers (of one workspace with `workspace_id`)',
        querystring: z.object({ workspace_id: z.string().max(64).optional() }),
        response: { 200: z.object({ data: z.array(McpServerDto) }), ...errors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const workspaceId = principal.workspaceId ?? request.query.workspace_id;
      return { data: await Promise.all((await service.list(principal.orgId, workspaceId)).map(dto)) };
    },
  );

  app.post(
    '/api/v1/mcp-servers',
    {
      config: { permission: 'plugins:write' },
      schema: {
        tags,
        summary: 'Connect a remote MCP server (Streamable HTTP); its tools become capabilities of the workspace',
        body: CreateBody,
        response: { 201: McpServerDto, ...errors },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const workspaceId = await workspaceOf(request, request.body.workspace_id);
      const { name, url, headers } = request.body;
      const row = await service.create(principal.orgId, workspaceId, { name, url, headers }, actorOf(request));
      return reply.code(201).send(await dto(row));
    },
  );

  app.get(
    '/api/v1/mcp-servers/:id',
    {
      config: { permission: 'plugins:read' },
      schema: { tags, summary: 'A connected MCP server', params: IdParams, response: { 200: McpServerDto, ...errors } },
    },
    async (request) => dto(await service.get(principalOf(request).orgId, request.params.id)),
  );

  app.patch(
    '/api/v1/mcp-servers/:id',
    {
      config: { permission: 'plugins:write' },
      schema: {
        tags,
        summary: 'Rename, re-point, change headers, enable or disable (a new URL or headers connect again)',
        params: IdParams,
        body: UpdateBody,
        response: { 200: McpServerDto, ...errors },
      },
    },
    async (request) => dto(await service.update(principalOf(request).orgId, request.params.id, request.body, actorOf(request))),
  );

  app.delete(
    '/api/v1/mcp-servers/:id',
    {
      config: { permission: 'plugins:write' },
      schema: {
        tags,
        summary: 'Disconnect an MCP server; its tools stop being capabilities',
        params: IdParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await service.remove(principalOf(request).orgId, request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/mcp-servers/:id/refresh',
    {
      config: { permission: 'plugins:write' },
      schema: {
        tags,
        summary: 'List the server’s tools again (an unreachable server keeps its tools and records the error)',
        params: IdParams,
        response: { 200: McpServerDto, ...errors },
      },
    },
    async (request) => dto(await service.refresh(principalOf(request).orgId, request.params.id)),
  );
}
