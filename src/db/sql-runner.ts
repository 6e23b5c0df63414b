// The raters' hot-path statements run on the driver itself (node-postgres or PGlite), not through
// Prisma's raw-query layer, which cost as much server CPU per statement as everything else in a
// request (scripts/bench/rater-load.ts). Statements are still written as Prisma.sql templates (./sql.ts).
import { pipeline } from 'node:stream/promises';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import * as PrismaSql from './sql.js';
import { preparedStatementName } from './statement-names.js';

export interface SqlStatements {
  /** The rows of one statement (its parameters bound, never interpolated). */
  rows<T>(query: PrismaSql.Sql): Promise<T[]>;
}

export interface SqlTransaction extends SqlStatements {
  /**
   * Loads rows into `table` with COPY: `rows` yields pieces of COPY text format (db/copy-text.ts),
   * sent as they come (PostgreSQL stores one piece while the next is made). Table and column names
   * come from code, never from input.
   */
  copyFrom(table: string, columns: readonly string[], rows: Iterable<string> | AsyncIterable<string>): Promise<void>;
}

export interface SqlRunner extends SqlStatements {
  /** Runs `work` on one connection in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /**
   * Where another thread can open a connection of its own (a PostgreSQL server), or null (the
   * embedded database lives inside this thread): exports and metrics run in a worker thread when it can.
   */
  readonly connectionString: string | null;
}

/** OIDs whose text form Prisma reads differently from the drivers' defaults. */
const TIMESTAMP_OID = 1114;

/**
 * Prisma keeps DateTime in `timestamp without time zone` as UTC wall time; the drivers would
 * read it as local time. Dates go in as ISO strings for the same reason.
 */
const parseUtcTimestamp = (text: string) => new Date(`${text.replace(' ', 'T')}Z`);

/** PostgreSQL's text of a timestamp (ISO DateStyle, as parseUtcTimestamp reads it), to the second, and its fraction. */
const TIMESTAMP_TEXT = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?$/;

/**
 * The text of a `timestamp` column (`column::text`) as `toISOString()` of parseUtcTimestamp's Date
 * writes it, without the Date: a million answers' times parsed and formatted back took ~3 s of an
 * export's CPU (BENCHMARKS.md, exports). Anything else (a year past 9999) goes through the Date.
 */
