// What PrefBasis knows of Prolific, in one place (as potato keeps a platform in one module): the
// ids it sends, and the study links a researcher pastes into it.
import { z } from 'zod';

/** Prolific ids (PROLIFIC_PID, STUDY_ID, SESSION_ID) are 24 hexadecimal characters. */
export const prolificIdSchema = z.string().regex(/^[a-f0-9]{24}$/i);

/** Prolific replaces the {{%...%}} placeholders with each participant's ids. */
export function participantUrl(baseUrl: string, batch: { id: string }): string {
  return `${baseUrl.replace(/\/$/, '')}/s/${batch.id}?PROLIFIC_PID={{%PROLIFIC_PID%}}&STUDY_ID={{%STUDY_ID%}}&SESSION_ID={{%SESSION_ID%}}`;
}

export function previewUrl(baseUrl: string, batch: { id: string; previewKey: string }): string {
  return `${baseUrl.replace(/\/$/, '')}/s/${batch.id}/preview?key=${encodeURIComponent(batch.previewKey)}`;
}

/** A study id typed by a researcher (form, CLI, API). */
export const prolificStudyIdSchema = z
  .string()
  .trim()
  .regex(/^[a-f0-9]{24}$/i, "must be the Prolific study id: 24 hexadecimal characters, as in the study's URL")
  // Stored in lower case, as the STUDY_ID of entries is.
  .transform((s) => s.toLowerCase());

/** Prolific's completion link for a code (SPEC 5). */
export function completionUrl(completeBaseUrl: string, completionCode: string): string {
  return `${completeBaseUrl}?cc=${encodeURIComponent(completionCode)}`;
}

/**
 * A submission status in one spelling: Prolific writes `AWAITING REVIEW`, `AWAITING_REVIEW`,
 * `TIMED-OUT` (PROLIFIC.md); PrefBasis stores upper case with underscores.
 */
export function normalizeSubmissionStatus(status: string): string {
  return status.trim().toUpperCase().replace(/[\s-]+/g, '_');
}

/** What a sync does with a participant whose submission has this (normalized) status. */
export type SubmissionEffect = 'free-returned' | 'free-timed-out' | 'free-rejected' | 'keep';

/** Returned, timed-out and rejected submissions lose their place on Prolific: free ours too (PROLIFIC.md). */
export function submissionEffect(normalizedStatus: string): SubmissionEffect {
  if (normalizedStatus === 'RETURNED') return 'free-returned';
  if (normalizedStatus === 'TIMED_OUT') return 'free-timed-out';
  if (normalizedStatus === 'REJECTED') return 'free-rejected';
  return 'keep';
}

/** Prolific's rejection category for failed attention checks, and the message the participant reads. */
export const FAILED_CHECKS_REJECTION = {
  category: 'FAILED_CHECK',
  message: 'You failed two or more of the attention checks in this study, each of which told you exactly which option to tick.',
} as const;
