import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { and, asc, eq } from 'drizzle-orm';
import { newId } from '../../../kernel/crypto/ids.ts';
import type { Tx } from '../../../kernel/db/database.ts';
import { withTenant } from '../../../kernel/db/tenant.ts';
import { AppError, ConflictError, NotFoundError, pgErrorCode, ValidationError } from '../../../kernel/errors.ts';
import type { EventActor } from '../../../kernel/events/events.ts';
import { assertOutboundUrl } from '../../../kernel/http/outbound.ts';
import type { Kernel } from '../../../kernel/kernel.ts';
import { mcpServers } from '../schema.ts';
import { createMcpConnector, identifierOf, reasonOf, type StoredTool } from './connection.ts';
import { createMcpToolSource, type McpServerRow, toolsOf } from './tool-source.ts';

export interface McpServerInput {
  name: string;
  url: string;
  headers?: Record<string, string>;
}

export interface McpServerPatch {
  name?: string;
  url?: string;
  /** Replaces every header; null removes them all. */
  headers?: Record<string, string> | null;
  enabled?: boolean;
}

const CACHE_MS = 5_000;
const MAX_HEADERS = 20;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
// The transport sets these itself; a configured value would break the protocol.
const RESERVED_HEADERS = new Set([
  'accept',
  'connection',
  'content-length',
  'content-type',
  'host',
  'mcp-protocol-version',
  'mcp-session-id',
  'last-event-id',
  'transfer-encoding',
]);

/** The remote server could not be reached or did not speak MCP: a 400 naming the URL. */
export class McpUnreachableError extends AppError {
  constructor(reason: string) {
    super(400, 'invalid_request_error', 'mcp_unreachable', `Could not connect to the MCP server: ${reason}`, { param: 'url' });
  }
}

/** The URL without query or fragment, for events (a token in a query string must not travel). */
const publicUrl = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
};

function checkHeaders(headers: Record<string, string>) {
  const names = Object.keys(headers);
  if (names.length > MAX_HEADERS) throw new ValidationError(`At most ${MAX_HEADERS} headers.`, 'headers');
  for (const name of names) {
    const param = `headers.${name}`;
    if (!HEADER_NAME.test(name)) throw new ValidationError('Not a valid header name.', param);
    if (RESERVED_HEADERS.has(name.toLowerCase())) throw new ValidationError(`${name} is set by the MCP transport.`, param);
    if (/[\r\n\0]/.test(headers[name])) throw new ValidationError('Header values may not contain line breaks.', param);
  }
}

/**
 * Remote MCP servers connected to workspaces. The service manages them (each create, URL change
 * and refresh connects and lists the tools); the source (tool-source.ts) turns their tools into
 * capabilities `mcp.<slug>.<tool>` and calls them.
 *
 * @example
 * const mcp = createMcpServers(kernel);
 * kernel.capabilities.addSource(mcp.source);
 * await mcp.service.create(orgId, workspaceId, { name: 'Linear', url: 'https://mcp.linear.app/mcp' }, actor);
 */
