import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { APP_ROLE } from './columns.ts';
import type { Database } from './database.ts';

export const MIGRATIONS_FOLDER = join(dirname(fileURLToPath(import.meta.url)), '../../../migrations');
const LOCK_ID = 7_204_311; // advisory lock: one migrator at a time across API nodes

/** Applies the committed SQL migrations (a no-op when up to date), then grants the app role. */
export async function migrate(database: Database): Promise<void> {
  const grant = `
    grant usage on schema public to ${APP_ROLE};
    grant select, insert, update, delete on all tables in schema public to ${APP_ROLE};
    grant usage, select on all sequences in schema public to ${APP_ROLE};`;
  if (database.kind === 'pglite') {
    await migratePglite(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    await database.exec(grant);
    return;
  }
  const release = await database.advisoryLock(LOCK_ID);
  try {
    await migratePg(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    await database.exec(grant);
  } finally {
    await release();
  }
}

/** Whether every committed migration has been applied (readiness). */
export async function migrationsApplied(database: Database): Promise<boolean> {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  try {
    const { rows } = await database.sql.query<{ count: string | number }>('select count(*) as count from drizzle.__drizzle_migrations');
    return Number(rows[0]?.count) >= journal.entries.length;
  } catch {
    return false;
  }
}
