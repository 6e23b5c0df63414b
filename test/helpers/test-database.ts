// A database of the test file's own: a fresh PostgreSQL database on DATABASE_URL's server (dropped
// afterwards), or an in-memory embedded one when DATABASE_URL is not set.
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { newId } from '../../src/db/ids.js';

export interface TestDatabase {
  db: Database;
  /** The PostgreSQL URL of this test database, or null for the embedded one. */
  url: string | null;
  drop(): Promise<void>;
}

export const serverUrl = process.env.DATABASE_URL || null;

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!serverUrl) {
    const db = await openDatabase({ kind: 'embedded', dataDir: null });
    await db.migrate();
    return { db, url: null, drop: () => db.close() };
  }
  const name = newId('prefbasis_test', 12);
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = withDatabaseName(serverUrl, name);
  const db = await openDatabase({ kind: 'postgres', url });
  await db.migrate();
  return {
    db,
    url,
    async drop() {
      await db.close();
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl ?? undefined });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
