import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Capability, CapabilityScope, ExecutionResult } from '../../../kernel/capabilities/capabilities.ts';
import { AppError, NotFoundError } from '../../../kernel/errors.ts';
import type { EventActor } from '../../../kernel/events/events.ts';
import { principalOf } from '../../../kernel/http/auth-hook.ts';
import type { Kernel } from '../../../kernel/kernel.ts';

const routeConfig = { permission: 'capabilities:invoke', principals: ['api_key' as const], idempotency: false };

const text = (value: string): CallToolResult['content'] => [{ type: 'text', text: value }];
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A capability as an MCP tool. Tool names are the capability ids unchanged: the SDK's name rule
 * (`[A-Za-z0-9._-]{1,128}`) allows the dots. MCP wants object schemas at the root, so an input
 * schema without `type: object` gets it (arguments are always an object), and an output schema
 * that is not an object is not advertised. Neither is one for a capability that waits for
 * approval: its first answer cannot carry the structured output such a schema promises.
 */
export function toolOf(capability: Capability): Tool {
  const output = capability.output;
  return {
    name: capability.id,
    description: capability.description,
    inputSchema: { ...capability.input, type: 'object' } as Tool['inputSchema'],
    ...(output && output.type === 'object' && !capability.requiresApproval ? { outputSchema: output as Tool['outputSchema'] } : {}),
  };
}

/** An execution as a tool result: failures are results the model can read, not protocol errors. */
export function toolResultOf(result: ExecutionResult): CallToolResult {
  switch (result.status) {
    case 'succeeded':
      return {
        content: text(JSON.stringify(result.output ?? null)),
        ...(isObject(result.output) ? { structuredContent: result.output } : {}),
      };
    case 'pending_approval':
      return {
        content: text(`This call waits for approval (execution ${result.id}). It runs once someone approves it in Atrium.`),
      };
    default:
      return { isError: true, content: text(result.error?.message ?? `The call was ${result.status}.`) };
  }
}

/** The 405 a stateless server answers to GET (no standalone stream) and DELETE (no session). */
function methodNotAllowed(reply: FastifyReply) {
  return reply
    .code(405)
    .header('allow', 'POST')
    .send({ jsonrpc: '2.0', error: { code: ErrorCode.ConnectionClosed, message: 'Method not allowed.' }, id: null });
}

/**
 * Atrium as an MCP server: `POST /mcp` (Streamable HTTP, stateless, JSON answers) lists the
 * capabilities of the API key's workspace as tools and calls them through the executor, so
 * validation, approval, quotas and the execution log apply as for any other caller.
 *
 * @example
 * registerMcpEndpoint(app, kernel);
 * // An MCP client then connects to https://atrium.example.com/mcp with `Authorization: Bearer atr_live_…`.
 */
export function registerMcpEndpoint(app: FastifyInstance, kernel: Kernel) {
  const { capabilities, log } = kernel;

  function serverFor(scope: CapabilityScope, actor: EventActor) {
    const server = new Server({ name: 'atrium', version: '1.0.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: (await capabilities.list(scope)).map(toolOf) }));
    server.setRequestHandler(CallToolRequestSchema, async (request) => {
      const { name, arguments: input = {} } = request.params;
      try {
        return toolResultOf(await capabilities.execute(scope, name, input, { actor, via: 'mcp' }));
      } catch (error) {
        if (error instanceof NotFoundError && error.code === 'capability_not_found')
          throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
        // Bad input (naming the field), a quota used up, a refusal: the caller's model can read these.
        if (error instanceof AppError && error.status < 500) return { isError: true, content: text(error.message) };
        log.error({ err: error, capability: name }, 'MCP tool call failed');
        return { isError: true, content: text('The call failed.') };
      }
    });
    return server;
  }

  app.post(
    '/mcp',
    {
      config: routeConfig,
      schema: {
        tags: ['MCP'],
        summary: 'The MCP endpoint (Streamable HTTP, JSON-RPC): list and call the API key’s workspace capabilities as tools',
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const scope = { orgId: principal.orgId, workspaceId: principal.workspaceId ?? null };
      const server = serverFor(scope, { type: 'api_key', id: principal.id });
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      await server.connect(transport);
      reply.hijack();
      // Headers set so far (the request id) would be lost with the hijack.
      for (const [header, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(header, value);
      reply.raw.on('close', () => {
        void transport.close().catch(() => {});
        void server.close().catch(() => {});
      });
      try {
        await transport.handleRequest(request.raw, reply.raw, request.body);
      } catch (error) {
        log.error({ err: error }, 'MCP request failed');
        if (!reply.raw.headersSent) {
          reply.raw.writeHead(500, { 'content-type': 'application/json' });
          reply.raw.end(JSON.stringify({ jsonrpc: '2.0', error: { code: ErrorCode.InternalError, message: 'Internal error.' }, id: null }));
        }
      }
    },
  );

  app.get(
    '/mcp',
    { config: routeConfig, schema: { tags: ['MCP'], summary: 'Not used: the endpoint is stateless (405)' } },
    async (_request, reply) => methodNotAllowed(reply),
  );
  app.delete(
    '/mcp',
    { config: routeConfig, schema: { tags: ['MCP'], summary: 'Not used: the endpoint is stateless (405)' } },
    async (_request, reply) => methodNotAllowed(reply),
  );
}
