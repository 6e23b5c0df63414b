// What a Prolific sync and a review write: each participant's submission status, the places of
// returned, timed-out and rejected submissions freed, unknown SESSION_IDs flagged, review outcomes;
// every change audited in the transaction that makes it.
import { submissionEffect } from '../core/prolific.js';
import { insertAuditEvents, type Actor } from './audit.js';
import { withRetry } from './errors.js';
import * as PrismaSql from './sql.js';
import { releaseHolds } from './participants.js';
import type { SqlRunner } from './sql-runner.js';

/** A submission as the sync needs it: its id (our SESSION_ID) and its status, normalized. */
export interface SubmissionStatus {
  sessionId: string;
  status: string;
}

export interface SyncOutcome {
  /** Participants whose submission was found. */
  matched: number;
  /** Participants whose place this sync freed, with their new status. */
  freed: { participantId: string; prolificPid: string; status: 'returned' | 'timed_out' | 'rejected' }[];
  /** Participants whose SESSION_ID is not a submission of the batch's study. */
  unknownSessions: string[];
}

const NEW_STATUS = { 'free-returned': 'returned', 'free-timed-out': 'timed_out', 'free-rejected': 'rejected' } as const;

/**
 * Records the study's submission statuses on the batch's (human) participants, in one transaction.
 * A returned, timed-out or rejected submission frees the place and unanswered tasks of a
 * participant still holding one (answers kept), as a timeout does.
 */
export async function applySubmissionStatuses(sql: SqlRunner, batchId: string, submissions: readonly SubmissionStatus[], now: Date, actor: Actor): Promise<SyncOutcome> {
  const rows = submissions.map((s) => {
    const effect = submissionEffect(s.status);
    return { session_id: s.sessionId.toLowerCase(), status: s.status, new_status: effect === 'keep' ? null : NEW_STATUS[effect] };
  });
  const given = PrismaSql.sql`json_to_recordset(${JSON.stringify(rows)}::json) AS s(session_id text, status text, new_status text)`;
  return withRetry(() =>
    sql.transaction(async (tx) => {
      // The status change first, as in a timeout: it waits for the rater's running Start or answer.
      const freed = await tx.rows<{ id: string; prolific_pid: string; status: 'returned' | 'timed_out' | 'rejected' }>(PrismaSql.sql`
        UPDATE participants p SET status = s.new_status::"ParticipantStatus",
          timed_out_at = CASE WHEN s.new_status = 'timed_out' THEN ${now}::timestamp ELSE p.timed_out_at END
        FROM ${given}
        WHERE p.batch_id = ${batchId} AND p.evaluator = 'human' AND p.session_id = s.session_id
          AND s.new_status IS NOT NULL AND p.status IN ('consenting', 'active', 'completed')
        RETURNING p.id, p.prolific_pid, p.status::text AS status`);
      if (freed.length > 0) await releaseHolds(tx, freed.map((f) => f.id));
      const matched = await tx.rows<{ id: string }>(PrismaSql.sql`
        UPDATE participants p SET prolific_status = s.status, prolific_synced_at = ${now}, session_unknown = false
        FROM ${given}
        WHERE p.batch_id = ${batchId} AND p.evaluator = 'human' AND p.session_id = s.session_id
        RETURNING p.id`);
      const unknown = await tx.rows<{ id: string }>(PrismaSql.sql`
        UPDATE participants p SET session_unknown = true, prolific_synced_at = ${now}
        WHERE p.batch_id = ${batchId} AND p.evaluator = 'human'
          AND NOT EXISTS (SELECT 1 FROM ${given} WHERE s.session_id = p.session_id)
        RETURNING p.id`);
      const events = [
        ...freed.map((f) => ({ action: `participant.${f.status}`, batchId, details: { participantId: f.id, prolificPid: f.prolific_pid, source: 'prolific-sync' } })),
        { action: 'batch.prolific_sync', batchId, details: { submissions: submissions.length, matched: matched.length, freed: freed.length, unknownSessions: unknown.length } },
      ];
      await insertAuditEvents(tx, actor, events, now);
      return {
        matched: matched.length,
        freed: freed.map((f) => ({ participantId: f.id, prolificPid: f.prolific_pid, status: f.status })),
        unknownSessions: unknown.map((u) => u.id).sort(),
      };
    }),
  );
}

/**
 * DECISIONS: a batch's minutes per rater are never shorter than Prolific's time for the study when
 * sync is on (a rater Prolific still lets work must not be timed out here). Raises them to
 * `minutes` when shorter, audited; returns the minutes before, or null when nothing changed.
 */
