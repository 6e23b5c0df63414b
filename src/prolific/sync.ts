// Prolific sync (issue 11.1): the study's submissions fetched from Prolific and recorded on the
// batch's participants; returned, timed-out and rejected ones free their places.
import type { Actor } from '../db/audit.js';
import type { Batch } from '../db/batches.js';
import { applySubmissionStatuses, type SyncOutcome } from '../db/prolific-sync.js';
import type { SqlRunner } from '../db/sql-runner.js';
import type { ProlificClient } from './client.js';

export type BatchSyncResult = ({ ok: true; submissions: number } & SyncOutcome) | { ok: false; reason: 'no-study-id' };

export async function syncBatchWithProlific(sql: SqlRunner, client: ProlificClient, batch: Pick<Batch, 'id' | 'prolificStudyId'>, now: Date, actor: Actor): Promise<BatchSyncResult> {
  if (!batch.prolificStudyId) return { ok: false, reason: 'no-study-id' };
  const submissions = await client.listSubmissions(batch.prolificStudyId);
  const outcome = await applySubmissionStatuses(sql, batch.id, submissions.map((s) => ({ sessionId: s.id, status: s.status })), now, actor);
  return { ok: true, submissions: submissions.length, ...outcome };
}

/** What a researcher reads after a sync (CLI, console, API message). */
export function describeSync(result: BatchSyncResult): string {
  if (!result.ok) return 'This batch has no Prolific study id yet: it is taken from the first rater who enters, or set it when creating the batch (--prolific-study-id).';
  const freed = result.freed.length ? `; freed the places of ${result.freed.length} participant(s) (${result.freed.map((f) => `${f.prolificPid} ${f.status}`).join(', ')})` : '; no place freed';
  const unknown = result.unknownSessions.length ? `; ${result.unknownSessions.length} participant(s) entered with a SESSION_ID that is not a submission of this study (flagged)` : '';
  const hint = result.matched === 0 && result.unknownSessions.length > 0 ? ' No participant matched: is the study id right? Correct it on the review page or with `prefbasis prolific study <batch> <id>`.' : '';
  return `Read ${result.submissions} submission(s) from Prolific; matched ${result.matched} participant(s)${freed}${unknown}.${hint}`;
}
