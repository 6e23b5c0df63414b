// Answers as researchers read them: for metrics (per-rater totals aggregated in SQL) and for exports
// (everything, streamed).
import type { AnswerExportRow } from '../core/export-format.js';
import type { SliceBy, SliceableTotals } from '../core/metric-slices.js';
import type { OptionKind } from '../core/option-kinds.js';
import { Prisma as PrismaSql } from './generated/client.js';
import type { SqlRunner } from './sql-runner.js';
import { kindHitCounts, kindHitsOf, type KindHitColumns } from './kind-bits.js';
import { withWorkMemory } from './sql-runner.js';
import type { Prisma } from './connection.js';

export interface AnswerFilter {
  batchIds: readonly string[];
  /** Count answers of raters who have not finished too (default: completed sessions only). */
  includePartial: boolean;
}

interface TotalsRow extends KindHitColumns {
  participant_id: string;
  evaluator: string;
  batch_id: string;
  slice: string;
  answers: number;
}

/**
 * Per-rater totals aggregated in PostgreSQL from each answer's kind bits: answers and, per option
 * kind (OPTION_KINDS order), answers that selected it, one row per participant, or per participant and slice value when
 * `by` is topic or category. What the bootstrap needs, without loading every answer.
 */
export async function listRaterKindTotals(sql: SqlRunner, filter: AnswerFilter & { by: SliceBy | null }): Promise<SliceableTotals[]> {
  const slice =
    filter.by === 'topic' ? PrismaSql.sql`t.topic_category` : filter.by === 'category' ? PrismaSql.sql`t.sampled_category` : PrismaSql.sql`''`;
  const finished = filter.includePartial ? PrismaSql.sql`true` : PrismaSql.sql`p.completed_at IS NOT NULL`;
  // The task is needed only for a topic or category slice; the participant gives the batch.
  const tasks = filter.by === 'topic' || filter.by === 'category' ? PrismaSql.sql`JOIN tasks t ON t.id = a.task_id` : PrismaSql.empty;
  const rows = await withWorkMemory(sql, (tx) =>
    tx.rows<TotalsRow>(PrismaSql.sql`
      SELECT a.participant_id, p.evaluator, p.batch_id, ${slice} AS slice, count(*)::int AS answers, ${kindHitCounts}
      FROM answers a JOIN participants p ON p.id = a.participant_id ${tasks}
      WHERE p.batch_id = ANY(${[...filter.batchIds]}::text[]) AND ${finished}
      GROUP BY a.participant_id, p.evaluator, p.batch_id, 4`),
  );
  return rows.map((r) => ({
    raterId: r.participant_id,
    evaluator: r.evaluator,
    batchId: r.batch_id,
    topicCategory: r.slice,
    sampledCategory: r.slice,
    answers: r.answers,
    hits: kindHitsOf(r),
  }));
}

/**
 * What metrics of these batches depend on, cheaply: answers (count, last time), answered attention
 * checks and finished sessions. Equal versions give equal figures, so results can be cached.
 */
export async function findAnswersVersion(sql: SqlRunner, batchIds: readonly string[]): Promise<string> {
  const ids = [...batchIds];
  const [row] = await sql.rows<{ answers: number; last: Date | null; checks: number; finished: number }>(PrismaSql.sql`
    SELECT count(*)::int AS answers, max(a.answered_at) AS last,
           (SELECT count(*)::int FROM attention_checks c JOIN participants p ON p.id = c.participant_id
            WHERE p.batch_id = ANY(${ids}::text[]) AND c.answered_at IS NOT NULL) AS checks,
           (SELECT count(*)::int FROM participants WHERE batch_id = ANY(${ids}::text[]) AND completed_at IS NOT NULL) AS finished
    FROM answers a JOIN tasks t ON t.id = a.task_id WHERE t.batch_id = ANY(${ids}::text[])`);
  return `${row?.answers ?? 0}:${row?.last?.toISOString() ?? '-'}:${row?.checks ?? 0}:${row?.finished ?? 0}`;
}

const PAGE = 500;

/**
 * Yields the batch's answers page by page (participant, then question order), so memory stays
 * flat whatever the batch size. All answers are included; participantStatus tells partial ones.
 */
export async function* streamAnswerExportRows(prisma: Prisma, batchId: string): AsyncGenerator<AnswerExportRow[]> {
  let cursor: { participantId: string; position: number } | undefined;
  for (;;) {
    const page = await prisma.answer.findMany({
      where: { task: { batchId } },
      orderBy: [{ participantId: 'asc' }, { position: 'asc' }],
      take: PAGE,
      ...(cursor ? { cursor: { participantId_position: cursor }, skip: 1 } : {}),
      include: {
        participant: { select: { prolificPid: true, studyId: true, sessionId: true, status: true, evaluator: true, timedOutAt: true, completedAt: true, prolificStatus: true } },
        task: {
          select: {
            batchId: true,
            datapointId: true,
            sampledCategory: true,
            topicCategory: true,
            batch: { select: { categoryDraw: true } },
            datapoint: { select: { sourceId: true } },
            options: { select: { id: true, kind: true, text: true } },
          },
        },
      },
    });
    if (page.length === 0) return;
    // The side each question showed the preferred response on is kept with the assignment.
    const shown = await prisma.assignment.findMany({
      where: { participantId: { in: [...new Set(page.map((a) => a.participantId))] } },
      select: { participantId: true, position: true, preferredFirst: true },
    });
    const preferredFirst = new Map(shown.map((s) => [`${s.participantId}:${s.position}`, s.preferredFirst]));
    // Every answer has its assignment (the answer is copied from it): a gap is a bug, not a default.
    const sideOf = (participantId: string, position: number) => {
      const side = preferredFirst.get(`${participantId}:${position}`);
      if (side === undefined) throw new Error(`answer ${participantId}#${position} has no assignment`);
      return side;
    };
    yield page.map((a) => {
      const byId = new Map(a.task.options.map((o) => [o.id, { id: o.id, kind: o.kind as OptionKind, text: o.text }]));
      const options = a.optionOrder.map((id) => byId.get(id)).filter((o) => o !== undefined);
      return {
        batchId: a.task.batchId,
        participantId: a.participantId,
        prolificPid: a.participant.prolificPid,
        studyId: a.participant.studyId,
        sessionId: a.participant.sessionId,
        participantStatus: a.participant.status,
        evaluator: a.participant.evaluator,
        taskId: a.taskId,
        datapointId: a.task.datapointId,
        datapointSourceId: a.task.datapoint.sourceId,
        sampledCategory: a.task.sampledCategory,
        topicCategory: a.task.topicCategory,
        position: a.position,
        options,
        selectedOptionIds: a.selectedOptionIds,
        selectedKinds: a.selectedOptionIds.map((id) => byId.get(id)?.kind).filter((k): k is OptionKind => k !== undefined),
        shownAt: a.shownAt.toISOString(),
        answeredAt: a.answeredAt.toISOString(),
        secondsSpent: (a.answeredAt.getTime() - a.shownAt.getTime()) / 1000,
        categoryDraw: a.task.batch.categoryDraw,
        preferredShownFirst: sideOf(a.participantId, a.position),
        timedOutAt: a.participant.timedOutAt?.toISOString() ?? null,
        completedAt: a.participant.completedAt?.toISOString() ?? null,
        prolificStatus: a.participant.prolificStatus,
      };
    });
    const last = page.at(-1);
    if (!last || page.length < PAGE) return;
    cursor = { participantId: last.participantId, position: last.position };
  }
}
