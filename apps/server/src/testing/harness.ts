import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { type Atrium, createAtrium } from '../app.ts';
import { loadTestTargets, parseConfig } from '../config.ts';
import { createRedisCache } from '../kernel/cache/index.ts';
import { type Database, openDatabase } from '../kernel/db/database.ts';
import type { PaymentProvider } from '../modules/billing/payments/provider.ts';
import { adminUrl, databaseUrlFor } from './postgres.ts';

export const TEST_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

/**
 * On PostgreSQL runs, the URL of a fresh database cloned from the run's migrated template (for a
 * server started as its own process); undefined on PGlite runs.
 */
export async function createTestDatabaseUrl(): Promise<string | undefined> {
  const template = inject('template');
  if (template.kind === 'pglite') return undefined;
  const name = `atrium_t_${template.runId}_${randomBytes(4).toString('hex')}`;
  const admin = await openDatabase({ databaseUrl: adminUrl(template.baseUrl), poolSize: 1 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.sql.query(`create database ${name} template ${template.templateName}`);
        break;
      } catch (error) {
        // Two files cloning the template at the same instant: one waits and retries.
        if (attempt > 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.close();
  }
  return databaseUrlFor(template.baseUrl, name);
}

/** A fresh database for one test file, copied from the run's migrated template. */
export async function openTestDatabase(): Promise<Database> {
  const url = await createTestDatabaseUrl();
  if (url) return openDatabase({ databaseUrl: url, poolSize: 5 });
  const template = inject('template');
  if (template.kind !== 'pglite') throw new Error('unreachable');
  return openDatabase({ loadDataDir: new Blob([readFileSync(template.dumpPath)]) });
}

export interface TestAtriumOptions {
  env?: Record<string, string>;
  clock?: () => Date;
  serveConsole?: boolean;
  /** A payment provider instead of the configured one (a Stripe client pointed at a local fake). */
  paymentProvider?: PaymentProvider;
}

/**
 * A whole Atrium (kernel, modules, HTTP, workers) on a fresh test database, with the machine's
 * Redis when CI provides one. Use `atrium.http.inject` for requests, or `start()` to listen.
 */
export async function createTestAtrium(options: TestAtriumOptions = {}): Promise<Atrium> {
  const { redisUrl, logLevel } = loadTestTargets();
  const config = parseConfig({
    LOG_LEVEL: logLevel,
    ATRIUM_MASTER_KEY: TEST_MASTER_KEY,
    ATRIUM_SCRYPT_COST: '1024',
    ATRIUM_DATA_DIR: mkdtempSync(join(tmpdir(), 'atrium-data-')),
    HOST: '127.0.0.1',
    PORT: '0',
    ...options.env,
  });
  const database = await openTestDatabase();
  const cache = redisUrl ? await createRedisCache(redisUrl, { prefix: `atrium:test:${randomBytes(6).toString('hex')}:` }) : undefined;
  const atrium = await createAtrium(config, {
    database,
    cache,
    skipMigrations: true,
    clock: options.clock,
    serveConsole: options.serveConsole ?? false,
    paymentProvider: options.paymentProvider,
  });
  await atrium.start({ listen: false });
  return atrium;
}
