// Task assignment at Start: the least-loaded tasks of the batch, taken without a batch-wide lock.
import { drawKeys, planQuestions, type TaskOptionsForPlan } from '../core/assignment.js';
import { deriveRng } from '../core/rng.js';
import { Prisma as PrismaSql, type Batch, type Participant } from './generated/client.js';
import { withRetry } from './errors.js';
import type { SqlRunner, SqlStatements } from './sql-runner.js';

/**
 * Assigns the rater's questions (once): the least-loaded tasks of the batch, taken with
 * FOR UPDATE SKIP LOCKED so concurrent raters take different tasks without waiting on each other,
 * then shuffled per rater (core/assignment.ts). Costs O(questions), not O(tasks): an index on
 * (batch, load, draw key) serves the pick. The transaction locks only this participant and the
 * rows it takes.
 */
export async function startQuestions(sql: SqlRunner, batch: Pick<Batch, 'id' | 'seed' | 'questionsPerRater' | 'preferredSide'>, participant: Pick<Participant, 'id'>, now: Date): Promise<void> {
  const rng = deriveRng(batch.seed, `rater:${participant.id}`);
  const keys = drawKeys(batch.questionsPerRater, rng);
  await withRetry(() => sql.transaction(async (tx) => {
    // The guard and the lock in one: a second Start (double click, second tab) finds started_at set.
    const started = await tx.rows(PrismaSql.sql`
      UPDATE participants SET started_at = ${now} WHERE id = ${participant.id} AND status = 'active' AND started_at IS NULL RETURNING id`);
    if (started.length !== 1) return;
    // The lowest load level first, then the next one; rows other raters are taking are skipped.
    // ORDER BY … LIMIT 1 reads one entry of the (batch, load, draw key) index; Prisma's aggregate
    // wraps the rows in a subquery and scans every task of the batch.
    const [lowest] = await tx.rows<{ load: number }>(PrismaSql.sql`SELECT load FROM tasks WHERE batch_id = ${batch.id} ORDER BY load LIMIT 1`);
    const taken: TaskOptionsForPlan[] = [];
    for (const level of [0, 1].map((offset) => (lowest?.load ?? 0) + offset)) {
      if (taken.length < batch.questionsPerRater) taken.push(...(await takeTasks(tx, batch.id, keys.slice(taken.length), taken.map((t) => t.taskId), { level })));
    }
    if (taken.length < batch.questionsPerRater) {
      // Almost every task is being taken by other raters right now (a small batch): wait for them.
      // A deadlock, should one arise, aborts one side with 40P01 and withRetry runs it again.
      taken.push(...(await takeTasks(tx, batch.id, keys.slice(taken.length), taken.map((t) => t.taskId), 'wait')));
    }
    if (taken.length < batch.questionsPerRater) throw new Error(`batch ${batch.id} has fewer than ${batch.questionsPerRater} tasks`);
    const planned = planQuestions(taken, batch.preferredSide, rng);
    // One parameter for all the rows, so the statement keeps one prepared name whatever the count.
    const rows = planned.map((q, position) => ({ position, task_id: q.taskId, option_order: q.optionOrder, preferred_first: q.preferredFirst }));
    await tx.rows(PrismaSql.sql`
      INSERT INTO assignments (participant_id, position, task_id, option_order, preferred_first)
      SELECT ${participant.id}, x.position, x.task_id, x.option_order, x.preferred_first
      FROM json_to_recordset(${JSON.stringify(rows)}::json) AS x(position int, task_id text, option_order text[], preferred_first boolean)`);
  }));
}

type TaskOptionRow = { task_id: string; id: string; kind: string };

/**
 * Takes up to `keys.length` tasks (load + 1 and a new draw key each) and returns them with their
 * options. With a `level`, only tasks whose load is that level, skipping rows other raters hold:
 * the load condition is re-checked on rows another rater changed while this statement ran
 * (PostgreSQL re-evaluates WHERE on the new row version), so a task just taken by someone else is
 * never taken again from a stale ordering and loads stay within 1 of each other. With 'wait', the
 * last resort when nearly every task is locked: the least-loaded tasks, waiting for their locks.
 */
async function takeTasks(
  tx: SqlStatements,
  batchId: string,
  keys: readonly number[],
  exclude: readonly string[],
  pick: { level: number } | 'wait',
): Promise<TaskOptionsForPlan[]> {
  const choice =
    pick === 'wait'
      ? PrismaSql.sql`ORDER BY load, draw_key LIMIT ${keys.length} FOR UPDATE`
      : PrismaSql.sql`AND load = ${pick.level} ORDER BY draw_key LIMIT ${keys.length} FOR UPDATE SKIP LOCKED`;
  const rows = await tx.rows<TaskOptionRow>(PrismaSql.sql`
    WITH chosen AS (
      SELECT id FROM tasks WHERE batch_id = ${batchId} AND NOT (id = ANY(${exclude}::text[])) ${choice}
    ), keyed AS (SELECT id, row_number() OVER () AS n FROM chosen), taken AS (
      UPDATE tasks SET load = tasks.load + 1, draw_key = (${keys}::float8[])[keyed.n]
      FROM keyed WHERE tasks.id = keyed.id RETURNING tasks.id
    )
    SELECT o.task_id, o.id, o.kind::text AS kind FROM task_options o JOIN taken ON o.task_id = taken.id`);
  return groupOptions(rows);
}

function groupOptions(rows: readonly TaskOptionRow[]): TaskOptionsForPlan[] {
  const byTask = new Map<string, { id: string; kind: string }[]>();
  for (const r of rows) byTask.set(r.task_id, [...(byTask.get(r.task_id) ?? []), { id: r.id, kind: r.kind }]);
  return [...byTask].map(([taskId, options]) => ({ taskId, options }));
}
