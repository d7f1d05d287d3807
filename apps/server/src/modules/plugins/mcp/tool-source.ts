import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type CallToolResult, CallToolResultSchema, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import {
  type Capability,
  type CapabilityCall,
  CapabilityError,
  type CapabilityScope,
  type CapabilitySource,
} from '../../../kernel/capabilities/capabilities.ts';
import type { mcpServers } from '../schema.ts';
import { type McpConnector, reasonOf, type StoredTool, textOf } from './connection.ts';

/** A connected client is reused for this long after its last call. */
const IDLE_MS = 60_000;

export type McpServerRow = typeof mcpServers.$inferSelect;

export const toolsOf = (row: McpServerRow) => row.tools as StoredTool[];
export const capabilityIdOf = (row: Pick<McpServerRow, 'slug'>, tool: Pick<StoredTool, 'key'>) => `mcp.${row.slug}.${tool.key}`;

/**
 * The tools of enabled MCP servers as capabilities `mcp.<slug>.<tool>`. Calls reuse one
 * connected client per server until it idles or the server's row changes; `drop` closes it
 * (on update and removal), `close` closes them all.
 */
export function createMcpToolSource(options: {
  connector: McpConnector;
  /** Enabled servers of an organisation (cached by the caller). */
  enabledIn(orgId: string): Promise<McpServerRow[]>;
  headersOf(row: McpServerRow): Promise<Record<string, string>>;
}) {
  const { connector, enabledIn, headersOf } = options;
  const pool = new Map<string, { version: string; client: Promise<Client>; lastUsed: number }>();

  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [id, entry] of pool) if (now - entry.lastUsed > IDLE_MS) drop(id);
  }, IDLE_MS / 2);
  sweeper.unref();

  function drop(serverId: string) {
    const entry = pool.get(serverId);
    if (!entry) return;
    pool.delete(serverId);
    void entry.client.then((client) => client.close()).catch(() => {});
  }

  function clientFor(row: McpServerRow): Promise<Client> {
    const version = row.updatedAt.toISOString();
    const entry = pool.get(row.id);
    if (entry?.version === version) {
      entry.lastUsed = Date.now();
      return entry.client;
    }
    if (entry) drop(row.id);
    const client = headersOf(row).then((headers) => connector.connect(row.url, headers));
    const fresh = { version, client, lastUsed: Date.now() };
    pool.set(row.id, fresh);
    client.catch(() => {
      if (pool.get(row.id) === fresh) pool.delete(row.id);
    });
    return client;
  }

  const unreachable = (row: McpServerRow, error: unknown) =>
    new CapabilityError('mcp_unreachable', `The MCP server ${row.name} could not be reached: ${reasonOf(error)}`);

  async function callTool(row: McpServerRow, tool: StoredTool, input: unknown, call: CapabilityCall): Promise<CallToolResult> {
    const request = { name: tool.name, arguments: (input ?? {}) as Record<string, unknown> };
    const requestOptions = { signal: call.signal, timeout: call.timeoutMs };
    for (let attempt = 0; ; attempt++) {
      const client = await clientFor(row).catch((error) => {
        throw unreachable(row, error);
      });
      try {
        return (await client.callTool(request, CallToolResultSchema, requestOptions)) as CallToolResult;
      } catch (error) {
        // A reused session the server has forgotten (404) never ran the call: reconnect once.
        if (attempt === 0 && error instanceof StreamableHTTPError && error.code === 404) {
          drop(row.id);
          continue;
        }
        if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
          throw new CapabilityError('timeout', `The MCP server ${row.name} did not answer in time.`);
        }
        // A JSON-RPC error is the server's answer; anything else is the connection failing.
        if (error instanceof McpError && error.code !== ErrorCode.ConnectionClosed) {
          throw new CapabilityError('mcp_tool_error', reasonOf(error));
        }
        // A call given up at its timeout leaves the connection usable; anything else may not have.
        if (!call.signal.aborted) drop(row.id);
        throw unreachable(row, error);
      }
    }
  }

  function capabilityOf(row: McpServerRow, tool: StoredTool): Capability {
    return {
      id: capabilityIdOf(row, tool),
      description: tool.description,
      provider: 'mcp',
      ownerId: row.id,
      ownerName: row.name,
      input: tool.input_schema,
      ...(tool.output_schema ? { output: tool.output_schema } : {}),
      async invoke(input, call) {
        const result = await callTool(row, tool, input, call);
        if (result.isError) throw new CapabilityError('mcp_tool_error', textOf(result));
        return result.structuredContent ?? { content: result.content };
      },
    };
  }

  const source: CapabilitySource = {
    name: 'mcp',
    async list(scope: CapabilityScope) {
      if (!scope.workspaceId) return [];
      const servers = (await enabledIn(scope.orgId)).filter((row) => row.workspaceId === scope.workspaceId);
      return servers.flatMap((row) => toolsOf(row).map((tool) => capabilityOf(row, tool)));
    },
    async resolve(scope: CapabilityScope, id: string) {
      if (!scope.workspaceId || !id.startsWith('mcp.')) return undefined;
      const [, slug, key, ...rest] = id.split('.');
      if (!slug || !key || rest.length) return undefined;
      const row = (await enabledIn(scope.orgId)).find((item) => item.workspaceId === scope.workspaceId && item.slug === slug);
      const tool = row && toolsOf(row).find((item) => item.key === key);
      return row && tool ? capabilityOf(row, tool) : undefined;
    },
  };

  return {
    source,
    drop,
    close() {
      clearInterval(sweeper);
      for (const id of [...pool.keys()]) drop(id);
    },
  };
}
