// Participants of a batch: entry, consent, decline and return. Built for many raters at once: each
// step is one statement that holds no batch-wide lock, and the place counter moves in the same
// statement as the status it follows.
import { randomBytes } from 'node:crypto';
import { decideResume } from '../core/participant-step.js';
import { insertAuditEvents, type Actor } from './audit.js';
import type { Prisma } from './connection.js';
import * as PrismaSql from './sql.js';
import type { Participant } from './generated/client.js';
import { withRetry } from './errors.js';
import { newId } from './ids.js';
import type { SqlRunner, SqlStatements } from './sql-runner.js';

export type { Participant };

/** A participants row (alias p) as a Participant: columns to select and the mapping back. */
export const participantColumns = PrismaSql.sql`
  p.id, p.batch_id, p.code, p.prolific_pid, p.study_id, p.session_id, p.status::text AS status, p.evaluator,
  p.created_at, p.consented_at, p.started_at, p.declined_at, p.completed_at, p.timed_out_at,
  p.prolific_status, p.prolific_synced_at, p.session_unknown, p.review_action, p.reviewed_at,
  p.comprehension_tries, p.comprehension_passed_at`;

export interface ParticipantRow {
  id: string;
  batch_id: string;
  code: string;
  prolific_pid: string;
  study_id: string;
  session_id: string;
  status: Participant['status'];
  evaluator: string;
  created_at: Date;
  consented_at: Date | null;
  started_at: Date | null;
  declined_at: Date | null;
  completed_at: Date | null;
  timed_out_at: Date | null;
  prolific_status: string | null;
  prolific_synced_at: Date | null;
  session_unknown: boolean;
  review_action: string | null;
  reviewed_at: Date | null;
  comprehension_tries: number;
  comprehension_passed_at: Date | null;
}

export function participantOf(r: ParticipantRow): Participant {
  return {
    id: r.id,
    batchId: r.batch_id,
    code: r.code,
    prolificPid: r.prolific_pid,
    studyId: r.study_id,
    sessionId: r.session_id,
    status: r.status,
    evaluator: r.evaluator,
    createdAt: r.created_at,
    consentedAt: r.consented_at,
    startedAt: r.started_at,
    declinedAt: r.declined_at,
    completedAt: r.completed_at,
    timedOutAt: r.timed_out_at,
    prolificStatus: r.prolific_status,
    prolificSyncedAt: r.prolific_synced_at,
    sessionUnknown: r.session_unknown,
    reviewAction: r.review_action,
    reviewedAt: r.reviewed_at,
    comprehensionTries: r.comprehension_tries,
    comprehensionPassedAt: r.comprehension_passed_at,
  };
}

/**
 * The participant by their unique cookie code, as a CTE named p, materialised: on its own the
 * planner may look the code up through the (batch, PROLIFIC_PID) index instead, reading every
 * participant of the batch.
 */
export const participantByCode = (code: string) => PrismaSql.sql`p AS MATERIALIZED (SELECT * FROM participants WHERE code = ${code})`;

export async function findParticipantByPid(sql: SqlRunner, batchId: string, prolificPid: string): Promise<Participant | null> {
  const [row] = await sql.rows<ParticipantRow>(PrismaSql.sql`
    SELECT ${participantColumns} FROM participants p WHERE p.batch_id = ${batchId} AND p.prolific_pid = ${prolificPid.toLowerCase()}`);
  return row ? participantOf(row) : null;
}

export interface ProlificIds {
  prolificPid: string;
  studyId: string;
  sessionId: string;
}

export type TakePlaceOutcome = { ok: true; participant: Participant } | { ok: false; reason: 'full' | 'not-open' | 'already-entered' };

/**
 * A new participant for this PROLIFIC_PID if the batch is open and has a place left. One statement
 * takes the place (an atomic counter) and inserts the participant, so concurrent entries can never
 * overfill the batch, and a batch that is not open gets nothing written.
 */
