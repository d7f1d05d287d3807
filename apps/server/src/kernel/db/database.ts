import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { lockDataDir } from './lock.ts';

// Both drivers' databases share this shape.
export type Db = PgDatabase<PgQueryResultHKT, any>;
export type Tx = PgTransaction<PgQueryResultHKT, any, any>;

export interface QueryResult<Row = Record<string, unknown>> {
  rows: Row[];
}

/** A raw SQL runner: the system connection, or the client behind one transaction. */
export interface SqlRunner {
  /** `name` makes it a prepared statement on PostgreSQL (parsed and planned once per connection). */
  query<Row = Record<string, unknown>>(text: string, values?: unknown[], name?: string): Promise<QueryResult<Row>>;
}

export interface Database {
  kind: 'pglite' | 'postgres';
  /** Drizzle on the owner connection: bypasses RLS. Use withTenant for tenant data. */
  db: Db;
  /** Raw queries on the owner connection. */
  sql: SqlRunner;
  /** Runs multi-statement SQL (schema installs); returns the last statement's rows. */
  exec(text: string): Promise<QueryResult>;
  /**
   * Runs `fn` in a transaction whose first round trip also applies `settings` (transaction-local
   * GUCs such as `role` and `app.org_id`). Values must be plain identifiers.
   */
  transactionWith<T>(settings: Record<string, string>, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Holds a session-level advisory lock on its own connection until the release is called. */
  advisoryLock(id: number): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  dataDir?: string;
  poolSize?: number;
  /** An in-memory PGlite started from a dump (tests). */
  loadDataDir?: Blob | File;
}

/** PostgreSQL when a URL is given, PGlite in the data directory otherwise. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(options);
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client's error (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  await pool.query('select 1');
  return {
    kind: 'postgres',
    db: drizzlePg(pool) as unknown as Db,
    sql: { query: (text, values, name) => (name ? pool.query({ name, text, values }) : pool.query(text, values)) as never },
    exec: async (text) => {
      const result = (await pool.query(text)) as unknown as QueryResult | QueryResult[];
      return Array.isArray(result) ? (result[result.length - 1] ?? { rows: [] }) : result;
    },
    async transactionWith(settings, fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        // BEGIN and the settings share one round trip; a simple-protocol query cannot take
        // parameters, so values are checked to be plain identifiers first.
        await client.query(`begin; select ${settingsSql(settings)}`);
        const result = await fn(transactionOn(client));
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        // A connection that could not roll back is discarded, not returned to the pool.
        client.release(broken);
      }
    },
    advisoryLock: async (id) => {
      const client = await pool.connect();
      await client.query('select pg_advisory_lock($1)', [id]);
      return async () => {
        try {
          await client.query('select pg_advisory_unlock($1)', [id]);
        } finally {
          client.release();
        }
      };
    },
    close: () => pool.end(),
  };
}

async function openPglite(options: DatabaseOptions): Promise<Database> {
  const unlock = options.loadDataDir ? () => {} : lockDataDir(options.dataDir ?? './data');
  let client: PGlite;
  try {
    client = options.loadDataDir
      ? await PGlite.create({ loadDataDir: options.loadDataDir, extensions: { vector } })
      : await PGlite.create(`${options.dataDir}/pg`, { extensions: { vector } });
  } catch (error) {
    unlock();
    throw error;
  }
  await client.exec('create extension if not exists vector');
  const db = drizzlePglite(client);
  return {
    kind: 'pglite',
    db: db as unknown as Db,
    sql: { query: (text, values) => client.query(text, values) as never },
    exec: async (text) => {
      const results = await client.exec(text);
      return (results[results.length - 1] as QueryResult | undefined) ?? { rows: [] };
    },
    transactionWith: (settings, fn) =>
      (db as unknown as Db).transaction(async (tx) => {
        await tx.execute(sql.raw(`select ${settingsSql(settings)}`));
        return fn(tx as Tx);
      }),
    // One process owns a PGlite directory (see lock.ts), so there is nobody to exclude.
    advisoryLock: async () => async () => {},
    close: async () => {
      try {
        await client.close();
      } finally {
        unlock();
      }
    },
  };
}

/**
 * Drizzle over one client that is already inside a transaction. A nested `transaction()` becomes a
 * savepoint: drizzle's own would send BEGIN/COMMIT on this client and end the outer transaction
 * (and with it the tenant settings) early.
 */
function transactionOn(client: pg.PoolClient): Tx {
  const db = drizzlePg(client) as unknown as Tx & { transaction: Tx['transaction'] };
  let depth = 0;
  db.transaction = (async (inner: (tx: Tx) => Promise<unknown>) => {
    const savepoint = `atrium_sp_${++depth}`;
    await client.query(`savepoint ${savepoint}`);
    try {
      const result = await inner(db);
      await client.query(`release savepoint ${savepoint}`);
      return result;
    } catch (error) {
      await client.query(`rollback to savepoint ${savepoint}`);
      throw error;
    } finally {
      depth--;
    }
  }) as Tx['transaction'];
  return db;
}

const PLAIN = /^[A-Za-z0-9_.-]{1,128}$/;

function settingsSql(settings: Record<string, string>): string {
  return Object.entries(settings)
    .map(([name, value]) => {
      if (!PLAIN.test(name) || !PLAIN.test(value)) throw new Error(`Refusing setting ${name}: not a plain identifier.`);
      return `set_config('${name}', '${value}', true)`;
    })
    .join(', ');
}

/** The raw client behind a Drizzle transaction (for pg-boss sends inside it). */
export function transactionRunner(tx: Tx): SqlRunner {
  const client = (tx as unknown as { session: { client: SqlRunner } }).session.client;
  return { query: (text, values) => client.query(text, values) };
}

/** The PGlite instance behind a Database, for dumps in tests. */
export function pgliteClient(database: Database): PGlite | undefined {
  if (database.kind !== 'pglite') return undefined;
  return (database.db as unknown as { $client: PGlite }).$client;
}
