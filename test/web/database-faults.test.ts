// A database that drops every connection mid-study (restart, failover, pg_terminate_backend): the
// server stays up, recovers by itself, and no answer is lost or doubled.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTransientDatabaseError } from '../../src/db/errors.js';
import { addressOf, createOpenBatch, Rater } from '../helpers/rater.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { serverUrl } from '../helpers/test-database.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.drop();
});

/** Ends every connection to the test database but our own, as a restart or failover would. */
async function terminateBackends(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    return rowCount ?? 0;
  } finally {
    await client.end();
  }
}

describe.skipIf(!serverUrl)('database faults during a study (PostgreSQL)', () => {
  it('keeps serving 50 raters while every backend is terminated three times; each ends with exactly 20 answers', async () => {
    const batch = await createOpenBatch(t.db, { raters: 50, questions: 20 }, 400);
    const raters = Array.from({ length: 50 }, (_, i) => Object.assign(new Rater(t.app, batch, addressOf(i + 1)), { patient: true }));
    let running = true;
    const done = Promise.all(raters.map((r) => r.completeAll())).finally(() => {
      running = false;
    });
    let terminated = 0;
    let rounds = 0;
    for (; rounds < 3 && running; rounds++) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      terminated += await terminateBackends(t.url as string);
    }
    const pages = await done;
    expect(rounds).toBe(3);
    expect(terminated).toBeGreaterThan(0);
    for (const page of pages) expect(page).toContain('C0MPLETE');

    const counts = await t.db.prisma.answer.groupBy({ by: ['participantId'], where: { participant: { batchId: batch.id } }, _count: { _all: true } });
    expect(counts).toHaveLength(50);
    for (const c of counts) expect(c._count._all).toBe(20);
    const row = await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } });
    expect(row.placesTaken).toBe(50);
    expect(await t.db.prisma.participant.count({ where: { batchId: batch.id, status: 'completed' } })).toBe(50);
    // Whatever reached the error handler was a lost connection, shown as "please reload" (503).
    for (const err of t.logged) expect(isTransientDatabaseError(err)).toBe(true);
  }, 300_000);
});