export async function takePlace(sql: SqlRunner, batchId: string, ids: ProlificIds, now: Date): Promise<TakePlaceOutcome> {
  const participant: Participant = {
    id: newId('p', 12),
    batchId,
    code: randomBytes(24).toString('base64url'),
    prolificPid: ids.prolificPid.toLowerCase(),
    studyId: ids.studyId.toLowerCase(),
    sessionId: ids.sessionId.toLowerCase(),
    status: 'consenting',
    evaluator: 'human',
    createdAt: now,
    consentedAt: null,
    startedAt: null,
    declinedAt: null,
    completedAt: null,
    timedOutAt: null,
    prolificStatus: null,
    prolificSyncedAt: null,
    sessionUnknown: false,
    reviewAction: null,
    reviewedAt: null,
    comprehensionTries: 0,
    comprehensionPassedAt: null,
  };
  const { id, code, prolificPid: pid } = participant;
  const rows = await sql.rows<{ place: number; inserted: number; open: number }>(PrismaSql.sql`
    WITH place AS (
      -- The batch learns its Prolific study from its first rater, unless the researcher set it.
      UPDATE batches SET places_taken = places_taken + 1, prolific_study_id = coalesce(prolific_study_id, ${participant.studyId})
      WHERE id = ${batchId} AND status = 'open' AND places_taken < target_raters
        AND NOT EXISTS (SELECT 1 FROM participants WHERE batch_id = ${batchId} AND prolific_pid = ${pid})
      RETURNING id
    ), ins AS (
      INSERT INTO participants (id, batch_id, code, prolific_pid, study_id, session_id, status, evaluator, created_at)
      SELECT ${id}, place.id, ${code}, ${pid}, ${participant.studyId}, ${participant.sessionId}, 'consenting', 'human', ${now}
      FROM place
      ON CONFLICT (batch_id, prolific_pid) DO NOTHING
      RETURNING id
    )
    SELECT (SELECT count(*) FROM place)::int AS place, (SELECT count(*) FROM ins)::int AS inserted,
           (SELECT count(*) FROM batches WHERE id = ${batchId} AND status = 'open')::int AS open`);
  const r = rows[0] ?? { place: 0, inserted: 0, open: 0 };
  // The row is exactly what was inserted: no need to read it back.
  if (r.inserted === 1) return { ok: true, participant };
  if (r.place === 1) {
    // Lost a race with the same PROLIFIC_PID entering twice at once: give the place back.
    await sql.rows(PrismaSql.sql`UPDATE batches SET places_taken = places_taken - 1 WHERE id = ${batchId}`);
    return { ok: false, reason: 'already-entered' };
  }
  if (!r.open) return { ok: false, reason: 'not-open' };
  const existing = await findParticipantByPid(sql, batchId, pid);
  return existing ? { ok: false, reason: 'already-entered' } : { ok: false, reason: 'full' };
}

export type EntryOutcome =
  | { ok: true; participant: Participant; resumed: boolean }
  | { ok: false; reason: 'full' | 'not-open' | 'other-session' };

/**
 * The participant for this PROLIFIC_PID: the existing one when the person proves it is them (their
 * cookie, or the SESSION_ID they entered with), else a new one if the batch is open and has room.
 */
export async function enterBatch(sql: SqlRunner, batchId: string, ids: ProlificIds, cookieCode: string | null, now: Date): Promise<EntryOutcome> {
  // Twice at most: a lost race with the same PROLIFIC_PID leaves the winner to be found on the second pass.
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await withRetry(() => findParticipantByPid(sql, batchId, ids.prolificPid));
    if (existing) {
      const decision = decideResume(existing, { cookieCode, sessionId: ids.sessionId.toLowerCase() });
      return decision === 'resume' ? { ok: true, participant: existing, resumed: true } : { ok: false, reason: 'other-session' };
    }
    const taken = await withRetry(() => takePlace(sql, batchId, ids, now));
    if (taken.ok) return { ok: true, participant: taken.participant, resumed: false };
    if (taken.reason !== 'already-entered') return { ok: false, reason: taken.reason };
  }
  return { ok: false, reason: 'other-session' };
}

