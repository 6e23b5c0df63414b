// A rater's own view of the study: the participant behind a cookie code, with their batch and the
// question they are on. Each is one statement, because every query is a round trip on the hot path.
import { ANSWERING_BATCH_STATUSES } from '../core/participant-step.js';
import * as PrismaSql from './sql.js';
import type { Batch, Participant } from './generated/client.js';
import { withRetry } from './errors.js';
import { participantByCode, participantColumns, participantOf, type ParticipantRow } from './participants.js';
import type { SqlRunner } from './sql-runner.js';
import { taskContentOf, type CurrentQuestion, type RaterKey } from './questions.js';

/** What the rater's pages need of their batch (never the generation report). */
export type RaterBatch = Pick<Batch, 'id' | 'status' | 'questionsPerRater' | 'completionCode' | 'preferredSide' | 'seed' | 'maxMinutes' | 'attentionChecks' | 'comprehensionCheck'>;

export interface Rater {
  participant: Participant;
  batch: RaterBatch;
}

/** The rater and, when they are on a question (core's participantStep), that question with its content. */
export interface RaterPage extends Rater {
  question: CurrentQuestion | null;
}

interface RaterRow extends ParticipantRow {
  b_status: Batch['status'];
  b_questions: number;
  b_completion_code: string;
  b_preferred_side: Batch['preferredSide'];
  b_seed: number;
  b_max_minutes: number;
  b_attention_checks: number;
  b_comprehension_check: boolean;
}

interface QuestionRow {
  position: number | null;
  task_id: string | null;
  option_order: string[] | null;
  preferred_first: boolean | null;
  total: number | null;
  checks_before: number | null;
  check_wording: number | null;
  check_target: string | null;
  prompt: string | null;
  response_a: string | null;
  response_b: string | null;
  winner: string | null;
  options: [string, string][] | null;
}

const raterColumns = PrismaSql.sql`${participantColumns},
  b.status::text AS b_status, b.questions_per_rater AS b_questions, b.completion_code AS b_completion_code,
  b.preferred_side::text AS b_preferred_side, b.seed AS b_seed, b.max_minutes AS b_max_minutes,
  b.attention_checks AS b_attention_checks, b.comprehension_check AS b_comprehension_check`;

/** The participant holding this cookie code in this batch, with the batch. */
export async function findRaterByCode(sql: SqlRunner, key: RaterKey): Promise<Rater | null> {
  const rows = await withRetry(() => sql.rows<RaterRow>(PrismaSql.sql`
    WITH ${participantByCode(key.code)}
    SELECT ${raterColumns} FROM p JOIN batches b ON b.id = p.batch_id WHERE p.batch_id = ${key.batchId}`));
  return rows[0] ? raterOf(rows[0]) : null;
}

/**
 * Shows the rater the page they are on: the rater, and on the question step (active, started, batch taking
 * answers: core's participantStep) it also returns their first unanswered question with its
 * content, marked shown now if it was not yet (reloads keep the first time). An attention check
 * due before that question comes first, with its own option order and target.
 */
export async function showRaterPage(sql: SqlRunner, key: RaterKey, now: Date): Promise<RaterPage | null> {
  const rows = await withRetry(() => sql.rows<RaterRow & QuestionRow>(PrismaSql.sql`
    WITH ${participantByCode(key.code)}, r AS (
      SELECT ${raterColumns} FROM p JOIN batches b ON b.id = p.batch_id WHERE p.batch_id = ${key.batchId}
    ), cur AS (
      SELECT a.participant_id, a.position, a.task_id, a.option_order, a.preferred_first
      FROM r JOIN assignments a ON a.participant_id = r.id
      WHERE r.status = 'active' AND r.started_at IS NOT NULL AND r.b_status = ANY(${ANSWERING_BATCH_STATUSES}::text[])
        AND NOT EXISTS (SELECT 1 FROM answers x WHERE x.participant_id = a.participant_id AND x.position = a.position)
      ORDER BY a.position LIMIT 1
    ), chk AS (
      -- An unanswered attention check due before this question comes first.
      SELECT c.id, c.source_task_id, c.option_order, c.preferred_first, c.target_option_id, c.wording
      FROM cur JOIN attention_checks c ON c.participant_id = cur.participant_id AND c.before_position = cur.position
      WHERE c.answered_at IS NULL
    ), item AS (
      SELECT cur.participant_id, cur.position,
             coalesce(chk.source_task_id, cur.task_id) AS task_id, coalesce(chk.option_order, cur.option_order) AS option_order,
             coalesce(chk.preferred_first, cur.preferred_first) AS preferred_first, chk.id AS check_id,
             chk.wording AS check_wording, chk.target_option_id AS check_target
      FROM cur LEFT JOIN chk ON true
    ), shown AS (
      UPDATE assignments a SET shown_at = ${now} FROM item
      WHERE item.check_id IS NULL AND a.participant_id = item.participant_id AND a.position = item.position AND a.shown_at IS NULL
    ), check_shown AS (
      UPDATE attention_checks c SET shown_at = ${now} FROM item WHERE c.id = item.check_id AND c.shown_at IS NULL
    )
    SELECT r.*, item.position, item.task_id, item.option_order, item.preferred_first, item.check_wording, item.check_target,
           ((SELECT count(*) FROM assignments WHERE participant_id = item.participant_id)
             + (SELECT count(*) FROM attention_checks WHERE participant_id = item.participant_id))::int AS total,
           (SELECT count(*) FROM attention_checks c WHERE c.participant_id = item.participant_id
              AND (c.before_position < item.position OR (c.before_position = item.position AND item.check_id IS NULL)))::int AS checks_before,
           d.prompt, d.response_a, d.response_b, d.winner::text AS winner,
           (SELECT json_agg(json_build_array(o.id, o.text)) FROM task_options o WHERE o.task_id = item.task_id) AS options
    FROM r LEFT JOIN item ON true LEFT JOIN tasks t ON t.id = item.task_id LEFT JOIN datapoints d ON d.id = t.datapoint_id`));
  const r = rows[0];
  if (!r) return null;
  return { ...raterOf(r), question: questionOf(r) };
}

function raterOf(r: RaterRow): Rater {
  return {
    participant: participantOf(r),
    batch: { id: r.batch_id, status: r.b_status, questionsPerRater: r.b_questions, completionCode: r.b_completion_code, preferredSide: r.b_preferred_side, seed: r.b_seed, maxMinutes: r.b_max_minutes, attentionChecks: r.b_attention_checks, comprehensionCheck: r.b_comprehension_check },
  };
}

function questionOf(r: QuestionRow): CurrentQuestion | null {
  if (r.task_id === null || r.position === null || r.option_order === null || r.total === null) return null;
  const content = taskContentOf({ prompt: r.prompt ?? '', responseA: r.response_a ?? '', responseB: r.response_b ?? '', winner: r.winner ?? '' }, r.options ?? []);
  const check = r.check_wording !== null && r.check_target !== null ? { wording: r.check_wording, targetOptionId: r.check_target } : null;
  // Numbered as the rater meets them: the checks already behind them count.
  const number = r.position + 1 + (r.checks_before ?? 0);
  return { position: r.position, number, total: r.total, taskId: r.task_id, optionOrder: r.option_order, preferredFirst: r.preferred_first === true, content, check };
}
