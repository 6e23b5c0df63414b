// rater_slice_totals (a row per participant and topic, and per participant and category) is kept
// by triggers on answers and tasks: whatever writes, changes or deletes answers, the table must
// equal the totals counted from the answers themselves (the rater_slice_totals_counted view, which
// test/db/slice-classes.test.ts checks end to end against core). Runs on both databases.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import type { Batch } from '../../src/db/batches.js';
import * as PrismaSql from '../../src/db/sql.js';
import { createTestDatabase, serverUrl, type TestDatabase } from '../helpers/test-database.js';
import { createOpenBatch } from '../helpers/rater.js';
import { simulateRaters } from '../helpers/simulate.js';

describe('per-rater slice totals kept by triggers', () => {
  let t: TestDatabase;
  let batch: Batch;
  beforeAll(async () => {
    t = await createTestDatabase();
    batch = await createOpenBatch(t.db, { name: 'totals', questions: 8, raters: 12, seed: 3, completionCode: 'TOTAL1' }, 80);
    // Each answer through the rater's own submit statement (the hot path's insert).
    await simulateRaters(t.db, batch, 12, { generated: 0.7, category: 0.5, category_topic: 0.4, control: 0.2, control_topic: 0.2, other: 0.1 }, createRng(3));
  }, 120_000);
  afterAll(async () => {
    await t?.drop();
  });

  const order = PrismaSql.sql`ORDER BY batch_id, slice, participant_id, name`;
  const kept = () => t.db.sql.rows<Record<string, unknown>>(PrismaSql.sql`SELECT * FROM rater_slice_totals ${order}`);
  const counted = () => t.db.sql.rows<Record<string, unknown>>(PrismaSql.sql`SELECT * FROM rater_slice_totals_counted ${order}`);
  async function expectKeptEqualsCounted(): Promise<Record<string, unknown>[]> {
    const rows = await kept();
    expect(rows).toEqual(await counted());
    return rows;
  }

  it("holds each rater's answers per topic and per category, added answer by answer", async () => {
    const rows = await expectKeptEqualsCounted();
    const answers = await t.db.sql.rows<{ n: number }>(PrismaSql.sql`SELECT count(*)::int AS n FROM answers`);
    // Every answer counted once under its topic and once under its category.
    for (const slice of ['topic', 'category']) {
      expect(rows.filter((r) => r.slice === slice).reduce((n, r) => n + (r.answers as number), 0)).toBe(answers[0]!.n);
    }
    expect(answers[0]!.n).toBe(12 * 8);
  });

  it('adds answers inserted many at once, and answers of a new participant', async () => {
    await t.db.prisma.$executeRaw`
      INSERT INTO participants (id, batch_id, code, prolific_pid, study_id, session_id, status, completed_at)
      VALUES ('bulk', ${batch.id}, 'bulk-code', 'bulk-pid', 'study', 'bulk-session', 'completed', now())`;
    await t.db.prisma.$executeRaw`
      INSERT INTO answers (id, participant_id, task_id, position, selected_option_ids, selected_kinds, option_order, shown_at)
      SELECT 'bulk-' || t.position, 'bulk', t.id, t.position, ARRAY[]::text[], (t.position % 64)::smallint, ARRAY[]::text[], now()
      FROM tasks t WHERE t.batch_id = ${batch.id} ORDER BY t.position LIMIT 30`;
    const rows = await expectKeptEqualsCounted();
    expect(rows.filter((r) => r.participant_id === 'bulk' && r.slice === 'topic').reduce((n, r) => n + (r.answers as number), 0)).toBe(30);
  });

  it('follows answers changed and deleted, and a participant deleted with their answers', async () => {
    await t.db.prisma.$executeRaw`UPDATE answers SET selected_kinds = 63 WHERE id IN (SELECT id FROM answers ORDER BY id LIMIT 5)`;
    await expectKeptEqualsCounted();
    await t.db.prisma.$executeRaw`DELETE FROM answers WHERE id IN (SELECT id FROM answers WHERE participant_id <> 'bulk' ORDER BY id LIMIT 3)`;
    await expectKeptEqualsCounted();
    await t.db.prisma.$executeRaw`DELETE FROM participants WHERE id = 'bulk'`;
    const rows = await expectKeptEqualsCounted();
    expect(rows.some((r) => r.participant_id === 'bulk')).toBe(false);
  });

  it('follows a task respelled, and never fires for task loads', async () => {
    await t.db.prisma.$executeRaw`UPDATE tasks SET load = load + 1 WHERE batch_id = ${batch.id}`;
    await t.db.prisma.$executeRaw`
      UPDATE tasks SET topic_category = upper(topic_category), sampled_category = sampled_category || ' (respelled)'
      WHERE id IN (SELECT task_id FROM answers ORDER BY id LIMIT 4)`;
    const rows = await expectKeptEqualsCounted();
    expect(rows.some((r) => String(r.name).endsWith(' (respelled)'))).toBe(true);
  });

  it.skipIf(!serverUrl)('stays equal when a task is respelled or an answer deleted while a rater is submitting (PostgreSQL)', async () => {
    // Two sessions of their own: a Prisma query is only sent once awaited.
    const writer = new pg.Client({ connectionString: t.url! });
    const other = new pg.Client({ connectionString: t.url! });
    await Promise.all([writer.connect(), other.connect()]);
    try {
      // Two new raters, so that their answers make new rows (the case a recount could not see).
      await t.db.prisma.$executeRaw`
        INSERT INTO participants (id, batch_id, code, prolific_pid, study_id, session_id, status, completed_at)
        SELECT 'racer' || i, ${batch.id}, 'racer-code-' || i, 'racer-pid-' || i, 'study', 'racer-session-' || i, 'completed', now() FROM generate_series(1, 2) i`;
      const tasks = await t.db.sql.rows<{ id: string; topic: string; category: string }>(PrismaSql.sql`
        SELECT id, topic_category AS topic, sampled_category AS category FROM tasks WHERE batch_id = ${batch.id} ORDER BY position`);
      const first = tasks[0]!;
      const elsewhere = tasks.find((x) => x.topic !== first.topic && x.category !== first.category)!;
      const insertAnswer = (sql: { query(text: string, values: unknown[]): Promise<unknown> }, id: string, participant: string, task: string, position: number) =>
        sql.query(`INSERT INTO answers (id, participant_id, task_id, position, selected_option_ids, selected_kinds, option_order, shown_at) VALUES ($1, $2, $3, $4, '{}', 3, '{}', now())`, [id, participant, task, position]);
      const pause = () => new Promise((resolve) => setTimeout(resolve, 300));

      // A rater's first answer written, not yet committed, while its task is respelled.
      await writer.query('BEGIN');
      await insertAnswer(writer, 'racing-1', 'racer1', elsewhere.id, 0);
      const respelled = other.query(`UPDATE tasks SET topic_category = topic_category || ' (raced)' WHERE id = $1`, [elsewhere.id]);
      await pause();
      await writer.query('COMMIT');
      await respelled;
      await expectKeptEqualsCounted();

      // A rater's answer deleted while their next one, under another topic and category, is written.
      await insertAnswer(writer, 'racing-2', 'racer2', first.id, 0);
      await writer.query('BEGIN');
      await insertAnswer(writer, 'racing-3', 'racer2', elsewhere.id, 1);
      const deleted = other.query(`DELETE FROM answers WHERE id = 'racing-2'`);
      await pause();
      await writer.query('COMMIT');
      await deleted;
      await expectKeptEqualsCounted();
    } finally {
      await Promise.all([writer.end(), other.end()]);
    }
  });

  it('is emptied with the answers', async () => {
    await t.db.prisma.$executeRaw`TRUNCATE answers`;
    expect(await kept()).toEqual([]);
  });
});
