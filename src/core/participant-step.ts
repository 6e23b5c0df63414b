// The study's rules for raters, in one place: who may enter, who may answer, and which page a
// participant is on. The server keeps the place; routes only turn a step into a page (as oTree's
// page lookup does).
export type BatchStatusName = 'draft' | 'open' | 'paused' | 'closed';
export type ParticipantStatusName = 'consenting' | 'declined' | 'active' | 'completed' | 'returned' | 'timed_out' | 'rejected' | 'failed_comprehension';

/**
 * Raters already in a batch may go on while it is open or paused, and after it is closed (closing
 * only stops new entries: nobody is stranded mid-session; the maximum time still applies).
 */
export const ANSWERING_BATCH_STATUSES: readonly BatchStatusName[] = ['open', 'paused', 'closed'];

export function acceptsAnswers(status: BatchStatusName): boolean {
  return ANSWERING_BATCH_STATUSES.includes(status);
}

export type ParticipantStep = 'complete' | 'declined' | 'timed-out' | 'comprehension-failed' | 'closed' | 'consent' | 'instructions' | 'question';

/** The page a participant is on, from their status and the batch's. */
export function participantStep(participant: { status: ParticipantStatusName; startedAt: Date | null; completedAt?: Date | null }, batch: { status: BatchStatusName }): ParticipantStep {
  // A rater who finished keeps their completion page, whatever Prolific did later (a rejection).
  if (participant.status === 'completed' || participant.completedAt) return 'complete';
  if (participant.status === 'timed_out') return 'timed-out';
  if (participant.status === 'failed_comprehension') return 'comprehension-failed';
  if (participant.status === 'declined' || participant.status === 'returned' || participant.status === 'rejected') return 'declined';
  if (!acceptsAnswers(batch.status)) return 'closed';
  if (participant.status === 'consenting') return 'consent';
  return participant.startedAt ? 'question' : 'instructions';
}

/** Whether Start may hand out questions now: only on the instructions page. */
export function mayStart(participant: Parameters<typeof participantStep>[0], batch: { status: BatchStatusName }): boolean {
  return participantStep(participant, batch) === 'instructions';
}

export type EntryPage = 'not-open' | 'full' | 'closed' | 'other-session';

/**
 * The page for someone the batch did not let in: a draft or paused batch is "not open right now", a
 * closed one "closed" (also when it closed while the request ran), a full one "full".
 */
export function entryRefusalPage(reason: 'full' | 'not-open' | 'other-session', batch: { status: BatchStatusName }): EntryPage {
  if (reason !== 'not-open') return reason;
  return batch.status === 'closed' ? 'closed' : 'not-open';
}

export type ResumeDecision = 'resume' | 'other-session';

/**
 * A PROLIFIC_PID alone does not open someone's session (ids show up in screenshots and links):
 * resuming needs the participant's own cookie or the Prolific SESSION_ID they entered with.
 */
export function decideResume(participant: { code: string; sessionId: string }, given: { cookieCode: string | null; sessionId: string }): ResumeDecision {
  if (given.cookieCode !== null && given.cookieCode === participant.code) return 'resume';
  return given.sessionId === participant.sessionId ? 'resume' : 'other-session';
}
