// Prolific sync (issue 11.1): the study's submissions fetched from Prolific and recorded on the
// batch's participants; returned, timed-out and rejected ones free their places.
import type { Actor } from '../db/audit.js';
import type { Batch } from '../db/batches.js';
import { applySubmissionStatuses, raiseMaxMinutes, type SyncOutcome } from '../db/prolific-sync.js';
import type { SqlRunner } from '../db/sql-runner.js';
import { ProlificApiError, type ProlificClient } from './client.js';

export type BatchSyncResult = ({ ok: true; submissions: number; maxMinutesRaised: { from: number; to: number } | null } & SyncOutcome) | { ok: false; reason: 'no-study-id' };

export async function syncBatchWithProlific(sql: SqlRunner, client: ProlificClient, batch: Pick<Batch, 'id' | 'prolificStudyId'>, now: Date, actor: Actor): Promise<BatchSyncResult> {
  if (!batch.prolificStudyId) return { ok: false, reason: 'no-study-id' };
  const submissions = await client.listSubmissions(batch.prolificStudyId);
  const outcome = await applySubmissionStatuses(sql, batch.id, submissions.map((s) => ({ sessionId: s.id, status: s.status })), now, actor);
  const maxMinutesRaised = await matchStudyTimeLimit(sql, client, batch, now, actor);
  return { ok: true, submissions: submissions.length, maxMinutesRaised, ...outcome };
}

/** The batch's minutes per rater raised to Prolific's time for the study when shorter (null: unchanged). */
async function matchStudyTimeLimit(sql: SqlRunner, client: ProlificClient, batch: Pick<Batch, 'id' | 'prolificStudyId'>, now: Date, actor: Actor): Promise<{ from: number; to: number } | null> {
  let limit: number | null;
  try {
    limit = await client.getStudyTimeLimit(batch.prolificStudyId as string);
  } catch (err) {
    // Places are freed already; a study Prolific will not show now (no access, down) leaves the
    // minutes as they are until the next sync.
    if (err instanceof ProlificApiError) return null;
    throw err;
  }
  if (limit === null) return null;
  const to = Math.ceil(limit);
  const from = await raiseMaxMinutes(sql, batch.id, to, now, actor);
  return from === null ? null : { from, to };
}

/** What a researcher reads after a sync (CLI, console, API message). */
export function describeSync(result: BatchSyncResult): string {
  if (!result.ok) return 'This batch has no Prolific study id yet: it is taken from the first rater who enters, or set it when creating the batch (--prolific-study-id).';
  const freed = result.freed.length ? `; freed the places of ${result.freed.length} participant(s) (${result.freed.map((f) => `${f.prolificPid} ${f.status}`).join(', ')})` : '; no place freed';
  const unknown = result.unknownSessions.length ? `; ${result.unknownSessions.length} participant(s) entered with a SESSION_ID that is not a submission of this study (flagged)` : '';
  const hint = result.matched === 0 && result.unknownSessions.length > 0 ? ' No participant matched: is the study id right? Correct it on the review page or with `prefbasis prolific study <batch> <id>`.' : '';
  const raised = result.maxMinutesRaised ? ` Raised the batch's minutes per rater from ${result.maxMinutesRaised.from} to ${result.maxMinutesRaised.to}, Prolific's maximum time for the study, so nobody Prolific still lets work is timed out here.` : '';
  return `Read ${result.submissions} submission(s) from Prolific; matched ${result.matched} participant(s)${freed}${unknown}.${hint}${raised}`;
}
