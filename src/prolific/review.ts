// The review before paying (issue 11.4): completed raters with their checks and exclusion flags,
// the proposed action per Prolific's policy (approve unless two checks failed), and applying it on
// Prolific: bulk approval, then a rejection (or a return request) per failing rater. Each action is
// claimed first and recorded (audited) as soon as Prolific accepted it, so a failure half-way loses
// nothing and no run, even two at once, repeats what was done.
import { FAILED_CHECKS_REJECTION } from '../core/prolific.js';
import { reviewDecision, type ReviewDecision } from '../core/exclusions.js';
import type { Actor } from '../db/audit.js';
import type { Batch } from '../db/batches.js';
import { claimForReview, recordReviewActions, releaseReviewClaims } from '../db/prolific-sync.js';
import type { SqlRunner } from '../db/sql-runner.js';
import { reportRaters, type RaterReport, type RulesOfBatch } from '../results/exclusions.js';
import type { ProlificClient } from './client.js';
import { syncBatchWithProlific } from './sync.js';

export interface ReviewRow extends RaterReport {
  decision: ReviewDecision;
  /** True when nothing was done yet and Prolific awaits a review (or has not been asked yet). */
  pending: boolean;
}

export type FailedChecksAction = 'reject' | 'request-return';

/** Completed human raters of the batch (and any already reviewed), each with the proposed decision. */
export async function buildReview(sql: SqlRunner, batch: RulesOfBatch): Promise<ReviewRow[]> {
  const raters = await reportRaters(sql, [batch]);
  return raters
    .filter((r) => r.evaluator === 'human' && (r.status === 'completed' || r.reviewAction !== null))
    .map((r) => ({
      ...r,
      decision: reviewDecision(r),
      // A made-up entry (its SESSION_ID is no submission of the study) is never sent to Prolific.
      pending: r.reviewAction === null && !r.sessionUnknown && (r.prolificStatus === null || r.prolificStatus === 'AWAITING_REVIEW'),
    }));
}

export interface ReviewPlan {
  approve: ReviewRow[];
  reject: ReviewRow[];
}

export function planReview(rows: readonly ReviewRow[]): ReviewPlan {
  const pending = rows.filter((r) => r.pending);
  return { approve: pending.filter((r) => r.decision === 'approve'), reject: pending.filter((r) => r.decision === 'reject') };
}

export interface ReviewApplied {
  approved: string[];
  rejected: string[];
  returnRequested: string[];
}

type ReviewBatch = Pick<Batch, 'id' | 'prolificStudyId'> & RulesOfBatch;
type ReviewDb = { sql: SqlRunner };

/**
 * Applies the plan on Prolific. It syncs first, so only submissions Prolific shows AWAITING_REVIEW
 * are acted on; each participant is claimed before the call (two reviews at once never act twice)
 * and the action recorded once Prolific accepted it, or the claim given back if it refused.
 */
export async function applyReview(db: ReviewDb, client: ProlificClient, batch: ReviewBatch, options: { failedChecks: FailedChecksAction; now: () => Date; actor: Actor }): Promise<ReviewApplied> {
  if (!batch.prolificStudyId) throw new Error("applyReview needs the batch's Prolific study id");
  await syncBatchWithProlific(db.sql, client, batch, options.now(), options.actor);
  const plan = planReview((await buildReview(db.sql, batch)).filter((r) => r.prolificStatus === 'AWAITING_REVIEW'));
  const applied: ReviewApplied = { approved: [], rejected: [], returnRequested: [] };
  const approve = await claimed(db, batch, plan.approve, options.now());
  if (approve.length > 0) {
    await actOrRelease(db, batch, approve, () => client.bulkApprove(batch.prolificStudyId as string, approve.map((r) => r.prolificPid)));
    await recordReviewActions(db.sql, batch.id, approve.map((r) => ({ participantId: r.participantId, action: 'approved' })), options.now(), options.actor);
    applied.approved = approve.map((r) => r.prolificPid);
  }
  const action = options.failedChecks === 'reject' ? 'rejected' : 'return_requested';
  for (const r of await claimed(db, batch, plan.reject, options.now())) {
    await actOrRelease(db, batch, [r], () =>
      options.failedChecks === 'reject' ? client.reject(r.sessionId, FAILED_CHECKS_REJECTION) : client.requestReturn(r.sessionId, [FAILED_CHECKS_REJECTION.message]),
    );
    await recordReviewActions(db.sql, batch.id, [{ participantId: r.participantId, action }], options.now(), options.actor);
    (action === 'rejected' ? applied.rejected : applied.returnRequested).push(r.prolificPid);
  }
  return applied;
}

async function claimed(db: ReviewDb, batch: ReviewBatch, rows: readonly ReviewRow[], now: Date): Promise<ReviewRow[]> {
  const ids = new Set(await claimForReview(db.sql, batch.id, rows.map((r) => r.participantId), now));
  return rows.filter((r) => ids.has(r.participantId));
}

async function actOrRelease(db: ReviewDb, batch: ReviewBatch, rows: readonly ReviewRow[], call: () => Promise<void>): Promise<void> {
  try {
    await call();
  } catch (err) {
    await releaseReviewClaims(db.sql, batch.id, rows.map((r) => r.participantId));
    throw err;
  }
}

/** Shown to a participant asked to return after failing the comprehension question (PROLIFIC.md). */
export const COMPREHENSION_RETURN_REASON = 'You did not answer the question about the task correctly in two tries, so this study is not a good fit; please return it (you are not rejected).';

/**
 * Prolific's return flow for a failed comprehension question: asks Prolific to request the return
 * of the participant's submission (never a rejection), claimed first and recorded as
 * `return_requested` (audited) once Prolific accepted, so it is asked once.
 */
export async function requestComprehensionReturn(sql: SqlRunner, client: ProlificClient, participant: { id: string; batchId: string; sessionId: string }, now: Date, actor: Actor): Promise<boolean> {
  const [claimed] = await claimForReview(sql, participant.batchId, [participant.id], now);
  if (!claimed) return false;
  try {
    await client.requestReturn(participant.sessionId, [COMPREHENSION_RETURN_REASON]);
  } catch (err) {
    await releaseReviewClaims(sql, participant.batchId, [participant.id]);
    throw err;
  }
  await recordReviewActions(sql, participant.batchId, [{ participantId: participant.id, action: 'return_requested' }], now, actor);
  return true;
}
