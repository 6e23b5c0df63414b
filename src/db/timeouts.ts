// Abandoned places come back by themselves (issue 11.1): a participant still consenting or
// answering past the batch's maximum time is timed out, in one statement that frees their place
// and their unanswered tasks and writes the audit rows. Safe to run from several processes at
// once: a participant is timed out by whichever statement locks them first, and the others skip
// them when PostgreSQL re-checks the status after the lock.
import type { Actor } from './audit.js';
import { Prisma as PrismaSql } from './generated/client.js';
import type { SqlRunner } from './sql-runner.js';

export interface TimedOutParticipant {
  participantId: string;
  batchId: string;
}

/** Times out every participant past their batch's maximum time (or only those of `batchId`). */
export async function timeOutAbandonedParticipants(sql: SqlRunner, now: Date, actor: Actor, batchId: string | null = null): Promise<TimedOutParticipant[]> {
  const rows = await sql.rows<{ id: string; batch_id: string }>(PrismaSql.sql`
    WITH gone AS (
      UPDATE participants p SET status = 'timed_out', timed_out_at = ${now}
      FROM batches b
      WHERE b.id = p.batch_id AND p.status IN ('consenting', 'active')
        AND p.created_at <= ${now}::timestamp - make_interval(mins => b.max_minutes)
        AND (${batchId}::text IS NULL OR p.batch_id = ${batchId}::text)
      RETURNING p.id, p.batch_id, p.prolific_pid, b.max_minutes
    ), freed AS (
      -- Counted per task first: one UPDATE changes a row once, however many timed-out raters held it.
      UPDATE tasks SET load = tasks.load - f.n
      FROM (
        SELECT a.task_id, count(*)::int AS n FROM assignments a JOIN gone ON a.participant_id = gone.id
        WHERE NOT EXISTS (SELECT 1 FROM answers x WHERE x.participant_id = a.participant_id AND x.task_id = a.task_id)
        GROUP BY a.task_id
      ) f
      WHERE tasks.id = f.task_id
    ), places AS (
      UPDATE batches SET places_taken = batches.places_taken - g.n
      FROM (SELECT batch_id, count(*)::int AS n FROM gone GROUP BY batch_id) g
      WHERE batches.id = g.batch_id
    ), audit AS (
      INSERT INTO audit_events (id, account_id, actor, action, batch_id, details, created_at)
      SELECT 'ev_' || substr(md5(random()::text || gone.id), 1, 12), ${actor.accountId}::text, ${actor.name}, 'participant.timed_out', gone.batch_id,
             jsonb_build_object('participantId', gone.id, 'prolificPid', gone.prolific_pid, 'maxMinutes', gone.max_minutes), ${now}
      FROM gone
    )
    SELECT id, batch_id FROM gone ORDER BY batch_id, id`);
  return rows.map((r) => ({ participantId: r.id, batchId: r.batch_id }));
}
