import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Sealer } from '../crypto/sealer.ts';
import type { Database } from '../db/database.ts';
import { asSystem } from '../db/tenant.ts';
import { AppError, ConflictError, ValidationError } from '../errors.ts';
import { idempotencyKeys } from '../schema.ts';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { scope: string; key: string };
  }
}

const REPLAYED_HEADERS = ['location', 'content-type'];

/**
 * `Idempotency-Key` on POST: the first request's response is stored under (caller, key); the same
 * key with the same body replays it (`idempotent-replayed: true`), with another body answers 422,
 * and while the first is still running answers 409. Server errors are not stored, so a retry after
 * a 5xx runs again. Keys are kept 24 hours; stored bodies are encrypted. Public routes are not
 * covered: their responses carry new credentials.
 */
export function installIdempotency(app: FastifyInstance, options: { database: Database; sealer: Sealer }) {
  const { database, sealer } = options;

  app.addHook('preHandler', async function checkIdempotencyKey(request, reply) {
    const header = request.headers['idempotency-key'];
    const config = request.routeOptions.config;
    const permission = config?.permission;
    if (config?.idempotency === false) return;
    // Public routes (sign-in, sign-up) answer with fresh credentials: never store those.
    if (request.method !== 'POST' || header === undefined || permission === undefined || permission === 'public') return;
    const key = Array.isArray(header) ? header[0] : header;
    if (!key || key.length > 255) throw new ValidationError('Idempotency-Key must be 1 to 255 characters.', 'Idempotency-Key');
    const principal = request.principal;
    const scope = principal ? `${principal.orgId}:${principal.type}:${principal.id}` : `anonymous:${request.ip}`;
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');

    // System context: the scope column already confines the row to this caller.
    const inserted = await asSystem(database, (db) =>
      db.insert(idempotencyKeys).values({ scope, key, requestHash }).onConflictDoNothing().returning({ key: idempotencyKeys.key }),
    );
    if (inserted.length) {
      request.idempotency = { scope, key };
      return;
    }
    const [stored] = await asSystem(database, (db) =>
      db
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key))),
    );
    if (!stored) throw new ConflictError('The earlier request with this Idempotency-Key failed; retry.', 'idempotency_retry');
    if (stored.requestHash !== requestHash) {
      throw new AppError(422, 'idempotency_error', 'idempotency_key_reused', 'This Idempotency-Key was used with a different request.', {
        param: 'Idempotency-Key',
      });
    }
    if (stored.statusCode === null) {
      throw new ConflictError('A request with this Idempotency-Key is still in progress.', 'idempotency_in_progress');
    }
    const headers = (stored.responseHeaders ?? {}) as Record<string, string>;
    return reply
      .code(stored.statusCode)
      .headers({ ...headers, 'idempotent-replayed': 'true' })
      .send(stored.responseBody ? sealer.open(stored.responseBody) : '');
  });

  app.addHook('onSend', async function storeIdempotentResponse(request, reply, payload) {
    const marker = request.idempotency;
    if (!marker) return payload;
    request.idempotency = undefined;
    const where = and(eq(idempotencyKeys.scope, marker.scope), eq(idempotencyKeys.key, marker.key));
    if (reply.statusCode >= 500) {
      await asSystem(database, (db) => db.delete(idempotencyKeys).where(where));
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    await asSystem(database, (db) =>
      db
        .update(idempotencyKeys)
        // Sealed: a stored response may hold a secret shown once (a new API key).
        .set({
          statusCode: reply.statusCode,
          responseBody: typeof payload === 'string' ? sealer.seal(payload) : null,
          responseHeaders: headers,
        })
        .where(where),
    );
    return payload;
  });
}

/** Deletes stored responses older than a day (run by a scheduled job). */
export async function pruneIdempotencyKeys(database: Database, now = new Date()): Promise<void> {
  await asSystem(database, (db) => db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, new Date(now.getTime() - 86_400_000))));
}
