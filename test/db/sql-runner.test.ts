// The driver-level runner of the raters' hot path agrees with Prisma on what it stores and reads,
// on the embedded database and on PostgreSQL, and its transactions commit or roll back whole.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connection.js';
import * as PrismaSql from '../../src/db/sql.js';
import { copyTextRow } from '../../src/db/copy-text.js';
import { openWorkerConnection, readSharedSnapshot, utcTimestampIso } from '../../src/db/sql-runner.js';
import fc from 'fast-check';
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
    await t.db.sql.rows(PrismaSql.sql`INSERT INTO runner_check (id, at) VALUES (1, ${at})`);
    await t.db.prisma.$executeRaw`INSERT INTO runner_check (id, at) VALUES (2, ${at})`;
    const viaRunner = await t.db.sql.rows<{ id: number; at: Date }>(PrismaSql.sql`SELECT id, at FROM runner_check ORDER BY id`);
    const viaPrisma = await t.db.prisma.$queryRaw<{ id: number; at: Date }[]>`SELECT id, at FROM runner_check ORDER BY id`;
    const text = await t.db.sql.rows<{ at: string }>(PrismaSql.sql`SELECT at::text AS at FROM runner_check ORDER BY id`);
    expect(text.map((r) => r.at)).toEqual(['2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678']);
    expect(viaRunner.map((r) => r.at.toISOString())).toEqual([at.toISOString(), at.toISOString()]);
    expect(viaPrisma.map((r) => r.at.toISOString())).toEqual([at.toISOString(), at.toISOString()]);
  });

  it("makes a timestamp's text ISO as PostgreSQL's to_char and the Date it reads write it, whatever digits of the second it shows", async () => {
    // Whole seconds, and fractions whose trailing zeros PostgreSQL leaves out of the text.
    const times = ['2026-01-02 03:04:05', '2026-01-02 03:04:05.1', '2026-01-02 03:04:05.12', '2026-01-02 03:04:05.123', '2026-12-31 23:59:59.999', '1999-02-28 00:00:00.05'];
    for (const [i, time] of fc.sample(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }), { numRuns: 60, seed: 3 }).entries()) {
      times.push(i % 3 === 0 ? time.toISOString().slice(0, 19).replace('T', ' ') : time.toISOString().slice(0, 23).replace('T', ' '));
    }
    const rows = await t.db.sql.rows<{ text: string; iso: string; at: Date }>(PrismaSql.sql`
      SELECT t::timestamp(3)::text AS text, to_char(t::timestamp(3), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS iso, t::timestamp(3) AS at
      FROM unnest(${times}::text[]) AS t`);
    expect(rows).toHaveLength(times.length);
    expect(rows.some((r) => !r.text.includes('.'))).toBe(true);
    expect(rows.some((r) => /\.\d{1,2}$/.test(r.text))).toBe(true);
    for (const r of rows) {
      expect(utcTimestampIso(r.text)).toBe(r.iso);
      expect(utcTimestampIso(r.text)).toBe(r.at.toISOString());
    }
  });

  it('commits a transaction that resolves and rolls back one that throws, leaving nothing of it', async () => {
    await t.db.sql.transaction(async (tx) => {
      await tx.rows(PrismaSql.sql`INSERT INTO runner_check (id) VALUES (10)`);
      await tx.rows(PrismaSql.sql`INSERT INTO runner_check (id) VALUES (11)`);
    });
    await expect(
      t.db.sql.transaction(async (tx) => {
        await tx.rows(PrismaSql.sql`INSERT INTO runner_check (id) VALUES (12)`);
        await tx.rows(PrismaSql.sql`INSERT INTO runner_check (id) VALUES (10)`); // duplicate key
      }),
    ).rejects.toMatchObject({ code: '23505' });
    const ids = await t.db.sql.rows<{ id: number }>(PrismaSql.sql`SELECT id FROM runner_check WHERE id >= 10 ORDER BY id`);
    expect(ids.map((r) => r.id)).toEqual([10, 11]);
    // The connection that saw the failure is usable again.
    expect(await t.db.sql.rows<{ one: number }>(PrismaSql.sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
  });

  it('loads rows with COPY exactly as given, whatever backslashes, tabs, line breaks or NULLs they hold', async () => {
    await t.db.prisma.$executeRawUnsafe('CREATE TABLE copy_check (n int PRIMARY KEY, label text, note text, flag bool, doc jsonb)');
    const text = fc.string({ unit: fc.constantFrom('\\', '\t', '\n', '\r', 'N', '"', "'", '{', ',', 'é', '🚀', ' ', 'a') });
    const rows = fc.sample(fc.tuple(text, fc.option(text), fc.boolean(), fc.jsonValue()), { numRuns: 300, seed: 7 });
    const pieces = rows.map(([label, note, flag, doc], n) => copyTextRow([n, label, note, flag, JSON.stringify(doc)]));
    // In several pieces, cut anywhere: a piece is not a row.
    const all = pieces.join('');
    await t.db.sql.transaction((tx) => tx.copyFrom('copy_check', ['n', 'label', 'note', 'flag', 'doc'], [all.slice(0, 1000), all.slice(1000, 1001), all.slice(1001)]));
    const back = await t.db.sql.rows<{ label: string; note: string | null; flag: boolean; doc: unknown }>(PrismaSql.sql`SELECT label, note, flag, doc FROM copy_check ORDER BY n`);
    // JSON round-trips as JSON does (jsonb drops -0 and reorders keys, as any JSON consumer may).
    expect(back).toEqual(rows.map(([label, note, flag, doc]) => ({ label, note, flag, doc: JSON.parse(JSON.stringify(doc)) })));
  });

  it('rolls back a COPY whose rows stop with an error, and the connection loads the next one', async () => {
    await t.db.prisma.$executeRawUnsafe('CREATE TABLE copy_abort (n int PRIMARY KEY)');
    async function* failing() {
      yield copyTextRow([1]) + copyTextRow([2]);
      throw new Error('the source failed');
    }
    await expect(t.db.sql.transaction((tx) => tx.copyFrom('copy_abort', ['n'], failing()))).rejects.toThrow('the source failed');
    await t.db.sql.transaction((tx) => tx.copyFrom('copy_abort', ['n'], [copyTextRow([3])]));
    expect(await t.db.sql.rows<{ n: number }>(PrismaSql.sql`SELECT n FROM copy_abort ORDER BY n`)).toEqual([{ n: 3 }]);
  });
});

