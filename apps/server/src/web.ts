import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const DEFAULT_DIST = join(dirname(fileURLToPath(import.meta.url)), '../../web/dist');
const API_PREFIXES = ['/api/', '/v1/', '/hooks/', '/docs'];

/**
 * Serves the console's build at `/`, falling back to index.html for client-side routes. API paths
 * keep their JSON 404s.
 */
export async function registerConsole(app: FastifyInstance, distDir = DEFAULT_DIST) {
  if (!existsSync(join(distDir, 'index.html'))) {
    app.log.warn({ distDir }, 'the console is not built; run `npm run build` to serve it');
    return;
  }
  await app.register(fastifyStatic, { root: distDir, prefix: '/', wildcard: false, index: ['index.html'] });
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0];
    if (API_PREFIXES.some((prefix) => path.startsWith(prefix)) || /\.[a-z0-9]+$/i.test(path)) {
      return reply.callNotFound();
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
