// Raters of a batch: entry, consent, task assignment and answers. Built for many raters at once:
// each step is one statement (or one short transaction) that holds no batch-wide lock, and every
// write that must not be lost or doubled sits behind a unique constraint.
import { randomBytes } from 'node:crypto';
import { drawKeys, planQuestions, type TaskOptionsForPlan } from '../core/assignment.js';
import { decideResume } from '../core/participant-step.js';
import { deriveRng } from '../core/rng.js';
import type { Prisma } from './connection.js';
import { Prisma as PrismaSql, type Batch, type Participant } from './generated/client.js';
import { withRetry } from './errors.js';
import { newId } from './ids.js';

export type { Participant };

/** What the rater's pages need of their batch (never the generation report). */
export type RaterBatch = Pick<Batch, 'id' | 'status' | 'questionsPerRater' | 'completionCode' | 'preferredSide' | 'seed'>;

export function findParticipantByPid(prisma: Prisma, batchId: string, prolificPid: string): Promise<Participant | null> {
  return prisma.participant.findUnique({ where: { batchId_prolificPid: { batchId, prolificPid: prolificPid.toLowerCase() } } });
}

interface RaterRow {
  id: string;
  batch_id: string;
  code: string;
  prolific_pid: string;
  study_id: string;
  session_id: string;
  status: Participant['status'];
  evaluator: string;
  created_at: Date;
  consented_at: Date | null;
  started_at: Date | null;
  declined_at: Date | null;
  completed_at: Date | null;
  b_status: Batch['status'];
  b_questions: number;
  b_completion_code: string;
  b_preferred_side: Batch['preferredSide'];
  b_seed: number;
}

/** The participant holding this cookie code in this batch, with the batch: one indexed read per page. */
export async function findRaterByCode(prisma: Prisma, batchId: string, code: string): Promise<{ participant: Participant; batch: RaterBatch } | null> {
  const rows = await withRetry(() => prisma.$queryRaw<RaterRow[]>`
    SELECT p.id, p.batch_id, p.code, p.prolific_pid, p.study_id, p.session_id, p.status::text AS status, p.evaluator,
           p.created_at, p.consented_at, p.started_at, p.declined_at, p.completed_at,
           b.status::text AS b_status, b.questions_per_rater AS b_questions, b.completion_code AS b_completion_code,
           b.preferred_side::text AS b_preferred_side, b.seed AS b_seed
    FROM participants p JOIN batches b ON b.id = p.batch_id
    WHERE p.code = ${code} AND p.batch_id = ${batchId}`);
  const r = rows[0];
  if (!r) return null;
  return {
    participant: {
      id: r.id,
      batchId: r.batch_id,
      code: r.code,
      prolificPid: r.prolific_pid,
      studyId: r.study_id,
      sessionId: r.session_id,
      status: r.status,
      evaluator: r.evaluator,
      createdAt: r.created_at,
      consentedAt: r.consented_at,
      startedAt: r.started_at,
      declinedAt: r.declined_at,
      completedAt: r.completed_at,
    },
    batch: { id: r.batch_id, status: r.b_status, questionsPerRater: r.b_questions, completionCode: r.b_completion_code, preferredSide: r.b_preferred_side, seed: r.b_seed },
  };
}

export interface ProlificIds {
  prolificPid: string;
  studyId: string;
  sessionId: string;
}

export type TakePlaceOutcome = { ok: true; participant: Participant } | { ok: false; reason: 'full' | 'not-open' | 'already-entered' };

/**
 * A new participant for this PROLIFIC_PID if the batch is open and has a place left. One statement
 * takes the place (an atomic counter) and inserts the participant, so concurrent entries can never
 * overfill the batch, and a batch that is not open gets nothing written.
 */
