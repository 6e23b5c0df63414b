// What the exclusion rules and the review look at, per rater, aggregated in SQL: attention-check
// outcomes, median seconds per study question, and questions with every option ticked.
import type { ExclusionRules, RaterQuality } from '../core/exclusions.js';
import type { Prisma } from './connection.js';
import { Prisma as PrismaSql, type Batch } from './generated/client.js';

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

/** Every participant of the batches with their quality figures (answers of any status counted). */
export async function listRaterQuality(prisma: Prisma, batchIds: readonly string[]): Promise<BatchRaterQuality[]> {
  const rows = await prisma.$queryRaw<QualityRow[]>(PrismaSql.sql`
    SELECT p.id AS participant_id, p.batch_id, p.prolific_pid, p.session_id, p.status::text AS status, p.evaluator,
           p.prolific_status, p.session_unknown, p.review_action,
           coalesce(c.answered, 0)::int AS checks_answered, coalesce(c.failed, 0)::int AS checks_failed,
           coalesce(a.n, 0)::int AS study_answers, a.median_seconds, coalesce(a.all_ticked, 0)::int AS all_ticked
    FROM participants p
    LEFT JOIN LATERAL (
      SELECT count(*) FILTER (WHERE answered_at IS NOT NULL) AS answered, count(*) FILTER (WHERE passed = false) AS failed
      FROM attention_checks WHERE participant_id = p.id
    ) c ON true
    LEFT JOIN LATERAL (
      SELECT count(*) AS n,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM answered_at - shown_at)::float8) AS median_seconds,
             count(*) FILTER (WHERE cardinality(selected_option_ids) = cardinality(option_order)) AS all_ticked
      FROM answers WHERE participant_id = p.id
    ) a ON true
    WHERE p.batch_id = ANY(${[...batchIds]}::text[])
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

/** A batch's exclusion rules as core reads them. */
export function exclusionRulesOfBatch(batch: Pick<Batch, 'excludeFailedChecks' | 'excludeSpeederSeconds' | 'excludeStraightLinerPercent'>): ExclusionRules {
  return { failedChecks: batch.excludeFailedChecks, speederSeconds: batch.excludeSpeederSeconds, straightLinerPercent: batch.excludeStraightLinerPercent };
}
