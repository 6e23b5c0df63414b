// The driver-level runner of the raters' hot path agrees with Prisma on what it stores and reads,
// on the embedded database and on PostgreSQL, and its transactions commit or roll back whole.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { Prisma } from '../../src/db/generated/client.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const databases: [string, () => Promise<{ db: Database; drop(): Promise<void> }>][] = [
  ['embedded', async () => {
    const db = await openDatabase({ kind: 'embedded', dataDir: null });
    return { db, drop: () => db.close() };
  }],
];
if (process.env.DATABASE_URL) databases.push(['PostgreSQL', (): Promise<TestDatabase> => createTestDatabase()]);

describe.each(databases)('sql runner on %s', (_name, open) => {
  let t: { db: Database; drop(): Promise<void> };
  const zone = process.env.TZ;
  beforeAll(async () => {
    t = await open();
    await t.db.prisma.$executeRawUnsafe('CREATE TABLE runner_check (id int PRIMARY KEY, at timestamp(3))');
  });
  afterAll(() => t.drop());
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it('writes and reads timestamps as Prisma does (UTC wall time) in a process far from UTC', async () => {
    process.env.TZ = 'Asia/Tokyo';
    const at = new Date('2026-01-02T03:04:05.678Z');
    await t.db.sql.rows(Prisma.sql`INSERT INTO runner_check (id, at) VALUES (1, ${at})`);
    await t.db.prisma.$executeRaw`INSERT INTO runner_check (id, at) VALUES (2, ${at})`;
    const viaRunner = await t.db.sql.rows<{ id: number; at: Date }>(Prisma.sql`SELECT id, at FROM runner_check ORDER BY id`);
    const viaPrisma = await t.db.prisma.$queryRaw<{ id: number; at: Date }[]>`SELECT id, at FROM runner_check ORDER BY id`;
    const text = await t.db.sql.rows<{ at: string }>(Prisma.sql`SELECT at::text AS at FROM runner_check ORDER BY id`);
    expect(text.map((r) => r.at)).toEqual(['2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678']);
    expect(viaRunner.map((r) => r.at.toISOString())).toEqual([at.toISOString(), at.toISOString()]);
    expect(viaPrisma.map((r) => r.at.toISOString())).toEqual([at.toISOString(), at.toISOString()]);
  });

  it('commits a transaction that resolves and rolls back one that throws, leaving nothing of it', async () => {
    await t.db.sql.transaction(async (tx) => {
      await tx.rows(Prisma.sql`INSERT INTO runner_check (id) VALUES (10)`);
      await tx.rows(Prisma.sql`INSERT INTO runner_check (id) VALUES (11)`);
    });
    await expect(
      t.db.sql.transaction(async (tx) => {
        await tx.rows(Prisma.sql`INSERT INTO runner_check (id) VALUES (12)`);
        await tx.rows(Prisma.sql`INSERT INTO runner_check (id) VALUES (10)`); // duplicate key
      }),
    ).rejects.toMatchObject({ code: '23505' });
    const ids = await t.db.sql.rows<{ id: number }>(Prisma.sql`SELECT id FROM runner_check WHERE id >= 10 ORDER BY id`);
    expect(ids.map((r) => r.id)).toEqual([10, 11]);
    // The connection that saw the failure is usable again.
    expect(await t.db.sql.rows<{ one: number }>(Prisma.sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
  });
});
