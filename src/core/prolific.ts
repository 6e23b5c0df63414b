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