export function utcTimestampIso(text: string): string {
  const parts = TIMESTAMP_TEXT.exec(text);
  if (!parts) return parseUtcTimestamp(text).toISOString();
  return `${parts[1]}T${parts[2]}.${(parts[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
}
const toParameter = (value: unknown) => (value instanceof Date ? value.toISOString() : value);
const getTypeParser = ((oid: number, format?: 'text' | 'binary') =>
  oid === TIMESTAMP_OID ? parseUtcTimestamp : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser;

function postgresStatements(client: pg.Pool | pg.PoolClient): SqlStatements {
  return {
    async rows<T>(query: PrismaSql.Sql) {
      const result = await client.query({
        name: preparedStatementName({ sql: query.text, args: query.values }),
        text: query.text,
        values: query.values.map(toParameter),
        types: { getTypeParser },
      });
      return result.rows as T[];
    },
  };
}

export function postgresRunner(pool: pg.Pool): SqlRunner {
  return {
    ...postgresStatements(pool),
    connectionString: pool.options.connectionString ?? null,
    async transaction(work) {
      const client = await pool.connect();
      // A connection that could not even roll back is broken: the pool drops it instead of reusing it.
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work({
          ...postgresStatements(client),
          copyFrom: (table, columns, rows) => pipeline(inBuffers(rows), client.query(copyFromStdin(copyStatement(table, columns, 'STDIN')))),
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw err;
      } finally {
        client.release(broken);
      }
    },
  };
}

/**
 * PostgreSQL connections of its own for a worker thread (an export, metrics: one, or two that share
 * a snapshot), named as `applicationName` in pg_stat_activity. A connection the server ends fails
 * the statement in flight.
 */
export function openWorkerConnection(url: string, applicationName: string, connections = 1): { sql: SqlRunner; close(): Promise<void> } {
  // A name in the URL would win over ours.
  const named = new URL(url);
  named.searchParams.delete('application_name');
  const pool = new pg.Pool({ connectionString: named.toString(), max: connections, application_name: applicationName, connectionTimeoutMillis: 15_000 });
  // A connection the server ends while it is taken and waits between statements (the second of a
  // shared snapshot, while the first reads) emits 'error': without a listener that would end the
  // thread; its next statement fails instead. One ended while idle in the pool still ends the
  // thread (the pool's 'error' is not listened to): an export then ends as a broken download.
  pool.on('connect', (client) => client.on('error', () => {}));
  return { sql: postgresRunner(pool), close: () => pool.end() };
}

function embeddedStatements(db: PGlite | Transaction): SqlStatements {
  return {
    async rows<T>(query: PrismaSql.Sql) {
      const result = await db.query<T>(query.text, query.values.map(toParameter), { parsers: { [TIMESTAMP_OID]: parseUtcTimestamp } });
      return result.rows;
    },
  };
}

export function embeddedRunner(pglite: PGlite): SqlRunner {
  return {
    ...embeddedStatements(pglite),
    connectionString: null,
    transaction: (work) =>
      pglite.transaction((tx) =>
        work({
          ...embeddedStatements(tx),
          // PGlite reads COPY data from a Blob it is handed as the file '/dev/blob'.
          async copyFrom(table, columns, rows) {
            const pieces: string[] = [];
            for await (const piece of rows) pieces.push(piece);
            await tx.query(copyStatement(table, columns, `'/dev/blob'`), [], { blob: new Blob(pieces) });
          },
        }),
      ),
  };
}

/** Bytes of a COPY message: PostgreSQL takes in a stream of 64 KB messages faster than one of a megabyte each. */
const COPY_MESSAGE_BYTES = 65_536;

async function* inBuffers(pieces: Iterable<string> | AsyncIterable<string>): AsyncGenerator<Buffer> {
  for await (const piece of pieces) {
    const bytes = Buffer.from(piece);
    for (let at = 0; at < bytes.length; at += COPY_MESSAGE_BYTES) yield bytes.subarray(at, at + COPY_MESSAGE_BYTES);
  }
}

function copyStatement(table: string, columns: readonly string[], source: string): string {
  return `COPY "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) FROM ${source}`;
}

/**
 * Reads in one consistent snapshot (REPEATABLE READ), with room to hash large aggregations in
 * memory (64 MB for this transaction only, instead of sorting on disk): figures computed from
 * several statements agree with each other and with the data version read among them. Without
 * JIT compilation: at 1,000,000 answers compiling these aggregations cost more than it saved
 * (the data version 0.34 s with it, 0.25 s without; the per-rater totals ~0.15 s more).
 */
export function readSnapshot<T>(sql: SqlRunner, work: (tx: SqlStatements) => Promise<T>, snapshot?: string): Promise<T> {
  return sql.transaction(async (tx) => {
    await tx.rows(PrismaSql.sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`);
    // Before the first query, as PostgreSQL requires; an id it made itself (checked: no quotes).
    if (snapshot !== undefined) await tx.rows(PrismaSql.raw(`SET TRANSACTION SNAPSHOT '${/^[0-9A-Fa-f-]+$/.test(snapshot) ? snapshot : 'invalid'}'`));
    // Never ended as idle: the second connection of a shared snapshot waits while the first reads.
    await tx.rows(PrismaSql.sql`SELECT set_config('work_mem', '64MB', true) AS work_mem, set_config('jit', 'off', true) AS jit, set_config('idle_in_transaction_session_timeout', '0', true) AS idle`);
    return work(tx);
  });
}

/**
 * readSnapshot on two connections of a PostgreSQL pool (it needs two) that see the one snapshot
 * the first exports: statements on `first` and `second` run at the same time, on two of the
 * server's cores, and agree as if they ran in one transaction.
 */
export function readSharedSnapshot<T>(sql: SqlRunner, work: (first: SqlStatements, second: SqlStatements) => Promise<T>): Promise<T> {
  return readSnapshot(sql, async (first) => {
    const [exported] = await first.rows<{ snapshot: string }>(PrismaSql.sql`SELECT pg_export_snapshot() AS snapshot`);
    return readSnapshot(sql, (second) => work(first, second), exported!.snapshot);
  });
}
