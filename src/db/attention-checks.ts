// Attention-check answers: stored on the check itself (never in answers), exactly once; and their export.
import { checkInstruction } from '../core/attention-checks.js';
import type { CheckExportRow } from '../core/export-format.js';
import type { Prisma } from './connection.js';
import * as PrismaSql from './sql.js';
import { withRetry } from './errors.js';
import { answeringRater, refusal, type AnswerOutcome, type RaterKey } from './questions.js';
import type { SqlRunner } from './sql-runner.js';

export type CheckOutcome = Exclude<AnswerOutcome, { status: 'stored' }> | { status: 'stored'; passed: boolean };

interface CheckRow {
  rater: number;
  found: number;
  shown: boolean | null;
  valid: boolean | null;
  updated: number;
  passed: boolean | null;
}

/**
 * Records the rater's answer to the check shown before the question at `beforePosition`, in one
 * statement, as submitAnswer does for questions: the rater must be answering, the check shown and
 * not yet answered, the options its own. Passed when exactly its target was ticked
 * (core/attention-checks.ts checkPassed, here in SQL). A resubmit changes nothing.
 */
export async function submitCheckAnswer(sql: SqlRunner, rater: RaterKey, input: { beforePosition: number; selectedOptionIds: readonly string[] }, now: Date): Promise<CheckOutcome> {
  const selected = [...new Set(input.selectedOptionIds)];
  if (selected.length === 0) return { status: 'invalid-options' };
  const rows = await withRetry(() => sql.rows<CheckRow>(PrismaSql.sql`
    WITH ${answeringRater(rater)}, c AS (
      SELECT c.id, c.option_order, c.shown_at, c.answered_at, c.target_option_id
      FROM attention_checks c JOIN rater ON c.participant_id = rater.id WHERE c.before_position = ${input.beforePosition}
    ), upd AS (
      UPDATE attention_checks k SET answered_at = ${now},
        selected_option_ids = ARRAY(SELECT o FROM unnest(c.option_order) WITH ORDINALITY AS s(o, i) WHERE o = ANY(${selected}::text[]) ORDER BY i),
        passed = (cardinality(${selected}::text[]) = 1 AND c.target_option_id = ANY(${selected}::text[]))
      -- k.answered_at is re-checked on the row itself after waiting for its lock: of two answers at
      -- once, only the first is stored.
      FROM c WHERE k.id = c.id AND k.answered_at IS NULL AND c.shown_at IS NOT NULL AND ${selected}::text[] <@ c.option_order
      RETURNING k.passed
    )
    SELECT (SELECT count(*) FROM rater)::int AS rater, (SELECT count(*) FROM c)::int AS found,
           (SELECT shown_at IS NOT NULL FROM c) AS shown, (SELECT ${selected}::text[] <@ option_order FROM c) AS valid,
           (SELECT count(*) FROM upd)::int AS updated, (SELECT passed FROM upd) AS passed`));
  const r = rows[0];
  return refusal(r, r?.updated ?? 0) ?? { status: 'stored', passed: r?.passed === true };
}

/** The batch's attention checks as exported (participant, then order), with the instruction shown. */
export async function listCheckExportRows(prisma: Prisma, batchId: string): Promise<CheckExportRow[]> {
  const checks = await prisma.attentionCheck.findMany({
    where: { participant: { batchId } },
    orderBy: [{ participantId: 'asc' }, { beforePosition: 'asc' }],
    include: { participant: { select: { prolificPid: true } }, sourceTask: { select: { options: { select: { id: true, text: true } } } } },
  });
  return checks.map((c) => {
    const targetText = c.sourceTask.options.find((o) => o.id === c.targetOptionId)?.text ?? '';
    return {
      batchId,
      participantId: c.participantId,
      prolificPid: c.participant.prolificPid,
      beforeQuestionNumber: c.beforePosition + 1,
      sourceTaskId: c.sourceTaskId,
      instruction: checkInstruction(c.wording, targetText),
      targetOptionId: c.targetOptionId,
      targetText,
      selectedOptionIds: c.selectedOptionIds,
      shownAt: c.shownAt?.toISOString() ?? null,
      answeredAt: c.answeredAt?.toISOString() ?? null,
      passed: c.passed,
    };
  });
}
