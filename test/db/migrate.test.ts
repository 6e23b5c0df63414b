import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { applyMigrations, readMigrationFiles } from '../../src/db/migrate.js';
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

  it('moves existing preference annotations into their datapoint, in their positions (20261128000000_datapoint_preferences)', async () => {
    const pglite = new PGlite();
    try {
      const files = readMigrationFiles();
      const at = files.findIndex((f) => f.name === '20261128000000_datapoint_preferences');
      const connection = {
        query: async (sql: string, params: unknown[] = []) => (await pglite.query<Record<string, unknown>>(sql, params)).rows,
        exec: async (script: string) => void (await pglite.exec(script)),
        lockable: false,
      };
      await applyMigrations(connection, files.slice(0, at));
      await pglite.exec(`
        INSERT INTO datasets (id, name, content_hash, datapoint_count) VALUES ('ds1', 'old', 'h', 2);
        INSERT INTO datapoints (id, dataset_id, line_number, source_id, prompt, response_a, response_b, model_a, model_b, winner, topic_category)
        VALUES ('dp1', 'ds1', 1, 'a', 'p', 'ra', 'rb', 'm1', 'm2', 'model_a', 'Coding'), ('dp2', 'ds1', 2, 'b', 'p', 'ra', 'rb', 'm1', 'm2', 'model_b', 'Coding');
        INSERT INTO preference_annotations (id, datapoint_id, position, category, granular)
        VALUES ('pa2', 'dp1', 1, 'Humor', ARRAY['a "joke"']), ('pa1', 'dp1', 0, 'Clarity', ARRAY['clear', 'short']);`);
      await applyMigrations(connection, files.slice(0, at + 1));
      const { rows } = await pglite.query<{ id: string; preferences: unknown }>('SELECT id, preferences FROM datapoints ORDER BY id');
      expect(rows).toEqual([
        { id: 'dp1', preferences: [{ category: 'Clarity', granular: ['clear', 'short'] }, { category: 'Humor', granular: ['a "joke"'] }] },
        { id: 'dp2', preferences: [] },
      ]);
    } finally {
      await pglite.close();
    }
  });
});
