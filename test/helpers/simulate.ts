// Raters simulated through the db layer (the same functions the pages call), for fast result tests.
import type { OptionKind } from '../../src/core/option-kinds.js';
import type { Rng } from '../../src/core/rng.js';
import type { Batch } from '../../src/db/batches.js';
import type { Prisma } from '../../src/db/connection.js';
import { enterBatch, recordConsent, startQuestions, submitAnswer } from '../../src/db/participants.js';
import { prolificId } from './rater.js';

/** Each rater ticks each kind with its probability (at least one option: `other` if none). */
export async function simulateRaters(
  prisma: Prisma,
  batch: Batch,
  raters: number,
  p: Record<OptionKind, number>,
  rng: Rng,
  options: { answers?: number } = {},
): Promise<void> {
  for (let r = 0; r < raters; r++) {
    const entry = await enterBatch(prisma, batch, { prolificPid: prolificId(), studyId: prolificId(), sessionId: prolificId() });
    if (!entry.ok) throw new Error('batch full');
    const now = new Date();
    await recordConsent(prisma, entry.participant, now);
    const participant = await prisma.participant.findUniqueOrThrow({ where: { id: entry.participant.id } });
    await startQuestions(prisma, batch, participant, now);
    const assignments = await prisma.assignment.findMany({ where: { participantId: participant.id }, orderBy: { position: 'asc' }, include: { task: { include: { options: true } } } });
    for (const a of assignments.slice(0, options.answers ?? assignments.length)) {
      const kindOf = new Map(a.task.options.map((o) => [o.id, o.kind as OptionKind]));
      let selected = a.optionOrder.filter((id) => rng.next() < p[kindOf.get(id) as OptionKind]);
      if (selected.length === 0) selected = [a.optionOrder[5] as string];
      const outcome = await submitAnswer(prisma, participant, { position: a.position, selectedOptionIds: selected }, new Date(now.getTime() + 1000 * (a.position + 1)));
      if (outcome.status !== 'stored') throw new Error(outcome.status);
    }
  }
}
