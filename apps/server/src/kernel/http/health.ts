import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.ts';
import { migrationsApplied } from '../db/migrate.ts';
import type { Metrics } from '../telemetry/metrics.ts';

/** Liveness, readiness (database reachable and migrated) and Prometheus metrics. */
export function registerHealthRoutes(app: FastifyInstance, options: { database: Database; metrics: Metrics }) {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const checks: Record<string, 'ok' | 'failed'> = { database: 'failed', migrations: 'failed' };
    try {
      await options.database.sql.query('select 1');
      checks.database = 'ok';
      if (await migrationsApplied(options.database)) checks.migrations = 'ok';
    } catch {
      // reported as failed below
    }
    const ready = Object.values(checks).every((value) => value === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
}
