// Researcher views of a batch's participants: overview rows and one participant's answers.
import type { Prisma } from './connection.js';
import type { Participant } from './generated/client.js';

export interface ParticipantOverview {
  id: string;
  prolificPid: string;
  status: string;
  evaluator: string;
  createdAt: Date;
  completedAt: Date | null;
  answers: number;
  /** The submission's status on Prolific at the last sync (null before any). */
  prolificStatus: string | null;
  /** The last sync found no submission of the study with this SESSION_ID. */
  sessionUnknown: boolean;
  /** Seconds from entry to completion (or to the last answer so far). */
  seconds: number | null;
}

export async function listParticipantOverviews(prisma: Prisma, batchId: string): Promise<ParticipantOverview[]> {
  const rows = await prisma.participant.findMany({
    where: { batchId },
    orderBy: { createdAt: 'asc' },
    include: { _count: { select: { answers: true } }, answers: { select: { answeredAt: true }, orderBy: { answeredAt: 'desc' }, take: 1 } },
  });
  return rows.map((p) => {
    const end = p.completedAt ?? p.answers[0]?.answeredAt ?? null;
    return {
      id: p.id,
      prolificPid: p.prolificPid,
      status: p.status,
      evaluator: p.evaluator,
      createdAt: p.createdAt,
      completedAt: p.completedAt,
      answers: p._count.answers,
      prolificStatus: p.prolificStatus,
      sessionUnknown: p.sessionUnknown,
      seconds: end ? Math.round((end.getTime() - p.createdAt.getTime()) / 1000) : null,
    };
  });
}

export interface ParticipantAnswerDetail {
  position: number;
  taskId: string;
  sampledCategory: string;
  topicCategory: string;
  shownAt: Date;
  answeredAt: Date;
  options: { id: string; kind: string; text: string; selected: boolean }[];
}

/** One participant's answers with the options in the order they were shown (researcher view). */
export async function findParticipantDetail(prisma: Prisma, batchId: string, participantId: string): Promise<{ participant: Participant; answers: ParticipantAnswerDetail[] } | null> {
  const participant = await prisma.participant.findFirst({ where: { id: participantId, batchId } });
  if (!participant) return null;
  const answers = await prisma.answer.findMany({
    where: { participantId },
    orderBy: { position: 'asc' },
    include: { task: { include: { options: true } } },
  });
  return {
    participant,
    answers: answers.map((a) => {
      const byId = new Map(a.task.options.map((o) => [o.id, o]));
      return {
        position: a.position,
        taskId: a.taskId,
        sampledCategory: a.task.sampledCategory,
        topicCategory: a.task.topicCategory,
        shownAt: a.shownAt,
        answeredAt: a.answeredAt,
        options: a.optionOrder.map((id) => ({ id, kind: byId.get(id)?.kind ?? '', text: byId.get(id)?.text ?? '', selected: a.selectedOptionIds.includes(id) })),
      };
    }),
  };
}
