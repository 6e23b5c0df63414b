// Abandoned places come back by themselves (issue 11.1): a participant still consenting or
// answering past the batch's maximum time is timed out, and in the same transaction their place and
// unanswered tasks are freed and the audit rows written. Safe to run from several processes at
// once: a participant is timed out by whichever transaction locks them first, and the others skip
// them when PostgreSQL re-checks the status after the lock.
import type { Actor } from './audit.js';
import { withRetry } from './errors.js';
import { Prisma as PrismaSql } from './generated/client.js';
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
        RETURNING p.id, p.batch_id, p.prolific_pid, b.max_minutes`);
      if (gone.length === 0) return [];
      await releaseHolds(tx, gone.map((g) => g.id));
      await tx.rows(PrismaSql.sql`
        INSERT INTO audit_events (id, account_id, actor, action, batch_id, details, created_at)
        SELECT 'ev_' || substr(md5(random()::text || g.id), 1, 12), ${actor.accountId}::text, ${actor.name}, 'participant.timed_out', g.batch_id,
               jsonb_build_object('participantId', g.id, 'prolificPid', g.prolific_pid, 'maxMinutes', g.max_minutes), ${now}
        FROM json_to_recordset(${JSON.stringify(gone)}::json) AS g(id text, batch_id text, prolific_pid text, max_minutes int)`);
      return gone.map((g) => ({ participantId: g.id, batchId: g.batch_id })).sort((a, b) => a.batchId.localeCompare(b.batchId) || a.participantId.localeCompare(b.participantId));
    }),
  );
}
