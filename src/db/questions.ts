// What raters read and answer: a task's content and the one statement that stores an answer.
import { ANSWERING_BATCH_STATUSES } from '../core/participant-step.js';
import type { Prisma } from './connection.js';
import * as PrismaSql from './sql.js';
import { withRetry } from './errors.js';
import type { SqlRunner } from './sql-runner.js';
import { newId } from './ids.js';
import { selectedKindBits } from './kind-bits.js';
import { participantByCode } from './participants.js';

/** What a rater reads for a task: the prompt, the preferred (winning) response, the other one, and the option texts. */
export interface TaskContent {
  prompt: string;
  preferred: string;
  other: string;
  options: Map<string, string>;
}

export interface CurrentQuestion {
  /** The study question's 0-based position; for a check, the question it comes before. */
  position: number;
  /** 1-based, as the rater counts pages: attention checks included. */
  number: number;
  /** Study questions plus attention checks. */
  total: number;
  taskId: string;
  optionOrder: string[];
  preferredFirst: boolean;
  content: TaskContent;
  /** Set when the page is an attention check: its instruction replaces the question's text. */
  check: { wording: number; targetOptionId: string } | null;
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
export function taskContentOf(d: { prompt: string; responseA: string; responseB: string; winner: string }, options: Iterable<[string, string]>): TaskContent {
  const [preferred, other] = d.winner === 'model_a' ? [d.responseA, d.responseB] : [d.responseB, d.responseA];
  return { prompt: d.prompt, preferred, other, options: new Map(options) };
}

/** Who is answering: the batch and the secret code of the participant's cookie, checked by the statement itself. */
export interface RaterKey {
  batchId: string;
  code: string;
}

export type AnswerOutcome =
  | { status: 'stored'; completed: boolean }
  | { status: 'already-answered' }
  | { status: 'not-answering' }
  | { status: 'no-such-question' }
  | { status: 'not-shown' }
  | { status: 'invalid-options' }
  /** Options that are not the question's (a tampered or out-of-date form). */
  | { status: 'unknown-options' };

interface AnswerRow {
  rater: number;
  found: number;
  shown: boolean | null;
  valid: boolean | null;
  inserted: number;
  completed: number;
}

/**
 * Stores one answer exactly once, in one statement (one round trip on the raters' hot path): the
 * participant is found by their code and must be active in a batch that takes answers; the answer
 * is checked against the question shown (known position, shown by the server, options from its
 * own order), inserted behind the unique (participant, task) and (participant, position) keys, and
 * the participant completed when it is their last. A resubmit (reload, back button, double click,
 * second tab) inserts nothing; a retry after a lost connection is safe for the same reason.
 */
export async function submitAnswer(sql: SqlRunner, rater: RaterKey, input: { position: number; selectedOptionIds: readonly string[] }, now: Date): Promise<AnswerOutcome> {
  const selected = [...new Set(input.selectedOptionIds)];
  if (selected.length === 0) return { status: 'invalid-options' };
  const answerId = newId('a', 14);
  const rows = await withRetry(() => sql.rows<AnswerRow>(PrismaSql.sql`
    WITH ${answeringRater(rater)}, q AS (
      SELECT a.participant_id, a.position, a.task_id, a.option_order, a.shown_at
      FROM assignments a JOIN rater ON a.participant_id = rater.id
      WHERE a.position = ${input.position}
    ), ins AS (
      INSERT INTO answers (id, participant_id, task_id, position, selected_option_ids, selected_kinds, option_order, shown_at, answered_at)
      SELECT ${answerId}, q.participant_id, q.task_id, q.position,
             ARRAY(SELECT o FROM unnest(q.option_order) WITH ORDINALITY AS s(o, i) WHERE o = ANY(${selected}::text[]) ORDER BY i),
             ${selectedKindBits(PrismaSql.sql`q.task_id`, PrismaSql.sql`${selected}::text[]`)},
             q.option_order, q.shown_at, ${now}
      FROM q WHERE q.shown_at IS NOT NULL AND ${selected}::text[] <@ q.option_order
      ON CONFLICT DO NOTHING
      RETURNING participant_id
    ), last AS MATERIALIZED (
      -- Counted once (not per participant row the update visits). The statement's snapshot does
      -- not see its own insert: hence the + 1.
      SELECT ins.participant_id FROM ins
      WHERE (SELECT count(*) FROM answers WHERE participant_id = ins.participant_id) + 1
            >= (SELECT count(*) FROM assignments WHERE participant_id = ins.participant_id)
    ), done AS (
      UPDATE participants SET status = 'completed', completed_at = ${now}
      FROM last WHERE participants.id = last.participant_id AND participants.status = 'active'
      RETURNING participants.id
    )
    SELECT (SELECT count(*) FROM rater)::int AS rater,
           (SELECT count(*) FROM q)::int AS found,
           (SELECT shown_at IS NOT NULL FROM q) AS shown,
           (SELECT ${selected}::text[] <@ option_order FROM q) AS valid,
           (SELECT count(*) FROM ins)::int AS inserted,
           (SELECT count(*) FROM done)::int AS completed`));
  const r = rows[0];
  return refusal(r, r?.inserted ?? 0) ?? { status: 'stored', completed: r?.completed === 1 };
}

/**
 * CTEs p and rater: the participant behind the cookie code, only while they may answer (active, in
 * a batch that takes answers). Shared by answers and attention-check answers.
 */
export const answeringRater = (rater: RaterKey) => PrismaSql.sql`${participantByCode(rater.code)}, rater AS (
      SELECT p.id FROM p JOIN batches b ON b.id = p.batch_id
      WHERE p.batch_id = ${rater.batchId} AND p.status = 'active' AND b.status::text = ANY(${ANSWERING_BATCH_STATUSES}::text[])
    )`;

/** Why a submitted answer was not stored (null: it was), from the statement's checks in order. */
export function refusal(r: { rater: number; found: number; shown: boolean | null; valid: boolean | null } | undefined, written: number): Exclude<AnswerOutcome, { status: 'stored' }> | null {
  if (!r || r.rater === 0) return { status: 'not-answering' };
  if (r.found === 0) return { status: 'no-such-question' };
  // Only a question the server has shown can be answered: no skipping ahead with a crafted post.
  if (!r.shown) return { status: 'not-shown' };
  if (!r.valid) return { status: 'unknown-options' };
  if (written === 0) return { status: 'already-answered' };
  return null;
}