describe.skipIf(!process.env.DATABASE_URL)('two connections in one snapshot (PostgreSQL)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await t.db.prisma.$executeRawUnsafe('CREATE TABLE snapshot_check (id int PRIMARY KEY)');
    await t.db.prisma.$executeRawUnsafe('INSERT INTO snapshot_check SELECT generate_series(1, 10)');
  });
  afterAll(() => t.drop());

  it('see the rows of the snapshot the first exported, not those committed since, each on its own backend', async () => {
    const { sql, close } = openWorkerConnection(t.db.sql.connectionString!, 'snapshot check', 2);
    const count = PrismaSql.sql`SELECT count(*)::int AS n, pg_backend_pid() AS pid FROM snapshot_check`;
    try {
      const [first, second] = await readSharedSnapshot(sql, async (a, b) => {
        const seenFirst = await a.rows<{ n: number; pid: number }>(count);
        // Committed by a third connection after the snapshot was taken.
        await t.db.sql.rows(PrismaSql.sql`INSERT INTO snapshot_check VALUES (11)`);
        const [x, y] = await Promise.all([a.rows<{ n: number; pid: number }>(count), b.rows<{ n: number; pid: number }>(count)]);
        expect(seenFirst[0]!.n).toBe(10);
        return [x[0]!, y[0]!];
      });
      expect([first.n, second.n]).toEqual([10, 10]);
      expect(first.pid).not.toBe(second.pid);
      expect((await t.db.sql.rows<{ n: number }>(count))[0]!.n).toBe(11);
    } finally {
      await close();
    }
  });

  it('fails the next statement of a connection the server ended while it waited, and not the process', async () => {
    const { sql, close } = openWorkerConnection(t.db.sql.connectionString!, 'snapshot end', 2);
    try {
      const read = readSharedSnapshot(sql, async (a, b) => {
        const [second] = await b.rows<{ pid: number }>(PrismaSql.sql`SELECT pg_backend_pid() AS pid`);
        await t.db.sql.rows(PrismaSql.sql`SELECT pg_terminate_backend(${second!.pid}::int)`);
        // The second waits (as while the first reads the totals); the server's end reaches it idle.
        await a.rows(PrismaSql.sql`SELECT pg_sleep(0.3)`);
        return b.rows(PrismaSql.sql`SELECT 1 AS one`);
      });
      await expect(read).rejects.toThrow();
      // The pool opens a new connection for the next read.
      expect(await readSharedSnapshot(sql, async (a, b) => (await Promise.all([a.rows<{ n: number }>(PrismaSql.sql`SELECT count(*)::int AS n FROM snapshot_check`), b.rows(PrismaSql.sql`SELECT 1 AS one`)]))[0][0]!.n)).toBe(11);
    } finally {
      await close();
    }
  });
});
