// The review before paying (issue 11.4): completed raters with their checks and exclusion flags,
// the proposed action per Prolific's policy (approve unless two checks failed), and applying it on
// Prolific: bulk approval, then a rejection (or a return request) per failing rater. Each action is
// recorded and audited as soon as Prolific accepted it, so a failure half-way loses nothing and a
// second run does not repeat what was done.
import { FAILED_CHECKS_REJECTION } from '../core/prolific.js';
import { reviewDecision, type ReviewDecision } from '../core/exclusions.js';
import type { Actor } from '../db/audit.js';
import type { Batch } from '../db/batches.js';
import type { Prisma } from '../db/connection.js';
import { recordReviewActions } from '../db/prolific-sync.js';
import type { SqlRunner } from '../db/sql-runner.js';
import { reportRaters, type RaterReport, type RulesOfBatch } from '../results/exclusions.js';
import type { ProlificClient } from './client.js';

export interface ReviewRow extends RaterReport {
  decision: ReviewDecision;
  /** False when already reviewed, or when Prolific no longer awaits a review of it. */
  pending: boolean;
}

export type FailedChecksAction = 'reject' | 'request-return';

/** Prolific statuses (normalized) a review may still act on; null: not synced yet, assumed awaiting. */
const REVIEWABLE = new Set([null, 'AWAITING_REVIEW']);

/** Completed human raters of the batch, each with the proposed decision. */
export async function buildReview(prisma: Prisma, batch: RulesOfBatch): Promise<ReviewRow[]> {
  const raters = await reportRaters(prisma, [batch]);
  return raters
    .filter((r) => r.evaluator === 'human' && (r.status === 'completed' || r.reviewAction !== null))
    .map((r) => ({ ...r, decision: reviewDecision(r), pending: r.reviewAction === null && REVIEWABLE.has(r.prolificStatus) }));
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

/** Applies the plan on Prolific (needs the batch's study id) and records each accepted action. */
export async function applyReview(
  db: { prisma: Prisma; sql: SqlRunner },
  client: ProlificClient,
  batch: Pick<Batch, 'id' | 'prolificStudyId'> & RulesOfBatch,
  options: { failedChecks: FailedChecksAction; now: () => Date; actor: Actor },
): Promise<ReviewApplied> {
  if (!batch.prolificStudyId) throw new Error('applyReview needs the batch\'s Prolific study id');
  const plan = planReview(await buildReview(db.prisma, batch));
  const applied: ReviewApplied = { approved: [], rejected: [], returnRequested: [] };
  if (plan.approve.length > 0) {
    await client.bulkApprove(batch.prolificStudyId, plan.approve.map((r) => r.prolificPid));
    await recordReviewActions(db.sql, batch.id, plan.approve.map((r) => ({ participantId: r.participantId, action: 'approved' })), options.now(), options.actor);
    applied.approved = plan.approve.map((r) => r.prolificPid);
  }
  for (const r of plan.reject) {
    if (options.failedChecks === 'reject') await client.reject(r.sessionId, FAILED_CHECKS_REJECTION);
    else await client.requestReturn(r.sessionId, [FAILED_CHECKS_REJECTION.message]);
    const action = options.failedChecks === 'reject' ? 'rejected' : 'return_requested';
    await recordReviewActions(db.sql, batch.id, [{ participantId: r.participantId, action }], options.now(), options.actor);
    (action === 'rejected' ? applied.rejected : applied.returnRequested).push(r.prolificPid);
  }
  return applied;
}
