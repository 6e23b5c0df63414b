// Task assignment at Start: the least-loaded tasks of the batch, taken without a batch-wide lock
// in the common case, and one Start at a time per batch only when a crowd meets a small batch.
import { drawKeys, planQuestions, type PlannedQuestion, type TaskOptionsForPlan } from '../core/assignment.js';
import { planAttentionChecks } from '../core/attention-checks.js';
import { deriveRng, type Rng } from '../core/rng.js';
import * as PrismaSql from './sql.js';
import type { Batch, Participant } from './generated/client.js';
import { withRetry } from './errors.js';
import { newId } from './ids.js';
import type { SqlRunner, SqlStatements } from './sql-runner.js';

/** Thrown inside a Start whose least-loaded tasks are nearly all held by other raters right now. */
class TasksBusy extends Error {}

/**
 * Assigns the rater's questions (once): the least-loaded tasks of the batch, shuffled per rater
 * (core/assignment.ts). Costs O(questions), not O(tasks): an index on (batch, load, draw key)
 * serves the pick.
 *
 * First try: take them with FOR NO KEY UPDATE SKIP LOCKED, so concurrent raters take different tasks
 * without waiting on each other. When that comes up short (most least-loaded rows are held by
 * other Starts: a small batch and a crowd), or would pass over rows other Starts hold at the
 * lowest load (they may yet give them back), the attempt gives everything back and Start runs again
 * holding the batch's advisory lock, now waiting for held rows, lowest load first. Only one such Start
 * runs per batch at a time and the first tries never wait for anything while holding rows, so no
 * two Starts can deadlock; the waiting one re-checks each row's load once its lock is released, so
 * raters queued on the same rows never all take them.
 */
export async function startQuestions(sql: SqlRunner, batch: Pick<Batch, 'id' | 'seed' | 'questionsPerRater' | 'preferredSide' | 'attentionChecks'>, participant: Pick<Participant, 'id'>, now: Date): Promise<void> {
  const rng = deriveRng(batch.seed, `rater:${participant.id}`);
  // A stream of its own: adding checks to a batch never changes which tasks its raters get.
  const checkRng = deriveRng(batch.seed, `checks:${participant.id}`);
  const keys = drawKeys(batch.questionsPerRater, rng);
  const start = (exclusive: boolean) =>
    withRetry(() =>
      sql.transaction(async (tx) => {
        if (exclusive) await tx.rows(PrismaSql.sql`SELECT pg_advisory_xact_lock(hashtext(${`start:${batch.id}`}))::text AS locked`);
        // The guard and the lock in one: a second Start (double click, second tab) finds started_at set.
        const started = await tx.rows(PrismaSql.sql`
          UPDATE participants SET started_at = ${now} WHERE id = ${participant.id} AND status = 'active' AND started_at IS NULL RETURNING id`);
        if (started.length !== 1) return;
        const taken = exclusive ? await takeLeastLoadedWaiting(tx, batch, keys) : await takeLeastLoaded(tx, batch, keys);
        const planned = planQuestions(taken, batch.preferredSide, rng);
        // One parameter for all the rows, so the statement keeps one prepared name whatever the count.
        const rows = planned.map((q, position) => ({ position, task_id: q.taskId, option_order: q.optionOrder, preferred_first: q.preferredFirst }));
        await tx.rows(PrismaSql.sql`
          INSERT INTO assignments (participant_id, position, task_id, option_order, preferred_first)
          SELECT ${participant.id}, x.position, x.task_id, x.option_order, x.preferred_first
          FROM json_to_recordset(${JSON.stringify(rows)}::json) AS x(position int, task_id text, option_order text[], preferred_first boolean)`);
        if (batch.attentionChecks > 0) await insertAttentionChecks(tx, participant.id, planned, batch.attentionChecks, checkRng);
      }),
    );
  try {
    await start(false);
  } catch (err) {
    if (!(err instanceof TasksBusy)) throw err;
    await start(true);
  }
}

/** The rater's attention checks, placed among the questions just planned (core/attention-checks.ts). */
async function insertAttentionChecks(tx: SqlStatements, participantId: string, planned: readonly PlannedQuestion[], count: number, rng: Rng): Promise<void> {
  const checks = planAttentionChecks(planned, Math.min(count, planned.length - 1), rng).map((c) => ({
    id: newId('k', 14),
    before_position: c.beforePosition,
    source_task_id: c.sourceTaskId,
    option_order: c.optionOrder,
    preferred_first: c.preferredFirst,
    target_option_id: c.targetOptionId,
    wording: c.wording,
  }));
  await tx.rows(PrismaSql.sql`
    INSERT INTO attention_checks (id, participant_id, before_position, source_task_id, option_order, preferred_first, target_option_id, wording)
    SELECT x.id, ${participantId}, x.before_position, x.source_task_id, x.option_order, x.preferred_first, x.target_option_id, x.wording
    FROM json_to_recordset(${JSON.stringify(checks)}::json)
      AS x(id text, before_position int, source_task_id text, option_order text[], preferred_first boolean, target_option_id text, wording int)`);
}

