// Raters of a batch: entry, consent, task assignment and answers. Every write that must not be
// lost or doubled runs in a transaction behind a unique constraint.
import { randomBytes } from 'node:crypto';
import { chooseTasksForRater, orderOptions } from '../core/assignment.js';
import { deriveRng } from '../core/rng.js';
import type { Prisma, Tx } from './connection.js';
import { isUniqueViolation } from './errors.js';
import type { Batch, Participant } from './generated/client.js';
import { newId } from './ids.js';

export type { Participant };

/** Participants holding a place in the batch (those who declined or returned free theirs). */
const HOLDS_A_PLACE = ['consenting', 'active', 'completed'] as const;

export function findParticipantByCode(prisma: Prisma, batchId: string, code: string): Promise<Participant | null> {
  return prisma.participant.findFirst({ where: { batchId, code } });
}

export function findParticipantByPid(prisma: Prisma, batchId: string, prolificPid: string): Promise<Participant | null> {
  return prisma.participant.findUnique({ where: { batchId_prolificPid: { batchId, prolificPid } } });
}

export type EntryOutcome = { ok: true; participant: Participant; resumed: boolean } | { ok: false; reason: 'full' };

/**
 * The participant for this PROLIFIC_PID in this batch: the existing one (resume) or a new one if
 * the batch has a place left. Serialised per batch so that two entries can never overfill it.
 */
