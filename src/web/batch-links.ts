// The links a researcher pastes into Prolific and uses to preview a batch.
import type { Batch } from '../db/batches.js';

/** Prolific replaces the {{%...%}} placeholders with each participant's ids. */
export function participantUrl(baseUrl: string, batch: Pick<Batch, 'id'>): string {
  return `${baseUrl.replace(/\/$/, '')}/s/${batch.id}?PROLIFIC_PID={{%PROLIFIC_PID%}}&STUDY_ID={{%STUDY_ID%}}&SESSION_ID={{%SESSION_ID%}}`;
}

export function previewUrl(baseUrl: string, batch: Pick<Batch, 'id' | 'previewKey'>): string {
  return `${baseUrl.replace(/\/$/, '')}/s/${batch.id}/preview?key=${encodeURIComponent(batch.previewKey)}`;
}

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
    createdAt: batch.createdAt.toISOString(),
    openedAt: batch.openedAt?.toISOString() ?? null,
    closedAt: batch.closedAt?.toISOString() ?? null,
    generationReport: batch.generationReport,
  };
}
