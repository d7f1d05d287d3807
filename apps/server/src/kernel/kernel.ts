import { CapabilityEvents } from '@atrium/contracts';
import type { Config } from '../config.ts';
import type { Cache } from './cache/index.ts';
import { openCache } from './cache/index.ts';
import { type Capabilities, createCapabilities } from './capabilities/capabilities.ts';
import { createVault, type Vault } from './crypto/envelope.ts';
import { resolveMasterKey } from './crypto/master-key.ts';
import { createSealer, type Sealer } from './crypto/sealer.ts';
import { createTokenSigner, type TokenSigner } from './crypto/signing.ts';
import type { Database } from './db/database.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { eventTypes } from './events/catalog.ts';
import { createEvents, type Events } from './events/events.ts';
import { PermissionRegistry } from './http/permissions.ts';
import { createJobs, type Jobs } from './jobs/jobs.ts';
import { createLogger, type Logger } from './telemetry/logger.ts';
import { createMetrics, type Metrics } from './telemetry/metrics.ts';

/** The shared services every module receives. Modules never construct these themselves. */
export interface Kernel {
  config: Config;
  log: Logger;
  metrics: Metrics;
  database: Database;
  cache: Cache;
  jobs: Jobs;
  events: Events;
  vault: Vault;
  signer: TokenSigner;
  /** Seals data the platform keeps for itself, per purpose (see crypto/sealer.ts). */
  sealer(purpose: string): Sealer;
  permissions: PermissionRegistry;
  /** The capability registry and executor agents, workflows, plugins and MCP share. */
  capabilities: Capabilities;
  /** The time, injectable so lifecycles (expiry, rotation overlap) are testable. */
  clock: () => Date;
}

export interface KernelOverrides {
  database?: Database;
  cache?: Cache;
  log?: Logger;
  clock?: () => Date;
  /** Skip migrations (a test database cloned from a migrated template). */
  skipMigrations?: boolean;
  pollingIntervalSeconds?: number;
}

/** Opens the database (migrating it), the cache and the job queue, and wires the kernel services. */
export async function createKernel(config: Config, overrides: KernelOverrides = {}): Promise<Kernel> {
  const log = overrides.log ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const embedded = !config.databaseUrl;
  const masterKey = resolveMasterKey({ configured: config.masterKey, embedded, dataDir: config.dataDir, log });
  const database =
    overrides.database ??
    (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize }));
  try {
    if (!overrides.skipMigrations) await migrate(database);
    const cache = overrides.cache ?? (await openCache({ redisUrl: config.redisUrl }));
    const jobs = createJobs({ database, log, metrics, pollingIntervalSeconds: overrides.pollingIntervalSeconds });
    const events = createEvents({ database, jobs, log, metrics });
    events.declare(...eventTypes(CapabilityEvents));
    const vault = createVault(database, masterKey);
    const clock = overrides.clock ?? (() => new Date());
    return {
      config,
      log,
      metrics,
      database,
      cache,
      jobs,
      events,
      vault,
      signer: createTokenSigner(masterKey),
      sealer: (purpose) => createSealer(masterKey, purpose),
      permissions: new PermissionRegistry(),
      capabilities: createCapabilities({ database, vault, events, log, clock }),
      clock,
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