export async function takePlace(prisma: Prisma, batchId: string, ids: ProlificIds, now: Date): Promise<TakePlaceOutcome> {
  const id = newId('p', 12);
  const code = randomBytes(24).toString('base64url');
  const pid = ids.prolificPid.toLowerCase();
  const rows = await prisma.$queryRaw<{ place: number; inserted: number; open: number }[]>`
    WITH place AS (
      UPDATE batches SET places_taken = places_taken + 1
      WHERE id = ${batchId} AND status = 'open' AND places_taken < target_raters
        AND NOT EXISTS (SELECT 1 FROM participants WHERE batch_id = ${batchId} AND prolific_pid = ${pid})
      RETURNING id
    ), ins AS (
      INSERT INTO participants (id, batch_id, code, prolific_pid, study_id, session_id, status, evaluator, created_at)
      SELECT ${id}, place.id, ${code}, ${pid}, ${ids.studyId.toLowerCase()}, ${ids.sessionId.toLowerCase()}, 'consenting', 'human', ${now}
      FROM place
      ON CONFLICT (batch_id, prolific_pid) DO NOTHING
      RETURNING id
    )
    SELECT (SELECT count(*) FROM place)::int AS place, (SELECT count(*) FROM ins)::int AS inserted,
           (SELECT count(*) FROM batches WHERE id = ${batchId} AND status = 'open')::int AS open`;
  const r = rows[0] ?? { place: 0, inserted: 0, open: 0 };
  if (r.inserted === 1) {
    return { ok: true, participant: await prisma.participant.findUniqueOrThrow({ where: { id } }) };
  }
  if (r.place === 1) {
    // Lost a race with the same PROLIFIC_PID entering twice at once: give the place back.
    await prisma.$executeRaw`UPDATE batches SET places_taken = places_taken - 1 WHERE id = ${batchId}`;
    return { ok: false, reason: 'already-entered' };
  }
  if (!r.open) return { ok: false, reason: 'not-open' };
  const existing = await findParticipantByPid(prisma, batchId, pid);
  return existing ? { ok: false, reason: 'already-entered' } : { ok: false, reason: 'full' };
}

export type EntryOutcome =
  | { ok: true; participant: Participant; resumed: boolean }
  | { ok: false; reason: 'full' | 'not-open' | 'other-session' };

/**
 * The participant for this PROLIFIC_PID: the existing one when the person proves it is them (their
 * cookie, or the SESSION_ID they entered with), else a new one if the batch is open and has room.
 */
export async function enterBatch(prisma: Prisma, batchId: string, ids: ProlificIds, cookieCode: string | null, now: Date): Promise<EntryOutcome> {
  // Twice at most: a lost race with the same PROLIFIC_PID leaves the winner to be found on the second pass.
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await withRetry(() => findParticipantByPid(prisma, batchId, ids.prolificPid));
    if (existing) {
      const decision = decideResume(existing, { cookieCode, sessionId: ids.sessionId.toLowerCase() });
      return decision === 'resume' ? { ok: true, participant: existing, resumed: true } : { ok: false, reason: 'other-session' };
    }
    const taken = await withRetry(() => takePlace(prisma, batchId, ids, now));
    if (taken.ok) return { ok: true, participant: taken.participant, resumed: false };
    if (taken.reason !== 'already-entered') return { ok: false, reason: taken.reason };
  }
  return { ok: false, reason: 'other-session' };
}

export async function recordConsent(prisma: Prisma, participant: Pick<Participant, 'id'>, now: Date): Promise<void> {
  await withRetry(() =>
    prisma.participant.updateMany({
      where: { id: participant.id, status: 'consenting' },
      data: { status: 'active', consentedAt: now },
    }),
  );
}

/** Declining gives the place back (same statement as the status change, so the count stays exact). */
export async function recordDecline(prisma: Prisma, participant: Pick<Participant, 'id'>, now: Date): Promise<void> {
  await withRetry(() => prisma.$executeRaw`
    WITH gone AS (
      UPDATE participants SET status = 'declined', declined_at = ${now}
      WHERE id = ${participant.id} AND status = 'consenting' RETURNING batch_id
    )
    UPDATE batches SET places_taken = places_taken - 1 FROM gone WHERE batches.id = gone.batch_id`);
}

/**
 * Marks a participant who left without finishing (returned or timed out on Prolific) as returned:
 * their place and their unanswered tasks go back to the pool; the answers they gave stay stored
 * (and keep counting in their tasks' load). Returns false for a participant who completed,
 * declined or is unknown.
 */
