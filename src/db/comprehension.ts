// The comprehension question's answers: counted on the participant; the second wrong one ends the
// session (asked to return) and gives the place back in the same statement.
import { COMPREHENSION_TRIES, comprehensionOutcome, type ComprehensionOutcome } from '../core/comprehension.js';
import { withRetry } from './errors.js';
import * as PrismaSql from './sql.js';
import type { Participant } from './generated/client.js';
import type { SqlRunner } from './sql-runner.js';

/**
 * Records one answer of an active participant who has not started yet. Returns what it meant, or
 * null when the participant was not at that step (a resubmit after passing or failing).
 */
export async function recordComprehensionAnswer(sql: SqlRunner, participant: Pick<Participant, 'id'>, choice: string, now: Date): Promise<ComprehensionOutcome | null> {
  const correct = comprehensionOutcome(choice, 0) === 'passed';
  const rows = await withRetry(() => sql.rows<{ tries: number; passed: boolean; failed: boolean }>(PrismaSql.sql`
    WITH answered AS (
      UPDATE participants SET comprehension_tries = comprehension_tries + 1,
        comprehension_passed_at = CASE WHEN ${correct}::boolean THEN ${now}::timestamp END,
        status = CASE WHEN NOT ${correct}::boolean AND comprehension_tries + 1 >= ${COMPREHENSION_TRIES}::int
                      THEN 'failed_comprehension'::"ParticipantStatus" ELSE status END
      WHERE id = ${participant.id} AND status = 'active' AND started_at IS NULL AND comprehension_passed_at IS NULL
      RETURNING batch_id, comprehension_tries AS tries, comprehension_passed_at IS NOT NULL AS passed, status = 'failed_comprehension' AS failed
    ), freed AS (
      UPDATE batches SET places_taken = places_taken - 1 FROM answered WHERE answered.failed AND batches.id = answered.batch_id
    )
    SELECT tries, passed, failed FROM answered`));
  const r = rows[0];
  if (!r) return null;
  return r.passed ? 'passed' : r.failed ? 'failed' : 'try-again';
}