export function createMcpServers(kernel: Kernel) {
  const { database, events, vault, config, log } = kernel;
  const connector = createMcpConnector({ allowPrivateNetworks: config.allowPrivateNetworks });
  const enabled = new Map<string, { at: number; value: Promise<McpServerRow[]> }>();

  function forget(orgId: string, serverId?: string) {
    enabled.delete(orgId);
    if (serverId) tools.drop(serverId);
  }

  /** Enabled servers of an organisation, cached briefly (changes on this instance clear it). */
  function enabledIn(orgId: string): Promise<McpServerRow[]> {
    const hit = enabled.get(orgId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
    const value = withTenant(database, orgId, (tx) =>
      tx
        .select()
        .from(mcpServers)
        .where(and(eq(mcpServers.orgId, orgId), eq(mcpServers.enabled, true))),
    );
    value.catch(() => enabled.delete(orgId));
    enabled.set(orgId, { at: Date.now(), value });
    return value;
  }

  async function headersOf(row: Pick<McpServerRow, 'orgId' | 'headers'>): Promise<Record<string, string>> {
    return row.headers ? (JSON.parse(await vault.decrypt(row.orgId, row.headers)) as Record<string, string>) : {};
  }

  /** Connects, lists the tools and disconnects; unreachable → McpUnreachableError. */
  async function discover(url: string, headers: Record<string, string>): Promise<StoredTool[]> {
    let client: Client | undefined;
    try {
      client = await connector.connect(url, headers);
      return await connector.listTools(client);
    } catch (error) {
      throw new McpUnreachableError(reasonOf(error));
    } finally {
      await client?.close().catch(() => {});
    }
  }

  const tools = createMcpToolSource({ connector, enabledIn, headersOf });

  async function serverIn(tx: Tx, orgId: string, id: string): Promise<McpServerRow> {
    const [row] = await tx
      .select()
      .from(mcpServers)
      .where(and(eq(mcpServers.orgId, orgId), eq(mcpServers.id, id)));
    if (!row) throw new NotFoundError('MCP server');
    return row;
  }

  const connectedPayload = (row: McpServerRow) => ({
    server_id: row.id,
    name: row.name,
    url: publicUrl(row.url),
    workspace_id: row.workspaceId,
    tools: toolsOf(row).length,
  });
  const disconnectedPayload = (row: McpServerRow) => ({ server_id: row.id, name: row.name, workspace_id: row.workspaceId });

  const service = {
    list(orgId: string, workspaceId?: string) {
      return withTenant(database, orgId, (tx) =>
        tx
          .select()
          .from(mcpServers)
          .where(and(eq(mcpServers.orgId, orgId), workspaceId ? eq(mcpServers.workspaceId, workspaceId) : undefined))
          .orderBy(asc(mcpServers.createdAt), asc(mcpServers.id)),
      );
    },

    get(orgId: string, id: string) {
      return withTenant(database, orgId, (tx) => serverIn(tx, orgId, id));
    },

    /** Names of the configured headers (their values are never returned). */
    async headerNames(row: McpServerRow) {
      return Object.keys(await headersOf(row));
    },

    async create(orgId: string, workspaceId: string, input: McpServerInput, actor: EventActor) {
      await assertOutboundUrl(input.url, { allowPrivateNetworks: config.allowPrivateNetworks, param: 'url' });
      const headers = input.headers ?? {};
      checkHeaders(headers);
      const slug = identifierOf(input.name, 'server', 40);
      const existing = await withTenant(database, orgId, (tx) =>
        tx
          .select({ id: mcpServers.id })
          .from(mcpServers)
          .where(and(eq(mcpServers.orgId, orgId), eq(mcpServers.workspaceId, workspaceId), eq(mcpServers.slug, slug))),
      );
      const taken = () => new ConflictError(`This workspace already has an MCP server named ${slug}.`, 'already_exists', 'name');
      if (existing.length) throw taken();
      const tools = await discover(input.url, headers);
      const sealed = Object.keys(headers).length ? await vault.encrypt(orgId, JSON.stringify(headers)) : null;
      try {
        const row = await withTenant(database, orgId, async (tx) => {
          const now = kernel.clock();
          const [inserted] = await tx
            .insert(mcpServers)
            .values({
              id: newId('mcp'),
              orgId,
              workspaceId,
              slug,
              name: input.name,
              url: input.url,
              headers: sealed,
              tools,
              toolsRefreshedAt: now,
              createdAt: now,
              updatedAt: now,
            })
            .returning();
          await events.emit(tx, { type: 'mcp_server.connected', orgId, actor, payload: connectedPayload(inserted) });
          return inserted;
        });
        forget(orgId);
        return row;
      } catch (error) {
        if (pgErrorCode(error) === '23505') throw taken();
        throw error;
      }
    },

    /**
     * Renames, re-points, changes headers, enables or disables. A new URL or new headers connect
     * again and re-list the tools (refused when unreachable). The slug, and so the capability ids,
     * stay as they were at creation.
     */
    async update(orgId: string, id: string, patch: McpServerPatch, actor: EventActor | null = null) {
      const current = await service.get(orgId, id);
      if (patch.url !== undefined) await assertOutboundUrl(patch.url, { allowPrivateNetworks: config.allowPrivateNetworks, param: 'url' });
      if (patch.headers) checkHeaders(patch.headers);
      const reconnect = (patch.url !== undefined && patch.url !== current.url) || patch.headers !== undefined;
      const headers = patch.headers === undefined ? await headersOf(current) : (patch.headers ?? {});
      const tools = reconnect ? await discover(patch.url ?? current.url, headers) : undefined;
      const sealed =
        patch.headers === undefined
          ? current.headers
          : Object.keys(headers).length
            ? await vault.encrypt(orgId, JSON.stringify(headers))
            : null;
      const row = await withTenant(database, orgId, async (tx) => {
        const now = kernel.clock();
        const [updated] = await tx
          .update(mcpServers)
          .set({
            ...(patch.name !== undefined ? { name: patch.name } : {}),
            ...(patch.url !== undefined ? { url: patch.url } : {}),
            ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
            headers: sealed,
            ...(tools ? { tools, toolsRefreshedAt: now, lastError: null, consecutiveFailures: 0 } : {}),
            updatedAt: now,
          })
          .where(and(eq(mcpServers.orgId, orgId), eq(mcpServers.id, id)))
          .returning();
        if (!updated) throw new NotFoundError('MCP server');
        // Enabling or re-pointing connects its tools; disabling takes them away.
        if (current.enabled && !updated.enabled) {
          await events.emit(tx, { type: 'mcp_server.disconnected', orgId, actor, payload: disconnectedPayload(updated) });
        } else if (updated.enabled && (!current.enabled || reconnect)) {
          await events.emit(tx, { type: 'mcp_server.connected', orgId, actor, payload: connectedPayload(updated) });
        }
        return updated;
      });
      forget(orgId, id);
      return row;
    },

    /** Lists the tools again. An unreachable server keeps its tools, records the error and answers 400. */
    async refresh(orgId: string, id: string) {
      const current = await service.get(orgId, id);
      let tools: StoredTool[];
      try {
        tools = await discover(current.url, await headersOf(current));
      } catch (error) {
        await withTenant(database, orgId, (tx) =>
          tx
            .update(mcpServers)
            .set({ lastError: (error as Error).message, consecutiveFailures: current.consecutiveFailures + 1 })
            .where(and(eq(mcpServers.orgId, orgId), eq(mcpServers.id, id))),
        );
        throw error;
      }
      const [row] = await withTenant(database, orgId, (tx) =>
        tx
          .update(mcpServers)
          .set({ tools, toolsRefreshedAt: kernel.clock(), lastError: null, consecutiveFailures: 0, updatedAt: kernel.clock() })
          .where(and(eq(mcpServers.orgId, orgId), eq(mcpServers.id, id)))
          .returning(),
      );
      if (!row) throw new NotFoundError('MCP server');
      forget(orgId, id);
      return row;
    },

    async remove(orgId: string, id: string, actor: EventActor) {
      await withTenant(database, orgId, async (tx) => {
        const [removed] = await tx
          .delete(mcpServers)
          .where(and(eq(mcpServers.orgId, orgId), eq(mcpServers.id, id)))
          .returning();
        if (!removed) throw new NotFoundError('MCP server');
        await events.emit(tx, { type: 'mcp_server.disconnected', orgId, actor, payload: disconnectedPayload(removed) });
      });
      forget(orgId, id);
    },
  };

  return {
    service,
    source: tools.source,
    /** Closes every pooled client and the outbound connections (at shutdown). */
    async close() {
      tools.close();
      await connector.close().catch((error) => log.warn({ err: error }, 'closing MCP connections failed'));
    },
  };
}

export type McpServers = ReturnType<typeof createMcpServers>;
export type McpServersService = McpServers['service'];