export async function markReturned(prisma: Prisma, batchId: string, participantId: string): Promise<boolean> {
  const rows = await prisma.$queryRaw<{ gone: number }[]>`
    WITH gone AS (
      UPDATE participants SET status = 'returned'
      WHERE id = ${participantId} AND batch_id = ${batchId} AND status IN ('consenting', 'active')
      RETURNING id, batch_id
    ), freed AS (
      UPDATE tasks SET load = tasks.load - 1
      FROM assignments a, gone
      WHERE a.participant_id = gone.id AND tasks.id = a.task_id
        AND NOT EXISTS (SELECT 1 FROM answers x WHERE x.participant_id = a.participant_id AND x.task_id = a.task_id)
    ), place AS (
      UPDATE batches SET places_taken = places_taken - 1 FROM gone WHERE batches.id = gone.batch_id
    )
    SELECT (SELECT count(*) FROM gone)::int AS gone`;
  return rows[0]?.gone === 1;
}

/**
 * Assigns the rater's questions (once): the least-loaded tasks of the batch, taken with
 * FOR UPDATE SKIP LOCKED so concurrent raters take different tasks without waiting on each other,
 * then shuffled per rater (core/assignment.ts). Costs O(questions), not O(tasks): an index on
 * (batch, load, draw key) serves the pick. The transaction locks only this participant and the
 * rows it takes.
 */
export async function startQuestions(prisma: Prisma, batch: Pick<Batch, 'id' | 'seed' | 'questionsPerRater' | 'preferredSide'>, participant: Pick<Participant, 'id'>, now: Date): Promise<void> {
  const rng = deriveRng(batch.seed, `rater:${participant.id}`);
  const keys = drawKeys(batch.questionsPerRater, rng);
  await withRetry(() => prisma.$transaction(async (tx) => {
    // The guard and the lock in one: a second Start (double click, second tab) finds started_at set.
    const started = await tx.$executeRaw`
      UPDATE participants SET started_at = ${now} WHERE id = ${participant.id} AND status = 'active' AND started_at IS NULL`;
    if (started !== 1) return;
    // The lowest load level first, then the next one; rows other raters are taking are skipped.
    const lowest = await tx.task.aggregate({ where: { batchId: batch.id }, _min: { load: true } });
    const taken: TaskOptionsForPlan[] = [];
    for (const level of [0, 1].map((offset) => (lowest._min.load ?? 0) + offset)) {
      if (taken.length < batch.questionsPerRater) taken.push(...(await takeTasks(tx, batch.id, keys.slice(taken.length), taken.map((t) => t.taskId), { level })));
    }
    if (taken.length < batch.questionsPerRater) {
      // Almost every task is being taken by other raters right now (a small batch): wait for them.
      // A deadlock, should one arise, aborts one side with 40P01 and withRetry runs it again.
      taken.push(...(await takeTasks(tx, batch.id, keys.slice(taken.length), taken.map((t) => t.taskId), 'wait')));
    }
    if (taken.length < batch.questionsPerRater) throw new Error(`batch ${batch.id} has fewer than ${batch.questionsPerRater} tasks`);
    const planned = planQuestions(taken, batch.preferredSide, rng);
    await tx.assignment.createMany({
      data: planned.map((q, position) => ({ participantId: participant.id, position, taskId: q.taskId, optionOrder: q.optionOrder, preferredFirst: q.preferredFirst })),
    });
    // Raters arriving together queue for the pool's connections: wait for one rather than fail.
  }, { maxWait: 15_000, timeout: 15_000 }));
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
  tx: Pick<Prisma, '$queryRaw'>,
  batchId: string,
  keys: readonly number[],
  exclude: readonly string[],
  pick: { level: number } | 'wait',
): Promise<TaskOptionsForPlan[]> {
  const choice =
    pick === 'wait'
      ? PrismaSql.sql`ORDER BY load, draw_key LIMIT ${keys.length} FOR UPDATE`
      : PrismaSql.sql`AND load = ${pick.level} ORDER BY draw_key LIMIT ${keys.length} FOR UPDATE SKIP LOCKED`;
  const rows = await tx.$queryRaw<TaskOptionRow[]>`
    WITH chosen AS (
      SELECT id FROM tasks WHERE batch_id = ${batchId} AND NOT (id = ANY(${exclude}::text[])) ${choice}
    ), keyed AS (SELECT id, row_number() OVER () AS n FROM chosen), taken AS (
      UPDATE tasks SET load = tasks.load + 1, draw_key = (${keys}::float8[])[keyed.n]
      FROM keyed WHERE tasks.id = keyed.id RETURNING tasks.id
    )
    SELECT o.task_id, o.id, o.kind::text AS kind FROM task_options o JOIN taken ON o.task_id = taken.id`;
  return groupOptions(rows);
}

