import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { readMigrationFiles } from '../../src/db/migrate.js';
import { createTestDatabase, serverUrl, type TestDatabase } from '../helpers/test-database.js';

describe('migrations', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('records every committed migration in _prisma_migrations with its sha256, as Prisma does', async () => {
    const rows = await t.db.prisma.$queryRawUnsafe<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }[]>(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    const files = readMigrationFiles();
    expect(files.length).toBeGreaterThan(0);
    expect(rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count])).toEqual(
      files.map((f) => [f.name, createHash('sha256').update(f.script).digest('hex'), 1]),
    );
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  });

  it('applies nothing the second time', async () => {
    const report = await t.db.migrate();
    expect(report.applied).toEqual([]);
    expect(report.alreadyApplied).toBe(readMigrationFiles().length);
  });

  it.runIf(serverUrl)('lets two servers start at once: the advisory lock makes one wait, each migration runs once', async () => {
    const url = t.url as string;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    await client.end();
    const [a, b] = await Promise.all([openDatabase({ kind: 'postgres', url }), openDatabase({ kind: 'postgres', url })]);
    const reports = await Promise.all([a.migrate(), b.migrate()]);
    await Promise.all([a.close(), b.close()]);
    expect(reports.map((r) => r.applied.length).sort()).toEqual([0, readMigrationFiles().length]);
  });
});
