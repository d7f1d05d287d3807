import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Sealer } from '../crypto/sealer.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { installAuthHook } from './auth-hook.ts';
import { installErrorHandler } from './errors.ts';
import { installIdempotency } from './idempotency.ts';
import type { PermissionRegistry } from './permissions.ts';
import type { PrincipalResolver } from './principal.ts';
import { runWithRequestContext } from './request-context.ts';

export type App = FastifyInstance;
export type TypedApp = ReturnType<FastifyInstance['withTypeProvider']> & FastifyInstance;

export interface HttpOptions {
  log: Logger;
  metrics: Metrics;
  database: Database;
  permissions: PermissionRegistry;
  resolvePrincipal: PrincipalResolver;
  /** Encrypts stored idempotent responses. */
  sealer: Sealer;
  /** Trust X-Forwarded-* from a proxy in front. */
  trustProxy?: boolean;
  bodyLimit?: number;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
// A random per-process prefix and a counter: unique across nodes without a random draw per request.
const REQUEST_ID_PREFIX = `req_${randomBytes(6).toString('hex')}`;
let requestCounter = 0;

/**
 * The Fastify instance every module registers its routes on: zod schemas, one error envelope,
 * request ids (`x-request-id`, honoured when a proxy sends a sane one), authentication and
 * permissions, idempotency, OpenAPI and metrics.
 */
export async function createHttpServer(options: HttpOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.log as FastifyBaseLogger,
    // Per-request logs cost up to a fifth of throughput on hot paths; metrics cover requests.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: options.trustProxy ?? false,
    bodyLimit: options.bodyLimit ?? 1_048_576,
    requestIdHeader: false,
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      if (typeof incoming === 'string' && REQUEST_ID.test(incoming)) return incoming;
      requestCounter = (requestCounter + 1) % Number.MAX_SAFE_INTEGER;
      return `${REQUEST_ID_PREFIX}${requestCounter.toString(36).padStart(6, '0')}`;
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }) as unknown as FastifyInstance;
  // Many clients send `Content-Type: application/json` with no body on POST and DELETE: read that
  // as "no body" instead of refusing it; everything else goes to Fastify's safe parser.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, function parseJsonOrEmpty(request, body, done) {
    const text = body.toString();
    if (text.trim() === '') return done(null, undefined);
    return parseJson(request, text, done);
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.addHook('onRequest', function enterRequestContext(request, reply, done) {
    reply.header('x-request-id', request.id);
    // Hot paths that emit no events in the request skip the async context (it costs every await).
    if (request.routeOptions.config?.requestContext === false) return done();
    const userAgent = request.headers['user-agent']?.slice(0, 512);
    runWithRequestContext({ requestId: String(request.id), ip: request.ip, userAgent }, done);
  });
  app.addHook('onResponse', async function observe(request, reply) {
    options.metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: `${Math.floor(reply.statusCode / 100)}xx` },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Atrium API',
        version: '1.0.0',
        description: 'The Atrium platform API. Authenticate with `Authorization: Bearer <API key or access token>`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key (`atr_live_…`) or an access token from /api/v1/auth/login.' },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  installErrorHandler(app);
  installAuthHook(app, { resolve: options.resolvePrincipal, permissions: options.permissions });
  installIdempotency(app, { database: options.database, sealer: options.sealer });

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

/** The instance typed for zod schemas (handlers get typed params, query and body). */
export function typed(app: FastifyInstance) {
  return app.withTypeProvider<ZodTypeProvider>();
}