function groupOptions(rows: readonly TaskOptionRow[]): TaskOptionsForPlan[] {
  const byTask = new Map<string, { id: string; kind: string }[]>();
  for (const r of rows) byTask.set(r.task_id, [...(byTask.get(r.task_id) ?? []), { id: r.id, kind: r.kind }]);
  return [...byTask].map(([taskId, options]) => ({ taskId, options }));
}

/** What a rater reads for a task: the prompt, the preferred (winning) response, the other one, and the option texts. */
export interface TaskContent {
  prompt: string;
  preferred: string;
  other: string;
  options: Map<string, string>;
}

export interface CurrentQuestion {
  position: number;
  total: number;
  taskId: string;
  optionOrder: string[];
  preferredFirst: boolean;
  content: TaskContent;
}

interface CurrentQuestionRow {
  position: number;
  task_id: string;
  option_order: string[];
  preferred_first: boolean;
  total: number;
  prompt: string;
  response_a: string;
  response_b: string;
  winner: string;
  options: [string, string][];
}

/**
 * The participant's first unanswered question with its content, marked shown now if it was not
 * yet (reloads keep the first time): one statement, because every query costs a round trip on the
 * raters' hot path. Null when every question is answered.
 */
export async function showCurrentQuestion(prisma: Prisma, participantId: string, now: Date): Promise<CurrentQuestion | null> {
  const rows = await withRetry(() => prisma.$queryRaw<CurrentQuestionRow[]>`
    WITH cur AS (
      SELECT a.participant_id, a.position, a.task_id, a.option_order, a.preferred_first, a.shown_at
      FROM assignments a
      WHERE a.participant_id = ${participantId}
        AND NOT EXISTS (SELECT 1 FROM answers x WHERE x.participant_id = a.participant_id AND x.position = a.position)
      ORDER BY a.position LIMIT 1
    ), shown AS (
      UPDATE assignments a SET shown_at = ${now} FROM cur
      WHERE a.participant_id = cur.participant_id AND a.position = cur.position AND a.shown_at IS NULL
    )
    SELECT cur.position, cur.task_id, cur.option_order, cur.preferred_first,
           (SELECT count(*) FROM assignments WHERE participant_id = ${participantId})::int AS total,
           d.prompt, d.response_a, d.response_b, d.winner::text AS winner,
           (SELECT json_agg(json_build_array(o.id, o.text)) FROM task_options o WHERE o.task_id = cur.task_id) AS options
    FROM cur JOIN tasks t ON t.id = cur.task_id JOIN datapoints d ON d.id = t.datapoint_id`);
  const r = rows[0];
  if (!r) return null;
  return {
    position: r.position,
    total: r.total,
    taskId: r.task_id,
    optionOrder: r.option_order,
    preferredFirst: r.preferred_first,
    content: taskContentOf({ prompt: r.prompt, responseA: r.response_a, responseB: r.response_b, winner: r.winner }, r.options),
  };
}

/** A frozen task's content (the preview; raters get it with their question). */
export async function findTaskContent(prisma: Prisma, taskId: string): Promise<TaskContent> {
  const task = await prisma.task.findUniqueOrThrow({
    where: { id: taskId },
    select: { options: { select: { id: true, text: true } }, datapoint: { select: { prompt: true, responseA: true, responseB: true, winner: true } } },
  });
  return taskContentOf(task.datapoint, task.options.map((o) => [o.id, o.text]));
}

