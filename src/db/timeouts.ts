// Abandoned places come back by themselves (issue 11.1): a participant still consenting or
// answering past the batch's maximum time is timed out, and in the same transaction their place and
// unanswered tasks are freed and the audit rows written. Safe to run from several processes at
// once: a participant is timed out by whichever transaction locks them first, and the others skip
// them when PostgreSQL re-checks the status after the lock.
import { insertAuditEvents, type Actor } from './audit.js';
import { withRetry } from './errors.js';
import * as PrismaSql from './sql.js';
import { releaseHolds } from './participants.js';
import type { SqlRunner } from './sql-runner.js';

export interface TimedOutParticipant {
  participantId: string;
  batchId: string;
}

export interface TimeoutScope {
  /** Only this batch's participants (default: every batch). */
  batchId?: string | null;
  /** With Prolific sync on: never time out a participant whose submission Prolific last showed ACTIVE. */
  keepProlificActive?: boolean;
}

/** Times out every participant past their batch's maximum time (within the scope). */
export async function timeOutAbandonedParticipants(sql: SqlRunner, now: Date, actor: Actor, scope: TimeoutScope = {}): Promise<TimedOutParticipant[]> {
  const batchId = scope.batchId ?? null;
  const keepActive = scope.keepProlificActive ?? false;
  return withRetry(() =>
    sql.transaction(async (tx) => {
      // The status change first: it waits for a Start or an answer still running for these raters.
      const gone = await tx.rows<{ id: string; batch_id: string; prolific_pid: string; max_minutes: number }>(PrismaSql.sql`
        UPDATE participants p SET status = 'timed_out', timed_out_at = ${now}
        FROM batches b
        WHERE b.id = p.batch_id AND p.status IN ('consenting', 'active')
          AND p.created_at <= ${now}::timestamp - make_interval(mins => b.max_minutes)
          AND (${batchId}::text IS NULL OR p.batch_id = ${batchId}::text)
          AND NOT (${keepActive}::boolean AND p.prolific_status IS NOT DISTINCT FROM 'ACTIVE')
          -- An LLM evaluator's run holds no place and may take hours: never timed out.
          AND NOT EXISTS (SELECT 1 FROM llm_runs r WHERE r.participant_id = p.id)
        RETURNING p.id, p.batch_id, p.prolific_pid, b.max_minutes`);
      if (gone.length === 0) return [];
      await releaseHolds(tx, gone.map((g) => g.id));
      await insertAuditEvents(
        tx,
        actor,
        gone.map((g) => ({ action: 'participant.timed_out', batchId: g.batch_id, details: { participantId: g.id, prolificPid: g.prolific_pid, maxMinutes: g.max_minutes } })),
        now,
      );
      return gone.map((g) => ({ participantId: g.id, batchId: g.batch_id })).sort((a, b) => a.batchId.localeCompare(b.batchId) || a.participantId.localeCompare(b.participantId));
    }),
  );
}