type BatchForStart = Pick<Batch, 'id' | 'questionsPerRater'>;

/** The lowest load of the batch's tasks but `except`, or null if none: the (batch, load, draw key) index's first entries. */
async function lowestLoad(tx: SqlStatements, batchId: string, except: readonly string[] = []): Promise<number | null> {
  const [row] = await tx.rows<{ load: number }>(PrismaSql.sql`SELECT load FROM tasks WHERE batch_id = ${batchId} AND NOT (id = ANY(${except}::text[])) ORDER BY load LIMIT 1`);
  return row?.load ?? null;
}

/**
 * The first try: the lowest load level, then the next, skipping rows other raters hold. It moves
 * up a level only once no task is left at the lowest one: a row skipped there is held by a Start
 * that may yet roll back (a first try giving up, a retry), and taking the next level past it
 * would leave that task 2 below the ones taken.
 */
async function takeLeastLoaded(tx: SqlStatements, batch: BatchForStart, keys: readonly number[]): Promise<TaskOptionsForPlan[]> {
  const min = (await lowestLoad(tx, batch.id)) ?? 0;
  const taken = await takeTasks(tx, batch.id, keys, [], { level: min, wait: false });
  if (taken.length < keys.length) {
    // Our own takes already read min + 1 here; a row still at min is another Start's, not settled.
    if (await hasLoad(tx, batch.id, min)) throw new TasksBusy();
    taken.push(...(await takeTasks(tx, batch.id, keys.slice(taken.length), taken.map((t) => t.taskId), { level: min + 1, wait: false })));
  }
  if (taken.length < keys.length) throw new TasksBusy();
  return taken;
}

async function hasLoad(tx: SqlStatements, batchId: string, load: number): Promise<boolean> {
  return (await tx.rows(PrismaSql.sql`SELECT 1 AS found FROM tasks WHERE batch_id = ${batchId} AND load = ${load} LIMIT 1`)).length > 0;
}

/**
 * Under the batch's advisory lock: the lowest load level of the tasks not taken yet, again and
 * again, waiting for rows others hold. Looking for the lowest each time, not the next level up,
 * follows what changes meanwhile: first tries raising loads, and places given back (a timeout, a
 * return) lowering them below the level reached.
 */
async function takeLeastLoadedWaiting(tx: SqlStatements, batch: BatchForStart, keys: readonly number[]): Promise<TaskOptionsForPlan[]> {
  const taken: TaskOptionsForPlan[] = [];
  while (taken.length < keys.length) {
    const takenIds = taken.map((t) => t.taskId);
    const level = await lowestLoad(tx, batch.id, takenIds);
    if (level === null) throw new Error(`batch ${batch.id} has fewer than ${batch.questionsPerRater} tasks`);
    // Rows held by others are waited for; one they changed meanwhile is passed over, and the next
    // look finds where it went.
    taken.push(...(await takeTasks(tx, batch.id, keys.slice(taken.length), takenIds, { level, wait: true })));
  }
  return taken;
}

type TaskOptionRow = { task_id: string; id: string; kind: string };

/**
 * Takes up to `keys.length` tasks whose load is `level` (load + 1 and a new draw key each) and
 * returns them with their options; rows other raters hold are skipped, or with `wait` waited for.
 * The load condition is re-checked on rows another rater changed while this statement ran
 * (PostgreSQL re-evaluates WHERE on the new version of a row it locks), so a task just taken by
 * someone else is never taken again from a stale ordering, and loads stay within 1 of each other.
 */
async function takeTasks(tx: SqlStatements, batchId: string, keys: readonly number[], exclude: readonly string[], pick: { level: number; wait: boolean }): Promise<TaskOptionsForPlan[]> {
  // NO KEY: load and draw_key are in no unique index, so the UPDATE needs no more, and answers
  // being written to these tasks (their foreign key takes KEY SHARE) neither wait for a Start nor
  // make a first try pass their tasks over.
  const lock = pick.wait ? PrismaSql.sql`FOR NO KEY UPDATE` : PrismaSql.sql`FOR NO KEY UPDATE SKIP LOCKED`;
  const rows = await tx.rows<TaskOptionRow>(PrismaSql.sql`
    WITH chosen AS (
      SELECT id FROM tasks WHERE batch_id = ${batchId} AND NOT (id = ANY(${exclude}::text[])) AND load = ${pick.level}
      ORDER BY draw_key LIMIT ${keys.length} ${lock}
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
