// Bulk INSERT through one unnest() statement per chunk (a batch's tasks and options): Prisma 7's
// createMany spends ~0.5 ms per row in its JS query compiler. Datasets, the largest loads, go in
// with COPY instead (db/copy-text.ts).
import type { Tx } from './connection.js';

type Scalar = string | number | boolean | null;

export interface BulkColumn<Row> {
  /** Column name in the table. */
  name: string;
  /** PostgreSQL type of the parameter array's elements. */
  type: 'text' | 'int4' | 'bool';
  value: (row: Row) => Scalar;
  /** SQL turning the unnested value `v` into the column's value (enum casts, arrays). Default: `v`. */
  select?: (v: string) => string;
}

/** Inserts `rows` into `table` with one statement; identifiers come from code, never from input. */
export async function bulkInsert<Row>(tx: Tx, table: string, columns: readonly BulkColumn<Row>[], rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const aliases = columns.map((_, i) => `c${i}`);
  const sql =
    `INSERT INTO "${table}" (${columns.map((c) => `"${c.name}"`).join(', ')}) ` +
    `SELECT ${columns.map((c, i) => (c.select ? c.select(`u.${aliases[i]}`) : `u.${aliases[i]}`)).join(', ')} ` +
    `FROM unnest(${columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')}) AS u(${aliases.join(', ')})`;
  await tx.$executeRawUnsafe(sql, ...columns.map((c) => rows.map(c.value)));
}
