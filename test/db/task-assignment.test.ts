// Start's task assignment beside other Starts or given-back places holding rows (PostgreSQL: a second session holds them).
// Loads must stay within 1 of each other whatever the other Start does with its rows afterwards.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '../../src/db/batches.js';
import { startQuestions } from '../../src/db/task-assignment.js';
import { createTestDatabase, serverUrl, type TestDatabase } from '../helpers/test-database.js';
import { createOpenBatch, prolificId } from '../helpers/rater.js';

describe.skipIf(!serverUrl)('task assignment beside another transaction holding the least-loaded rows', () => {
  let t: TestDatabase;
  let other: pg.Client;
  beforeAll(async () => {
    t = await createTestDatabase();
    other = new pg.Client({ connectionString: t.url as string });
    await other.connect();
  }, 120_000);
  afterAll(async () => {
    await other?.end();
    await t?.drop();
  });

  async function activeParticipant(batch: Batch): Promise<string> {
    const id = `p-${prolificId()}`;
    await t.db.prisma.participant.create({ data: { id, batchId: batch.id, code: `c-${id}`, prolificPid: prolificId(), studyId: 's', sessionId: prolificId(), status: 'active' } });
    return id;
  }

  /** A batch of 30 tasks or more, all at load `rest` but the first `count` (by id), at `load`; those are returned. */
  async function batchWithLowTasks(rest: number, low: { count: number; load: number }): Promise<{ batch: Batch; low: string[] }> {
    const batch = await createOpenBatch(t.db, { questions: 20, raters: 10 }, 60);
    expect(await t.db.prisma.task.count({ where: { batchId: batch.id } })).toBeGreaterThanOrEqual(30);
    await t.db.prisma.task.updateMany({ where: { batchId: batch.id }, data: { load: rest } });
    const ids = (await t.db.prisma.task.findMany({ where: { batchId: batch.id }, orderBy: { id: 'asc' }, take: low.count, select: { id: true } })).map((x) => x.id);
    await t.db.prisma.task.updateMany({ where: { id: { in: ids } }, data: { load: low.load } });
    return { batch, low: ids };
  }

  /** Every task of the batch at load 1 but five at load 0; the other session locks those five. */
  async function batchWithFiveLowHeld(): Promise<{ batch: Batch; low: string[] }> {
    const held = await batchWithLowTasks(1, { count: 5, load: 0 });
    await other.query('BEGIN');
    await other.query('SELECT id FROM tasks WHERE id = ANY($1) FOR UPDATE', [held.low]);
    return held;
  }

  /**
   * A new rater's Start while the other session's transaction is open; 300 ms in (the Start is
   * waiting by then) the other runs `ending` (its last statements). Returns the rater's tasks.
   */
  async function startBeforeOtherEnds(batch: Batch, ...ending: [string, unknown[]?][]): Promise<string[]> {
    const participant = await activeParticipant(batch);
    const started = startQuestions(t.db.sql, batch, { id: participant }, new Date());
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const [statement, values] of ending) await other.query(statement, values);
    await started;
    return assignedTasks(participant);
  }

  async function assignedTasks(participant: string): Promise<string[]> {
    return (await t.db.prisma.assignment.findMany({ where: { participantId: participant }, select: { taskId: true } })).map((a) => a.taskId);
  }

  async function spread(batch: Batch): Promise<number> {
    const loads = (await t.db.prisma.task.findMany({ where: { batchId: batch.id }, select: { load: true } })).map((x) => x.load);
    return Math.max(...loads) - Math.min(...loads);
  }

  it('waits for rows the other Start gives back and takes them, rather than the next level past them', async () => {
    const { batch, low } = await batchWithFiveLowHeld();
    // As a first try that came up short gives its rows back.
    const assigned = await startBeforeOtherEnds(batch, ['ROLLBACK']);
    expect(assigned).toHaveLength(20);
    expect(assigned).toEqual(expect.arrayContaining(low));
    expect(await spread(batch)).toBeLessThanOrEqual(1);
  });

  it('follows tasks given back while it waits (a timeout lowering them) down to their new load', async () => {
    // Twenty tasks at load 1, the rest at 2; the other session gives back fifteen of the twenty
    // (1 -> 0, as releaseHolds does for a timed-out rater) and commits while this rater waits.
    const { batch, low: level1 } = await batchWithLowTasks(2, { count: 20, load: 1 });
    await other.query('BEGIN');
    await other.query('UPDATE tasks SET load = load - 1 WHERE id = ANY($1)', [level1.slice(0, 15)]);
    const assigned = await startBeforeOtherEnds(batch, ['COMMIT']);
    expect(assigned).toHaveLength(20);
    expect(assigned).toEqual(expect.arrayContaining(level1));
    expect(await spread(batch)).toBeLessThanOrEqual(1);
  });

  it('neither waits for nor passes over tasks whose answers are being written (KEY SHARE, as their foreign key takes)', async () => {
    const { batch, low } = await batchWithLowTasks(1, { count: 5, load: 0 });
    await other.query('BEGIN');
    await other.query('SELECT id FROM tasks WHERE id = ANY($1) FOR KEY SHARE', [low]);
    try {
      const participant = await activeParticipant(batch);
      const started = startQuestions(t.db.sql, batch, { id: participant }, new Date()).then(() => 'started');
      const waited = new Promise((resolve) => setTimeout(resolve, 3000, 'still waiting'));
      expect(await Promise.race([started, waited])).toBe('started');
      expect(await assignedTasks(participant)).toEqual(expect.arrayContaining(low));
    } finally {
      await other.query('COMMIT');
    }
  });

  it('takes tasks of the next level once the other Start commits the lowest ones', async () => {
    const { batch, low } = await batchWithFiveLowHeld();
    const assigned = await startBeforeOtherEnds(batch, ['UPDATE tasks SET load = load + 1 WHERE id = ANY($1)', [low]], ['COMMIT']);
    expect(assigned).toHaveLength(20);
    // Every task is at load 1 once the other commits: this rater's 20 go to 2, none further.
    expect(await t.db.prisma.task.count({ where: { batchId: batch.id, load: 2 } })).toBe(20);
    expect(await spread(batch)).toBeLessThanOrEqual(1);
  });
});