export async function raiseMaxMinutes(sql: SqlRunner, batchId: string, minutes: number, now: Date, actor: Actor): Promise<number | null> {
  return sql.transaction(async (tx) => {
    const [row] = await tx.rows<{ before: number }>(PrismaSql.sql`
      UPDATE batches b SET max_minutes = ${minutes}::int FROM (SELECT id, max_minutes AS before FROM batches WHERE id = ${batchId} FOR UPDATE) old
      WHERE b.id = old.id AND old.before < ${minutes}::int RETURNING old.before`);
    if (!row) return null;
    await insertAuditEvents(tx, actor, [{ action: 'batch.max_minutes', batchId, details: { from: row.before, to: minutes, reason: "Prolific's maximum allowed time for the study" } }], now);
    return row.before;
  });
}

/** A claim older than this is taken to be left by a process that stopped half-way: claimable again. */
const STALE_CLAIM_MINUTES = 10;

/**
 * Claims participants for a review action, so that two reviews running at once never act twice on
 * one participant (the second finds them claimed). Returns the ids claimed now.
 */
export async function claimForReview(sql: SqlRunner, batchId: string, participantIds: readonly string[], now: Date): Promise<string[]> {
  if (participantIds.length === 0) return [];
  const rows = await withRetry(() => sql.rows<{ id: string }>(PrismaSql.sql`
    UPDATE participants SET review_action = 'claimed', reviewed_at = ${now}
    WHERE batch_id = ${batchId} AND id = ANY(${[...participantIds]}::text[])
      AND (review_action IS NULL OR (review_action = 'claimed' AND reviewed_at < ${now}::timestamp - make_interval(mins => ${STALE_CLAIM_MINUTES}::int)))
    RETURNING id`));
  return rows.map((r) => r.id);
}

/** Gives claims back after Prolific refused the action (nothing was done to these participants). */
export async function releaseReviewClaims(sql: SqlRunner, batchId: string, participantIds: readonly string[]): Promise<void> {
  if (participantIds.length === 0) return;
  await withRetry(() => sql.rows(PrismaSql.sql`
    UPDATE participants SET review_action = NULL, reviewed_at = NULL
    WHERE batch_id = ${batchId} AND id = ANY(${[...participantIds]}::text[]) AND review_action = 'claimed'`));
}

/** Records what a review did on Prolific for participants it had claimed (approved, rejected, return_requested). */
export async function recordReviewActions(sql: SqlRunner, batchId: string, actions: readonly { participantId: string; action: 'approved' | 'rejected' | 'return_requested' }[], now: Date, actor: Actor): Promise<void> {
  if (actions.length === 0) return;
  await withRetry(() =>
    sql.transaction(async (tx) => {
      const done = await tx.rows<{ id: string; prolific_pid: string; review_action: string }>(PrismaSql.sql`
        UPDATE participants p SET review_action = r.action, reviewed_at = ${now},
          prolific_status = CASE r.action WHEN 'approved' THEN 'APPROVED' WHEN 'rejected' THEN 'REJECTED' ELSE p.prolific_status END
        FROM json_to_recordset(${JSON.stringify(actions.map((a) => ({ id: a.participantId, action: a.action })))}::json) AS r(id text, action text)
        WHERE p.id = r.id AND p.batch_id = ${batchId} AND p.review_action = 'claimed'
        RETURNING p.id, p.prolific_pid, p.review_action`);
      const rejected = done.filter((d) => d.review_action === 'rejected').map((d) => d.id);
      // A rejected submission's place opens again on Prolific: free ours too.
      const freed = await tx.rows<{ id: string }>(PrismaSql.sql`
        UPDATE participants SET status = 'rejected' WHERE id = ANY(${rejected}::text[]) AND status IN ('consenting', 'active', 'completed') RETURNING id`);
      if (freed.length > 0) await releaseHolds(tx, freed.map((f) => f.id));
      await insertAuditEvents(tx, actor, done.map((d) => ({ action: `participant.review.${d.review_action}`, batchId, details: { participantId: d.id, prolificPid: d.prolific_pid } })), now);
    }),
  );
}

/** Sets (or corrects) the Prolific study a batch runs as, audited. */
export async function setProlificStudyId(sql: SqlRunner, batchId: string, studyId: string, now: Date, actor: Actor): Promise<void> {
  await withRetry(() =>
    sql.transaction(async (tx) => {
      const [before] = await tx.rows<{ prolific_study_id: string | null }>(PrismaSql.sql`
        SELECT prolific_study_id FROM batches WHERE id = ${batchId} FOR UPDATE`);
      await tx.rows(PrismaSql.sql`UPDATE batches SET prolific_study_id = ${studyId} WHERE id = ${batchId}`);
      await insertAuditEvents(tx, actor, [{ action: 'batch.prolific_study', batchId, details: { from: before?.prolific_study_id ?? null, to: studyId } }], now);
    }),
  );
}
