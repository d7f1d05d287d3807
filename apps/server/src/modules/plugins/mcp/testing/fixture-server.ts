import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

/** A small remote MCP server for tests: `add` (structured output), `shout` (text), `fail` (isError). */
function fixtureServer() {
  const server = new McpServer({ name: 'fixture', version: '1.0.0' });
  server.registerTool(
    'add',
    {
      description: 'Adds two numbers',
      inputSchema: { a: z.number(), b: z.number() },
      outputSchema: { sum: z.number() },
    },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } }),
  );
  server.registerTool('shout', { description: 'Says it louder', inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text: `${text.toUpperCase()}!` }],
  }));
  server.registerTool('fail', { description: 'Always fails' }, async () => ({
    isError: true,
    content: [{ type: 'text', text: 'the tool failed on purpose' }],
  }));
  return server;
}

async function bodyOf(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

/**
 * Serves the fixture over stateless Streamable HTTP on a loopback port. With `token`, requests
 * without `Authorization: Bearer <token>` get a 401.
 *
 * @example
 * const remote = await startFixtureMcpServer({ token: 's3cret' });
 * // remote.url → http://127.0.0.1:<port>/mcp
 * await remote.close();
 */
export async function startFixtureMcpServer(options: { token?: string } = {}) {
  const seen = { requests: 0, authorization: [] as Array<string | undefined> };
  const http = createServer(async (request, response) => {
    seen.requests++;
    seen.authorization.push(request.headers.authorization);
    if (options.token && request.headers.authorization !== `Bearer ${options.token}`) {
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'unauthorized' }));
      return;
    }
    if (request.method !== 'POST') {
      response.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const server = fixtureServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    response.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(request, response, await bodyOf(request));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  return {
    url,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
