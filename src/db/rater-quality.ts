// What the exclusion rules and the review look at, per rater, aggregated in SQL: attention-check
// outcomes, median seconds per study question, and questions with every option ticked.
import type { RaterQuality } from '../core/exclusions.js';
import * as PrismaSql from './sql.js';
import type { SqlStatements } from './sql-runner.js';

/** A rater's quality figures with the batch whose rules apply to them. */
export interface BatchRaterQuality extends RaterQuality {
  batchId: string;
  prolificPid: string;
  sessionId: string;
  status: string;
  evaluator: string;
  prolificStatus: string | null;
  sessionUnknown: boolean;
  reviewAction: string | null;
}

interface QualityRow {
  participant_id: string;
  batch_id: string;
  prolific_pid: string;
  session_id: string;
  status: string;
  evaluator: string;
  prolific_status: string | null;
  session_unknown: boolean;
  review_action: string | null;
  checks_answered: number;
  checks_failed: number;
  study_answers: number;
  median_seconds: number | null;
  all_ticked: number;
}

/** What to compute besides the attention checks: `answers` (counts, all-ticked) costs a pass over every answer, `medians` a sort of them. */
export interface QualityOptions {
  medians: boolean;
  answers?: boolean;
  /** Only these participants (a page of an export); default every participant of the batches. */
  participantIds?: readonly string[];
}

/**
 * The WITH clause both queries share: one pass over the batches' answers (`a`) and one over their
 * checks (`c`), grouped by participant. Every option ticked = all six kind bits (63).
 */
function qualityPerParticipant(ids: string[], only: PrismaSql.Sql, options: QualityOptions): PrismaSql.Sql {
  const withAnswers = options.answers ?? true;
  const median = options.medians
    ? PrismaSql.sql`percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.answered_at - a.shown_at)::float8)`
    : PrismaSql.sql`NULL::float8`;
  return PrismaSql.sql`
    WITH a AS (
      SELECT a.participant_id, count(*) AS n, ${median} AS median_seconds, count(*) FILTER (WHERE a.selected_kinds = 63) AS all_ticked
      FROM answers a JOIN participants p ON p.id = a.participant_id
      WHERE p.batch_id = ANY(${ids}::text[]) ${only} AND ${PrismaSql.raw(withAnswers || options.medians ? 'true' : 'false')}
      GROUP BY a.participant_id
    ), c AS (
      SELECT c.participant_id, count(*) FILTER (WHERE c.answered_at IS NOT NULL) AS answered, count(*) FILTER (WHERE c.passed = false) AS failed
      FROM attention_checks c JOIN participants p ON p.id = c.participant_id
      WHERE p.batch_id = ANY(${ids}::text[]) ${only}
      GROUP BY c.participant_id
    )`;
}

/**
 * Every participant of the batches with their quality figures (answers of any status counted).
 * Medians cost a sort of every answer: asked for only when a speeder rule or a page needs them;
 * without `answers` (no speeder or straight-liner rule to apply) the answers are not read at all.
 */
export async function listRaterQuality(sql: SqlStatements, batchIds: readonly string[], options: QualityOptions = { medians: true }): Promise<BatchRaterQuality[]> {
  const ids = [...batchIds];
  const only = options.participantIds ? PrismaSql.sql`AND p.id = ANY(${[...options.participantIds]}::text[])` : PrismaSql.empty;
  const rows = await sql.rows<QualityRow>(PrismaSql.sql`
    ${qualityPerParticipant(ids, only, options)}
    SELECT p.id AS participant_id, p.batch_id, p.prolific_pid, p.session_id, p.status::text AS status, p.evaluator,
           p.prolific_status, p.session_unknown, p.review_action,
           coalesce(c.answered, 0)::int AS checks_answered, coalesce(c.failed, 0)::int AS checks_failed,
           coalesce(a.n, 0)::int AS study_answers, a.median_seconds, coalesce(a.all_ticked, 0)::int AS all_ticked
    FROM participants p LEFT JOIN a ON a.participant_id = p.id LEFT JOIN c ON c.participant_id = p.id
    WHERE p.batch_id = ANY(${ids}::text[]) ${only}
    ORDER BY p.created_at, p.id`);
  return rows.map((r) => ({
    participantId: r.participant_id,
    batchId: r.batch_id,
    prolificPid: r.prolific_pid,
    sessionId: r.session_id,
    status: r.status,
    evaluator: r.evaluator,
    prolificStatus: r.prolific_status,
    sessionUnknown: r.session_unknown,
    reviewAction: r.review_action,
    checksAnswered: r.checks_answered,
    checksFailed: r.checks_failed,
    studyAnswers: r.study_answers,
    medianSeconds: r.median_seconds === null ? null : Number(r.median_seconds),
    allTicked: r.all_ticked,
  }));
}

/** What the exclusion rules look at for one rater, with the batch whose rules apply and who answered. */
export interface ExclusionCandidate extends RaterQuality {
  batchId: string;
  evaluator: string;
}

/**
 * The raters an exclusion rule could exclude, with only what the rules look at: those who failed
 * an attention check (every rule of failed checks needs at least one) and, with `answers` (a
 * speeder or straight-liner rule, which need answers), those who answered. Read beside the totals
 * of a metrics computation: at 1,000,000 answers the full report of every rater (listRaterQuality,
 * 50,000 rows of 14 columns, sorted) held a connection and a core for about 0.4 s.
 */
export async function listExclusionCandidates(sql: SqlStatements, batchIds: readonly string[], options: { medians: boolean; answers: boolean }): Promise<ExclusionCandidate[]> {
  const ids = [...batchIds];
  const rows = await sql.rows<Omit<QualityRow, 'prolific_pid' | 'session_id' | 'status' | 'prolific_status' | 'session_unknown' | 'review_action'>>(PrismaSql.sql`
    ${qualityPerParticipant(ids, PrismaSql.empty, options)}
    SELECT p.id AS participant_id, p.batch_id, p.evaluator,
           coalesce(c.answered, 0)::int AS checks_answered, coalesce(c.failed, 0)::int AS checks_failed,
           coalesce(a.n, 0)::int AS study_answers, a.median_seconds, coalesce(a.all_ticked, 0)::int AS all_ticked
    FROM participants p LEFT JOIN a ON a.participant_id = p.id LEFT JOIN c ON c.participant_id = p.id
    WHERE p.batch_id = ANY(${ids}::text[]) AND (c.failed > 0 OR ${PrismaSql.raw(options.answers ? 'a.n > 0' : 'false')})`);
  return rows.map((r) => ({
    participantId: r.participant_id,
    batchId: r.batch_id,
    evaluator: r.evaluator,
    checksAnswered: r.checks_answered,
    checksFailed: r.checks_failed,
    studyAnswers: r.study_answers,
    medianSeconds: r.median_seconds === null ? null : Number(r.median_seconds),
    allTicked: r.all_ticked,
  }));
}
