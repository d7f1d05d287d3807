import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { fetch as undiciFetch } from 'undici';
import { type JsonSchemaObject, schemaProblem } from '../../../kernel/capabilities/json-schema.ts';
import { createOutboundAgent } from '../../../kernel/http/outbound.ts';

/** A tool as stored on the server's row: the remote name and the key used in capability ids. */
export interface StoredTool {
  name: string;
  key: string;
  description: string;
  input_schema: JsonSchemaObject;
  output_schema?: JsonSchemaObject;
}

const CONNECT_TIMEOUT_MS = 10_000;
const MAX_TOOLS = 200;
const MAX_PAGES = 20;
const MAX_DESCRIPTION = 2_000;
const MAX_SCHEMA_BYTES = 64 * 1024;
const MAX_KEY = 64;
/** Per HTTP response (a JSON answer or one SSE stream): a remote server cannot fill our memory. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** The response with its body cut off (as an error) past `limit` bytes. */
function capped(response: Response, limit: number): Response {
  if (!response.body || NULL_BODY_STATUSES.has(response.status)) return response;
  let size = 0;
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > limit) controller.error(new Error(`the MCP server sent more than ${limit} bytes in one response`));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * Lowercase letters, digits and underscores: how server names become slugs and tool names become
 * the last part of `mcp.<slug>.<tool>`. `getUser` and `get-user` both read `get_user`.
 */
export function identifierOf(text: string, fallback: string, max = MAX_KEY): string {
  const cleaned = text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, max)
    .replace(/_+$/, '');
  return cleaned || fallback;
}

/** The capability keys of a server's tools: sanitized, and made unique when two collapse to one. */
function keyedTools(tools: Array<Omit<StoredTool, 'key'>>): StoredTool[] {
  const taken = new Set<string>();
  return tools.map((tool) => {
    const base = identifierOf(tool.name, 'tool');
    let key = base;
    for (let n = 2; taken.has(key); n++) key = `${base.slice(0, MAX_KEY - String(n).length - 1)}_${n}`;
    taken.add(key);
    return { ...tool, key };
  });
}

/** A schema a tool advertises, kept only when it compiles and is of reasonable size. */
function usableSchema(schema: unknown): JsonSchemaObject | undefined {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return undefined;
  if (JSON.stringify(schema).length > MAX_SCHEMA_BYTES) return undefined;
  return schemaProblem(schema as JsonSchemaObject) === null ? (schema as JsonSchemaObject) : undefined;
}

/** A short reason for a failed connection or call, safe to show the tenant who configured the server. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${message}${cause}`.slice(0, 300);
}

/** Text of a tool result's content, for error messages. */
export function textOf(result: CallToolResult): string {
  const parts = (result.content ?? []).flatMap((item) => (item.type === 'text' ? [item.text] : []));
  return parts.join('\n').slice(0, 2_000) || 'The tool reported an error.';
}

/**
 * Connections to remote MCP servers over Streamable HTTP, through the outbound policy: the
 * transport's requests use an undici agent that checks the address each connection resolves to,
 * so a host that later resolves to a private address (DNS rebinding) is refused too.
 */
export function createMcpConnector(options: { allowPrivateNetworks: boolean; version?: string }) {
  const agent = createOutboundAgent({ allowPrivateNetworks: options.allowPrivateNetworks, connections: 16 });
  const policyFetch: FetchLike = async (url, init) => {
    const response = await undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent });
    return capped(response as unknown as Response, MAX_RESPONSE_BYTES);
  };

  return {
    /** A connected client (initialize done); close it when finished. */
    async connect(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<Client> {
      const client = new Client({ name: 'atrium', version: options.version ?? '1.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: policyFetch, requestInit: { headers } });
      try {
        await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS, signal });
        return client;
      } catch (error) {
        await client.close().catch(() => {});
        throw error;
      }
    },

    /** Every tool the server lists (up to 200), with sanitized keys and usable schemas. */
    async listTools(client: Client): Promise<StoredTool[]> {
      const found: Array<Omit<StoredTool, 'key'>> = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES && found.length < MAX_TOOLS; page++) {
        const result = await client.listTools(cursor ? { cursor } : undefined, { timeout: CONNECT_TIMEOUT_MS });
        for (const tool of result.tools) {
          if (found.length >= MAX_TOOLS) break;
          // A tool whose input schema does not compile is still callable; the server validates.
          const output = usableSchema(tool.outputSchema);
          found.push({
            name: tool.name,
            description: (tool.description ?? tool.title ?? tool.name).slice(0, MAX_DESCRIPTION),
            input_schema: usableSchema(tool.inputSchema) ?? { type: 'object' },
            ...(output ? { output_schema: output } : {}),
          });
        }
        cursor = result.nextCursor;
        if (!cursor) break;
      }
      return keyedTools(found);
    },

    close: () => agent.close(),
  };
}

export type McpConnector = ReturnType<typeof createMcpConnector>;