/** The datapoint seen from the rater's side: the winner's response is the preferred one. */
function taskContentOf(d: { prompt: string; responseA: string; responseB: string; winner: string }, options: Iterable<[string, string]>): TaskContent {
  const [preferred, other] = d.winner === 'model_a' ? [d.responseA, d.responseB] : [d.responseB, d.responseA];
  return { prompt: d.prompt, preferred, other, options: new Map(options) };
}

export type AnswerOutcome =
  | { status: 'stored'; completed: boolean }
  | { status: 'already-answered' }
  | { status: 'no-such-question' }
  | { status: 'not-shown' }
  | { status: 'invalid-options' };

/**
 * Stores one answer exactly once, in one statement: checked against the question shown (known
 * position, shown by the server, options from its own order), inserted behind the unique
 * (participant, task) and (participant, position) keys, and the participant completed when it is
 * their last. A resubmit (reload, back button, double click, second tab) inserts nothing; a retry
 * after a lost connection is safe for the same reason.
 */
export async function submitAnswer(
  prisma: Prisma,
  participant: Pick<Participant, 'id'>,
  input: { position: number; selectedOptionIds: readonly string[] },
  now: Date,
): Promise<AnswerOutcome> {
  const selected = [...new Set(input.selectedOptionIds)];
  if (selected.length === 0) return { status: 'invalid-options' };
  const answerId = newId('a', 14);
  const rows = await withRetry(() => prisma.$queryRaw<{ found: number; shown: boolean | null; valid: boolean | null; inserted: number; completed: number }[]>`
    WITH q AS (
      SELECT participant_id, position, task_id, option_order, shown_at FROM assignments
      WHERE participant_id = ${participant.id} AND position = ${input.position}
        AND EXISTS (SELECT 1 FROM participants WHERE id = ${participant.id} AND status = 'active')
    ), ins AS (
      INSERT INTO answers (id, participant_id, task_id, position, selected_option_ids, option_order, shown_at, answered_at)
      SELECT ${answerId}, q.participant_id, q.task_id, q.position,
             ARRAY(SELECT o FROM unnest(q.option_order) WITH ORDINALITY AS s(o, i) WHERE o = ANY(${selected}::text[]) ORDER BY i),
             q.option_order, q.shown_at, ${now}
      FROM q WHERE q.shown_at IS NOT NULL AND ${selected}::text[] <@ q.option_order
      ON CONFLICT DO NOTHING
      RETURNING participant_id
    ), done AS (
      UPDATE participants SET status = 'completed', completed_at = ${now}
      FROM ins
      WHERE participants.id = ins.participant_id AND participants.status = 'active'
        AND (SELECT count(*) FROM answers WHERE participant_id = ${participant.id}) + 1
            >= (SELECT count(*) FROM assignments WHERE participant_id = ${participant.id})
      RETURNING participants.id
    )
    SELECT (SELECT count(*) FROM q)::int AS found,
           (SELECT shown_at IS NOT NULL FROM q) AS shown,
           (SELECT ${selected}::text[] <@ option_order FROM q) AS valid,
           (SELECT count(*) FROM ins)::int AS inserted,
           (SELECT count(*) FROM done)::int AS completed`);
  const r = rows[0];
  if (!r || r.found === 0) return { status: 'no-such-question' };
  // Only a question the server has shown can be answered: no skipping ahead with a crafted post.
  if (!r.shown) return { status: 'not-shown' };
  if (!r.valid) return { status: 'invalid-options' };
  if (r.inserted === 0) return { status: 'already-answered' };
  return { status: 'stored', completed: r.completed === 1 };
}

/** Who answered: `human` for Prolific raters, a model's name or `simulated` otherwise. */
export async function setParticipantEvaluator(prisma: Prisma, participantId: string, evaluator: string): Promise<void> {
  await prisma.participant.update({ where: { id: participantId }, data: { evaluator } });
}
