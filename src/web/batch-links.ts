// A batch as the API and the CLI show it.
import type { Batch } from '../db/batches.js';

/** Settings and state of a batch as the API and CLI show them. */
export function presentBatch(batch: Batch) {
  return {
    id: batch.id,
    name: batch.name,
    datasetId: batch.datasetId,
    status: batch.status,
    questions: batch.questionsPerRater,
    raters: batch.targetRaters,
    seed: batch.seed,
    completionCode: batch.completionCode,
    ratingsPerTask: batch.ratingsPerTask,
    preferredSide: batch.preferredSide,
    categoryDraw: batch.categoryDraw,
    maxMinutes: batch.maxMinutes,
    attentionChecks: batch.attentionChecks,
    comprehensionCheck: batch.comprehensionCheck,
    prolificStudyId: batch.prolificStudyId,
    excludeFailedChecks: batch.excludeFailedChecks,
    excludeSpeederSeconds: batch.excludeSpeederSeconds,
    excludeStraightLinerPercent: batch.excludeStraightLinerPercent,
    createdAt: batch.createdAt.toISOString(),
    openedAt: batch.openedAt?.toISOString() ?? null,
    closedAt: batch.closedAt?.toISOString() ?? null,
    generationReport: batch.generationReport,
  };
}
