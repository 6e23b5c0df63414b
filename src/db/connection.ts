// Opens the database: a PostgreSQL server (DATABASE_URL) or the embedded PGlite default, both behind Prisma.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import { PrismaClient } from './generated/client.js';
import { applyMigrations, type MigrationConnection, type MigrationReport } from './migrate.js';
import { embeddedRunner, postgresRunner, type SqlRunner } from './sql-runner.js';
import { preparedStatementName } from './statement-names.js';

export type Prisma = PrismaClient;
/** The client inside an interactive transaction. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export interface Database {
  prisma: PrismaClient;
  /** The same database without Prisma, for the raters' hot path (sql-runner.ts). */
  sql: SqlRunner;
  kind: DatabaseConfig['kind'];
  /** Applies the committed migrations this database has not applied yet. */
  migrate(): Promise<MigrationReport>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Told about connections the server ended (restart, failover, pg_terminate_backend); default: a one-line warning. */
  onConnectionError?: (err: Error) => void;
}

/** `dataDir: null` gives an in-memory embedded database (tests). */
export async function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Promise<Database> {
  if (config.kind === 'postgres') return openPostgres(config.url, config.poolSize ?? DEFAULT_POOL_SIZE, options);
  return openEmbedded(config.dataDir);
}

export const DEFAULT_POOL_SIZE = 10;

function openPostgres(url: string, poolSize: number, options: OpenOptions): Database {
  const onConnectionError = options.onConnectionError ?? ((err: Error) => console.warn(`database connection lost: ${err.message}`));
  // A request waits at most 15 s for a pooled connection, then the rater gets the 503 retry page.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 15_000 });
  // A client whose backend is terminated emits 'error'; with no listener Node ends the process.
  // The pool listens only while a client is idle, so every client gets a listener of its own for
  // its whole life; the query in flight then fails and the caller retries (db/errors.ts withRetry).
  pool.on('error', onConnectionError);
  pool.on('connect', (client) => client.on('error', onConnectionError));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { statementNameGenerator: preparedStatementName }) });
  return {
    prisma,
    sql: postgresRunner(pool),
    kind: 'postgres',
    async migrate() {
      // A connection of its own: the session-level advisory lock must live on one connection.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const connection: MigrationConnection = {
          query: async (sql, params = []) => (await client.query(sql, params as unknown[])).rows,
          exec: async (script) => {
            await client.query(script);
          },
          lockable: true,
        };
        return await applyMigrations(connection);
      } finally {
        await client.end();
      }
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openEmbedded(dataDir: string | null): Promise<Database> {
  const releaseLock = dataDir ? lockDataDir(dataDir) : () => {};
  const pglite = dataDir ? new PGlite(dataDir) : new PGlite();
  await pglite.waitReady;
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma,
    sql: embeddedRunner(pglite),
    kind: 'embedded',
    migrate: () =>
      applyMigrations({
        query: async (sql, params = []) => (await pglite.query<Record<string, unknown>>(sql, params as unknown[])).rows,
        // pglite.exec awaits the whole multi-statement script (the adapter's executeScript does not).
        exec: async (script) => {
          await pglite.exec(script);
        },
        // One process owns a PGlite folder, so there is nobody to lock out.
        lockable: false,
      }),
    async close() {
      await prisma.$disconnect();
      await pglite.close();
      releaseLock();
    },
  };
}

/**
 * PGlite is single-process: a second process opening the same folder would corrupt it.
 * A pid file makes the second one stop with a clear message instead.
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = `${dataDir}.lock`;
  try {
    writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = Number(readFileSync(lockFile, 'utf8'));
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw Object.assign(
        new Error(`The embedded database at ${dataDir} is in use by process ${holder} (a running PrefBasis server?). Stop that process, or use the HTTP API while it runs.`),
        { code: 'PREFBASIS_DB_IN_USE' },
      );
    }
    writeFileSync(lockFile, String(process.pid)); // stale lock from a process that died
  }
  return () => rmSync(lockFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
