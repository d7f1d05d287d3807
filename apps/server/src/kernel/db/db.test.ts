import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../testing/harness.ts';
import { pgErrorCode, StartupError } from '../errors.ts';
import { APP_ROLE } from './columns.ts';
import type { Database, Tx } from './database.ts';
import { lockDataDir } from './lock.ts';
import { migrate, migrationsApplied } from './migrate.ts';
import { withSystem, withTenant } from './tenant.ts';

const ORG_A = 'org_a_rls_probe';
const ORG_B = 'org_b_rls_probe';
const INSUFFICIENT_PRIVILEGE = '42501';

let database: Database;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database?.close());

/** The PostgreSQL error code `promise` fails with, or undefined when it succeeds. */
async function failureCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return pgErrorCode(error) ?? 'no-sqlstate';
  }
  return undefined;
}

async function probeRows(tx: Tx): Promise<Array<{ org_id: string; v: string }>> {
  const result = (await tx.execute(sql`select org_id, v from kernel_rls_probe order by v`)) as {
    rows: Array<{ org_id: string; v: string }>;
  };
  return result.rows;
}

describe('row-level security through withTenant', () => {
  beforeAll(async () => {
    // The same policy text as tenantPolicy() in columns.ts, on a scratch table owned by the owner.
    await database.exec(`
      create table kernel_rls_probe (org_id text not null, v text not null);
      alter table kernel_rls_probe enable row level security;
      create policy tenant_isolation on kernel_rls_probe as permissive for all to public
        using (org_id = nullif(current_setting('app.org_id', true), ''))
        with check (org_id = nullif(current_setting('app.org_id', true), ''));
      grant select, insert, update, delete on kernel_rls_probe to ${APP_ROLE};`);
  });
  afterAll(async () => {
    await database?.exec('drop table if exists kernel_rls_probe');
  });

  async function reset() {
    await database.exec(`
      delete from kernel_rls_probe;
      insert into kernel_rls_probe (org_id, v) values
        ('${ORG_A}', 'a1'), ('${ORG_A}', 'a2'), ('${ORG_B}', 'b1'), ('${ORG_B}', 'b2'), ('${ORG_B}', 'b3');`);
  }

  it('confines a SELECT without WHERE to the organization', async () => {
    await reset();
    expect(await withTenant(database, ORG_A, probeRows)).toEqual([
      { org_id: ORG_A, v: 'a1' },
      { org_id: ORG_A, v: 'a2' },
    ]);
    expect((await withTenant(database, ORG_B, probeRows)).map((row) => row.v)).toEqual(['b1', 'b2', 'b3']);
  });

  it('keeps the tenant settings through a nested transaction (a savepoint) and rolls back only its part', async () => {
    await reset();
    const outcome = await withTenant(database, ORG_A, async (tx) => {
      await tx.execute(sql`insert into kernel_rls_probe (org_id, v) values (${ORG_A}, 'a3')`);
      await tx
        .transaction(async (inner) => {
          await inner.execute(sql`insert into kernel_rls_probe (org_id, v) values (${ORG_A}, 'a4')`);
          throw new Error('undo only the inner part');
        })
        .catch(() => {});
      const nested = await tx.transaction(async (inner) => probeRows(inner));
      const who = (await tx.execute(sql`select current_user as role, current_setting('app.org_id', true) as org`)) as {
        rows: Array<{ role: string; org: string }>;
      };
      return { nested, who: who.rows[0] };
    });
    expect(outcome.nested.map((row) => row.v)).toEqual(['a1', 'a2', 'a3']);
    expect(outcome.who).toEqual({ role: APP_ROLE, org: ORG_A });
  });

  it('refuses an empty or non-identifier organization id instead of running the transaction', async () => {
    await reset();
    let ran = false;
    const run = async (tx: Tx) => {
      ran = true;
      return probeRows(tx);
    };
    await expect(withTenant(database, '', run)).rejects.toThrow();
    await expect(withTenant(database, `${ORG_A}', true), set_config('role', 'postgres`, run)).rejects.toThrow();
    expect(ran).toBe(false);
    expect(await withSystem(database, probeRows)).toHaveLength(5);
  });

  it("refuses to INSERT another organization's row, rolling back the whole transaction", async () => {
    await reset();
    const code = await failureCode(
      withTenant(database, ORG_A, async (tx) => {
        await tx.execute(sql`insert into kernel_rls_probe (org_id, v) values (${ORG_A}, 'a3')`);
        await tx.execute(sql`insert into kernel_rls_probe (org_id, v) values (${ORG_B}, 'planted')`);
      }),
    );
    expect(code).toBe(INSUFFICIENT_PRIVILEGE);
    const all = await withSystem(database, probeRows);
    expect(all.map((row) => row.v)).toEqual(['a1', 'a2', 'b1', 'b2', 'b3']);
  });

  it('allows an INSERT of its own row', async () => {
    await reset();
    await withTenant(database, ORG_A, (tx) => tx.execute(sql`insert into kernel_rls_probe (org_id, v) values (${ORG_A}, 'a3')`));
    expect((await withTenant(database, ORG_A, probeRows)).map((row) => row.v)).toEqual(['a1', 'a2', 'a3']);
  });

  it('confines a DELETE without WHERE to the organization', async () => {
    await reset();
    await withTenant(database, ORG_A, (tx) => tx.execute(sql`delete from kernel_rls_probe`));
    expect((await withSystem(database, probeRows)).map((row) => row.v)).toEqual(['b1', 'b2', 'b3']);
  });

  it('confines an UPDATE without WHERE, and refuses moving a row to another organization', async () => {
    await reset();
    await withTenant(database, ORG_A, (tx) => tx.execute(sql`update kernel_rls_probe set v = v || '-edited'`));
    expect((await withSystem(database, probeRows)).map((row) => row.v)).toEqual(['a1-edited', 'a2-edited', 'b1', 'b2', 'b3']);
    const code = await failureCode(withTenant(database, ORG_A, (tx) => tx.execute(sql`update kernel_rls_probe set org_id = ${ORG_B}`)));
    expect(code).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it('cannot run DDL or switch row-level security off', async () => {
    expect(await failureCode(withTenant(database, ORG_A, (tx) => tx.execute(sql`create table kernel_rls_forbidden (id int)`)))).toBe(
      INSUFFICIENT_PRIVILEGE,
    );
    expect(
      await failureCode(withTenant(database, ORG_A, (tx) => tx.execute(sql`alter table kernel_rls_probe disable row level security`))),
    ).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await failureCode(withTenant(database, ORG_A, (tx) => tx.execute(sql`drop table kernel_rls_probe`)))).toBe(
      INSUFFICIENT_PRIVILEGE,
    );
  });

  it('sees every organization through withSystem, before and after a tenant transaction', async () => {
    await reset();
    expect(await withSystem(database, probeRows)).toHaveLength(5);
    await withTenant(database, ORG_A, probeRows);
    expect(await withSystem(database, probeRows)).toHaveLength(5);
  });
});

describe('data directory lock', () => {
  const directories: string[] = [];
  let holder: ChildProcess | undefined;
  const temporaryDirectory = () => {
    const directory = mkdtempSync(join(tmpdir(), 'atrium-lock-'));
    directories.push(directory);
    return directory;
  };

  afterAll(() => {
    if (holder?.exitCode === null && holder.signalCode === null) holder.kill('SIGKILL');
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  });

  /** Another process that takes the lock on `directory` and keeps running until killed. */
  async function lockInAnotherProcess(directory: string): Promise<ChildProcess> {
    const lockModule = fileURLToPath(new URL('./lock.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { lockDataDir } from ${JSON.stringify(lockModule)};
         lockDataDir(process.argv[1]);
         process.stdout.write('locked\\n');
         setInterval(() => {}, 60_000);`,
        directory,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('locked')) resolve();
      });
    });
    return child;
  }

  it('refuses a second lock while another live process holds it, and takes it over once that process dies', async () => {
    const directory = temporaryDirectory();
    holder = await lockInAnotherProcess(directory);
    expect(() => lockDataDir(directory)).toThrow(StartupError);

    const exited = new Promise((resolve) => holder?.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
    const release = lockDataDir(directory);
    release();
  });

  it('can be taken again after release', () => {
    const directory = temporaryDirectory();
    const release = lockDataDir(directory);
    expect(existsSync(join(directory, 'atrium.lock'))).toBe(true);
    release();
    expect(existsSync(join(directory, 'atrium.lock'))).toBe(false);
    lockDataDir(directory)();
  });
});

describe('migrations', () => {
  it('are idempotent: migrating an up-to-date database twice succeeds and stays ready', async () => {
    expect(await migrationsApplied(database)).toBe(true);
    await migrate(database);
    await migrate(database);
    expect(await migrationsApplied(database)).toBe(true);
  });

  it('report a database missing its latest migration as not ready', async () => {
    const { rows } = await database.sql.query<{ id: number; hash: string; created_at: string }>(
      'delete from drizzle.__drizzle_migrations where id = (select max(id) from drizzle.__drizzle_migrations) returning id, hash, created_at',
    );
    try {
      expect(rows).toHaveLength(1);
      expect(await migrationsApplied(database)).toBe(false);
    } finally {
      await database.sql.query('insert into drizzle.__drizzle_migrations (id, hash, created_at) values ($1, $2, $3)', [
        rows[0].id,
        rows[0].hash,
        rows[0].created_at,
      ]);
    }
    expect(await migrationsApplied(database)).toBe(true);
  });
});