export async function recordConsent(sql: SqlRunner, participant: Pick<Participant, 'id'>, now: Date): Promise<void> {
  await withRetry(() => sql.rows(PrismaSql.sql`
    UPDATE participants SET status = 'active', consented_at = ${now} WHERE id = ${participant.id} AND status = 'consenting'`));
}

/** Declining gives the place back (same statement as the status change, so the count stays exact). */
export async function recordDecline(prisma: Prisma, participant: Pick<Participant, 'id'>, now: Date): Promise<void> {
  await withRetry(() => prisma.$executeRaw`
    WITH gone AS (
      UPDATE participants SET status = 'declined', declined_at = ${now}
      WHERE id = ${participant.id} AND status = 'consenting' RETURNING batch_id
    )
    UPDATE batches SET places_taken = places_taken - 1 FROM gone WHERE batches.id = gone.batch_id`);
}

/**
 * Marks a participant who left without finishing (returned or timed out on Prolific) as returned:
 * their place and their unanswered tasks go back to the pool; the answers they gave stay stored
 * (and keep counting in their tasks' load). Returns false for a participant who completed,
 * declined or is unknown.
 */
export async function markReturned(sql: SqlRunner, batchId: string, participantId: string, now: Date, actor: Actor): Promise<boolean> {
  // Retried (a deadlock with a Start waiting on the same task rows, a lost connection): the status
  // check makes a second run give nothing back twice if the first one did commit.
  return withRetry(() => sql.transaction(async (tx) => {
    const gone = await tx.rows(PrismaSql.sql`
      UPDATE participants SET status = 'returned'
      WHERE id = ${participantId} AND batch_id = ${batchId} AND status IN ('consenting', 'active')
        -- An LLM evaluator's run holds no place: giving one back would let one rater too many in.
        AND NOT EXISTS (SELECT 1 FROM llm_runs r WHERE r.participant_id = participants.id)
      RETURNING id`);
    if (gone.length === 0) return false;
    await releaseHolds(tx, [participantId]);
    await insertAuditEvents(tx, actor, [{ action: 'participant.return', batchId, details: { participant: participantId } }], now);
    return true;
  }));
}

/**
 * Gives back the places and unanswered tasks of participants the same transaction has just moved
 * out of a place-holding status (returned, timed out). That status change waited for any Start or
 * answer still running for them, and these statements, each with a fresh snapshot, see what those
 * wrote. Answers stay and keep counting in their tasks' load.
 */
export async function releaseHolds(tx: SqlStatements, participantIds: readonly string[]): Promise<void> {
  // Counted per task first: one UPDATE changes a row once, however many of these raters held it.
  await tx.rows(PrismaSql.sql`
    UPDATE tasks SET load = tasks.load - f.n
    FROM (
      SELECT a.task_id, count(*)::int AS n FROM assignments a
      WHERE a.participant_id = ANY(${participantIds}::text[])
        AND NOT EXISTS (SELECT 1 FROM answers x WHERE x.participant_id = a.participant_id AND x.task_id = a.task_id)
      GROUP BY a.task_id
    ) f
    WHERE tasks.id = f.task_id`);
  await tx.rows(PrismaSql.sql`
    UPDATE batches SET places_taken = batches.places_taken - g.n
    FROM (SELECT batch_id, count(*)::int AS n FROM participants WHERE id = ANY(${participantIds}::text[]) GROUP BY batch_id) g
    WHERE batches.id = g.batch_id`);
}

/** Who answered: `human` for Prolific raters, a model's name or `simulated` otherwise. */
export async function setParticipantEvaluator(prisma: Prisma, participantId: string, evaluator: string): Promise<void> {
  await prisma.participant.update({ where: { id: participantId }, data: { evaluator } });
}
