import PgBoss from 'pg-boss';
import { APP_ROLE } from '../db/columns.ts';
import type { Database, SqlRunner, Tx } from '../db/database.ts';
import { transactionRunner } from '../db/database.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { Metrics } from '../telemetry/metrics.ts';

export interface JobDefinition<Data> {
  handler: (data: Data, job: { id: string; name: string }) => Promise<void>;
  /** Retries after the first attempt (default 5), exponential from `retryDelaySeconds` (default 2). */
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** Jobs fetched per poll (default 20); they run concurrently. */
  batchSize?: number;
}

export interface SendOptions {
  /** Enqueue inside this transaction: the job exists only if the transaction commits. */
  tx?: Tx;
  startAfterSeconds?: number;
  singletonKey?: string;
}

export interface Jobs {
  define<Data extends object>(name: string, definition: JobDefinition<Data>): void;
  send(name: string, data: object, options?: SendOptions): Promise<string | null>;
  /** A cron schedule (UTC) that sends `data` to the queue `name`. */
  schedule(name: string, cron: string, data?: object): void;
  /** Starts the queue; `work: false` only sends (API-only nodes). */
  start(options: { work: boolean }): Promise<void>;
  /** Stops fetching, waits for in-flight jobs up to `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

export interface JobsOptions {
  database: Database;
  log: Logger;
  metrics?: Metrics;
  pollingIntervalSeconds?: number;
}

/**
 * Durable jobs on pg-boss, inside the database Atrium already runs (PostgreSQL or PGlite).
 *
 * @example
 * jobs.define('email.send', { handler: async (data) => send(data) });
 * await jobs.send('email.send', { to }, { tx });
 */
export function createJobs(options: JobsOptions): Jobs {
  const { database, log } = options;
  const definitions = new Map<string, JobDefinition<never>>();
  const schedules: Array<{ name: string; cron: string; data: object }> = [];
  let boss: PgBoss | undefined;
  let stopped = false;

  // pg-boss may still write a job's outcome after stop() returned, when the database is being
  // closed. Dropping that write is safe: the job stays active, expires and runs again. Its
  // complete/fail commands read `rows[0].count`, so they get a zero count, not an empty result.
  const dropped = (text: string) => (/select count\(\*\)/i.test(text) ? { rows: [{ count: '0' }] } : { rows: [] });
  const db: PgBoss.Db = {
    async executeSql(text, values) {
      if (stopped) return dropped(text);
      try {
        // The schema install is multi-statement SQL, which a parameterised query refuses.
        if (database.kind === 'pglite' && (!values || values.length === 0)) return await database.exec(text);
        return await database.sql.query(text, values);
      } catch (error) {
        if (stopped) return dropped(text);
        // pg-boss's fetch swallows SQL errors: log them here so they are seen.
        log.error({ err: error }, 'job queue query failed');
        throw error;
      }
    },
  };

  function runnerDb(runner: SqlRunner): PgBoss.Db {
    return { executeSql: (text, values) => runner.query(text, values) };
  }

  return {
    define(name, definition) {
      if (boss) throw new Error(`Queue ${name} defined after the job queue started.`);
      definitions.set(name, definition as JobDefinition<never>);
    },
    async send(name, data, sendOptions = {}) {
      if (!boss) throw new Error('The job queue is not started.');
      if (!definitions.has(name)) throw new Error(`Unknown queue ${name}.`);
      const definition = definitions.get(name);
      return boss.send(name, data, {
        retryLimit: definition?.retryLimit ?? 5,
        retryDelay: definition?.retryDelaySeconds ?? 2,
        retryBackoff: true,
        startAfter: sendOptions.startAfterSeconds,
        singletonKey: sendOptions.singletonKey,
        db: sendOptions.tx ? runnerDb(transactionRunner(sendOptions.tx)) : undefined,
      });
    },
    schedule(name, cron, data = {}) {
      schedules.push({ name, cron, data });
    },
    async start({ work }) {
      stopped = false;
      const instance = new PgBoss({
        db,
        schema: 'pgboss',
        supervise: work,
        schedule: work,
        migrate: true,
        cronMonitorIntervalSeconds: 10,
        maintenanceIntervalSeconds: 120,
      });
      boss = instance; // `boss` is cleared when stop() begins; in-flight failures must still be recorded.
      boss.on('error', (error) => log.error({ err: error }, 'job queue error'));
      await boss.start();
      for (const name of definitions.keys()) await boss.createQueue(name);
      // Tenant transactions run as the app role and enqueue jobs in the same transaction.
      await database.exec(
        `grant usage on schema pgboss to ${APP_ROLE}; grant select, insert on all tables in schema pgboss to ${APP_ROLE};`,
      );
      if (!work) return;
      for (const { name, cron, data } of schedules) await boss.schedule(name, cron, data);
      for (const [name, definition] of definitions) {
        await boss.work(
          name,
          { batchSize: definition.batchSize ?? 20, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5 },
          async (batch) => {
            // Each job settles on its own: one failure must not retry the whole batch.
            const results = await Promise.allSettled(batch.map((job) => definition.handler(job.data as never, { id: job.id, name })));
            const failed = results.flatMap((result, index) => (result.status === 'rejected' ? [{ result, job: batch[index] }] : []));
            for (const { result, job } of failed) {
              log.warn({ err: (result as PromiseRejectedResult).reason, queue: name, jobId: job.id }, 'job failed');
              await instance.fail(name, job.id, { message: String((result as PromiseRejectedResult).reason) });
            }
            options.metrics?.jobsCompleted.inc({ queue: name, outcome: 'completed' }, batch.length - failed.length);
            options.metrics?.jobsCompleted.inc({ queue: name, outcome: 'failed' }, failed.length);
          },
        );
      }
    },
    async stop(timeoutMs = 10_000) {
      if (!boss) return;
      const current = boss;
      boss = undefined;
      await current.stop({ graceful: true, wait: true, timeout: timeoutMs, close: false });
      stopped = true;
    },
  };
}
