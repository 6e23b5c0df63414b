// Answers as researchers read them: for metrics (kinds only) and for exports (everything, streamed).
import type { AnswerExportRow } from '../core/export-format.js';
import type { SliceableAnswer } from '../core/metric-slices.js';
import type { OptionKind } from '../core/option-kinds.js';
import type { Prisma } from './connection.js';

export interface AnswerFilter {
  batchIds: readonly string[];
  /** Count answers of raters who have not finished too (default: completed sessions only). */
  includePartial: boolean;
}

function where(filter: AnswerFilter) {
  return {
    task: { batchId: { in: [...filter.batchIds] } },
    // Finished sessions, whatever happened after (a review's rejection, a late return on Prolific):
    // the exclusion rules, not the payment, decide what the metrics count.
    ...(filter.includePartial ? {} : { participant: { completedAt: { not: null } } }),
  };
}

/** Every counted answer, reduced to what the metrics need; the rater is the participant id. */
export async function listMetricAnswers(prisma: Prisma, filter: AnswerFilter): Promise<SliceableAnswer[]> {
  const rows = await prisma.answer.findMany({
    where: where(filter),
    select: {
      participantId: true,
      selectedOptionIds: true,
      participant: { select: { evaluator: true } },
      task: { select: { batchId: true, topicCategory: true, sampledCategory: true, options: { select: { id: true, kind: true } } } },
    },
  });
  return rows.map((r) => {
    const kindOf = new Map(r.task.options.map((o) => [o.id, o.kind as OptionKind]));
    return {
      raterId: r.participantId,
      selectedKinds: r.selectedOptionIds.map((id) => kindOf.get(id)).filter((k): k is OptionKind => k !== undefined),
      batchId: r.task.batchId,
      topicCategory: r.task.topicCategory,
      sampledCategory: r.task.sampledCategory,
      evaluator: r.participant.evaluator,
    };
  });
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
