import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadTestTargets } from '../config.ts';
import { openDatabase, pgliteClient } from '../kernel/db/database.ts';
import { migrate } from '../kernel/db/migrate.ts';
import { createJobs } from '../kernel/jobs/jobs.ts';
import { createLogger } from '../kernel/telemetry/logger.ts';
import { ensureConsoleBuilt } from './console-build.ts';
import { adminUrl, databaseUrlFor } from './postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    template: { kind: 'pglite'; dumpPath: string } | { kind: 'postgres'; templateName: string; baseUrl: string; runId: string };
  }
}

/**
 * Builds one migrated template database per run (with the job queue's schema installed); each test
 * file then starts from a copy of it: an in-memory PGlite loaded from a dump, or on PostgreSQL a
 * database created from the template.
 */
export default async function setup(project: TestProject) {
  ensureConsoleBuilt();
  const { databaseUrl } = loadTestTargets();
  const log = createLogger('silent');
  if (databaseUrl) {
    // Databases of this run share its id, so cleaning up never touches another run's.
    const runId = `${Date.now()}_${process.pid}`;
    const templateName = `atrium_tpl_${runId}`;
    const admin = await openDatabase({ databaseUrl: adminUrl(databaseUrl) });
    await admin.sql.query(`create database ${templateName}`);
    const database = await openDatabase({ databaseUrl: databaseUrlFor(databaseUrl, templateName), poolSize: 2 });
    await migrate(database);
    const jobs = createJobs({ database, log });
    await jobs.start({ work: false });
    await jobs.stop();
    await database.close();
    project.provide('template', { kind: 'postgres', templateName, baseUrl: databaseUrl, runId });
    return async () => {
      const { rows } = await admin.sql.query<{ datname: string }>(`select datname from pg_database where datname like $1 or datname = $2`, [
        `atrium_t_${runId}_%`,
        templateName,
      ]);
      for (const { datname } of rows) await admin.sql.query(`drop database if exists ${datname} with (force)`).catch(() => {});
      await admin.close();
    };
  }
  const directory = mkdtempSync(join(tmpdir(), 'atrium-test-'));
  const database = await openDatabase({ dataDir: join(directory, 'template') });
  await migrate(database);
  const jobs = createJobs({ database, log });
  await jobs.start({ work: false });
  await jobs.stop();
  const dump = await pgliteClient(database)?.dumpDataDir('none');
  if (!dump) throw new Error('could not dump the template database');
  const dumpPath = join(directory, 'template.tar');
  writeFileSync(dumpPath, Buffer.from(await dump.arrayBuffer()));
  await database.close();
  project.provide('template', { kind: 'pglite', dumpPath });
  return () => rmSync(directory, { recursive: true, force: true });
}