export async function enterBatch(
  prisma: Prisma,
  batch: Batch,
  ids: { prolificPid: string; studyId: string; sessionId: string },
): Promise<EntryOutcome> {
  const existing = await findParticipantByPid(prisma, batch.id, ids.prolificPid);
  if (existing) return { ok: true, participant: existing, resumed: true };
  try {
    return await prisma.$transaction(async (tx) => {
      await lockBatch(tx, batch.id);
      const again = await tx.participant.findUnique({ where: { batchId_prolificPid: { batchId: batch.id, prolificPid: ids.prolificPid } } });
      if (again) return { ok: true as const, participant: again, resumed: true };
      const holding = await tx.participant.count({ where: { batchId: batch.id, status: { in: [...HOLDS_A_PLACE] } } });
      if (holding >= batch.targetRaters) return { ok: false as const, reason: 'full' as const };
      const participant = await tx.participant.create({
        data: { id: newId('p', 12), batchId: batch.id, code: randomBytes(24).toString('base64url'), ...ids },
      });
      return { ok: true as const, participant, resumed: false };
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const winner = await prisma.participant.findUniqueOrThrow({ where: { batchId_prolificPid: { batchId: batch.id, prolificPid: ids.prolificPid } } });
    return { ok: true, participant: winner, resumed: true };
  }
}

/** Row lock on the batch: serialises entries and assignments of one batch, not of others. */
async function lockBatch(tx: Tx, batchId: string): Promise<void> {
  await tx.$queryRawUnsafe('SELECT id FROM batches WHERE id = $1 FOR UPDATE', batchId);
}

export async function recordConsent(prisma: Prisma, participant: Participant, now: Date): Promise<void> {
  await prisma.participant.updateMany({
    where: { id: participant.id, status: 'consenting' },
    data: { status: 'active', consentedAt: now },
  });
}

/**
 * Marks a participant who left without finishing (returned or timed out on Prolific) as returned:
 * their place and their tasks go back to the pool; the answers they gave stay stored.
 * Returns false for a participant who completed, declined or is unknown.
 */
export async function markReturned(prisma: Prisma, batchId: string, participantId: string): Promise<boolean> {
  const { count } = await prisma.participant.updateMany({
    where: { id: participantId, batchId, status: { in: ['consenting', 'active'] } },
    data: { status: 'returned' },
  });
  return count === 1;
}

export async function recordDecline(prisma: Prisma, participant: Participant, now: Date): Promise<void> {
  await prisma.participant.updateMany({ where: { id: participant.id, status: 'consenting' }, data: { status: 'declined', declinedAt: now } });
}

/**
 * Assigns the rater's questions (once): least-rated tasks first, random order, option order
 * shuffled per question with `other` last, preferred side per the batch setting.
 */
export async function startQuestions(prisma: Prisma, batch: Batch, participant: Participant, now: Date): Promise<void> {
  if (participant.startedAt) return;
  await prisma.$transaction(async (tx) => {
    await lockBatch(tx, batch.id);
    if ((await tx.assignment.count({ where: { participantId: participant.id } })) > 0) return;
    const tasks = await tx.task.findMany({
      where: { batchId: batch.id },
      select: {
        id: true,
        options: { select: { id: true, kind: true } },
        _count: { select: { assignments: { where: { participant: { status: { in: [...HOLDS_A_PLACE] } } } } } },
      },
      orderBy: { position: 'asc' },
    });
    const rng = deriveRng(batch.seed, `rater:${participant.id}`);
    const chosen = chooseTasksForRater(
      tasks.map((t) => ({ taskId: t.id, load: t._count.assignments })),
      batch.questionsPerRater,
      rng,
    );
    const byId = new Map(tasks.map((t) => [t.id, t]));
    await tx.assignment.createMany({
      data: chosen.map((taskId, position) => {
        const options = byId.get(taskId)?.options ?? [];
        const other = options.find((o) => o.kind === 'other');
        if (!other) throw new Error(`task ${taskId} has no "other" option`);
        return {
          participantId: participant.id,
          position,
          taskId,
          optionOrder: orderOptions(options.map((o) => o.id).sort(), other.id, rng),
          preferredFirst: batch.preferredSide === 'first' || rng.next() < 0.5,
        };
      }),
    });
    await tx.participant.update({ where: { id: participant.id }, data: { startedAt: now } });
  });
}

export interface CurrentQuestion {
  position: number;
  total: number;
  taskId: string;
  optionOrder: string[];
  preferredFirst: boolean;
  prompt: string;
  /** The preferred (winning) response and the other one. */
  preferred: string;
  other: string;
  options: Map<string, string>;
}

/** The first question without an answer, or null when all are answered. Marks it shown (once). */
export async function findCurrentQuestion(prisma: Prisma, participant: Participant, now: Date): Promise<CurrentQuestion | null> {
  const [assignments, answered] = await Promise.all([
    prisma.assignment.findMany({ where: { participantId: participant.id }, orderBy: { position: 'asc' }, select: { position: true } }),
    prisma.answer.findMany({ where: { participantId: participant.id }, select: { position: true } }),
  ]);
  const done = new Set(answered.map((a) => a.position));
  const next = assignments.find((a) => !done.has(a.position));
  if (!next) return null;
  return loadQuestion(prisma, participant.id, next.position, assignments.length, now);
}

async function loadQuestion(prisma: Prisma, participantId: string, position: number, total: number, now: Date): Promise<CurrentQuestion> {
  // shownAt records the first time the server rendered the question; reloads keep it.
  await prisma.assignment.updateMany({ where: { participantId, position, shownAt: null }, data: { shownAt: now } });
  const a = await prisma.assignment.findUniqueOrThrow({
    where: { participantId_position: { participantId, position } },
    include: { task: { include: { options: { select: { id: true, text: true } }, datapoint: true } } },
  });
  const d = a.task.datapoint;
  const [preferred, other] = d.winner === 'model_a' ? [d.responseA, d.responseB] : [d.responseB, d.responseA];
  return {
    position,
    total,
    taskId: a.taskId,
    optionOrder: a.optionOrder,
    preferredFirst: a.preferredFirst,
    prompt: d.prompt,
    preferred,
    other,
    options: new Map(a.task.options.map((o) => [o.id, o.text])),
  };
}

export type AnswerOutcome =
  | { status: 'stored'; completed: boolean }
  | { status: 'already-answered' }
  | { status: 'no-such-question' }
  | { status: 'not-shown' }
  | { status: 'invalid-options' };

/**
 * Stores one answer exactly once. A resubmit (reload, back button, double click, second tab)
 * finds the unique (participant, task) row and changes nothing. The last answer completes the
 * participant in the same transaction, so completion implies every answer is stored.
 */
export async function submitAnswer(
  prisma: Prisma,
  participant: Participant,
  input: { position: number; selectedOptionIds: readonly string[] },
  now: Date,
): Promise<AnswerOutcome> {
  const assignment = await prisma.assignment.findUnique({
    where: { participantId_position: { participantId: participant.id, position: input.position } },
  });
  if (!assignment) return { status: 'no-such-question' };
  // Only a question the server has shown can be answered: no skipping ahead with a crafted post.
  const shownAt = assignment.shownAt;
  if (!shownAt) return { status: 'not-shown' };
  const allowed = new Set(assignment.optionOrder);
  const selected = [...new Set(input.selectedOptionIds)];
  if (selected.length === 0 || selected.some((id) => !allowed.has(id))) return { status: 'invalid-options' };
  // Keep the order shown, so exports read naturally.
  const selectedInOrder = assignment.optionOrder.filter((id) => selected.includes(id));
  try {
    return await prisma.$transaction(async (tx) => {
      const inserted = await tx.answer.createMany({
        data: [{
          id: newId('a', 14),
          participantId: participant.id,
          taskId: assignment.taskId,
          position: assignment.position,
          selectedOptionIds: selectedInOrder,
          optionOrder: assignment.optionOrder,
          shownAt,
          answeredAt: now,
        }],
        skipDuplicates: true,
      });
      if (inserted.count === 0) return { status: 'already-answered' as const };
      const [answers, questions] = await Promise.all([
        tx.answer.count({ where: { participantId: participant.id } }),
        tx.assignment.count({ where: { participantId: participant.id } }),
      ]);
      const completed = answers >= questions;
      if (completed) await tx.participant.update({ where: { id: participant.id }, data: { status: 'completed', completedAt: now } });
      return { status: 'stored' as const, completed };
    });
  } catch (err) {
    if (isUniqueViolation(err)) return { status: 'already-answered' };
    throw err;
  }
}
