// Simulated raters written through the same db functions the survey pages call (enter, consent,
// start, answer): for tests, demos and benchmarks, never for a batch real people answer.
import type { OptionKind } from '../../src/core/option-kinds.js';
import type { Rng } from '../../src/core/rng.js';
import type { Batch } from '../../src/db/batches.js';
import type { Prisma } from '../../src/db/connection.js';
import { enterBatch, findCurrentQuestion, recordConsent, startQuestions, submitAnswer } from '../../src/db/participants.js';

export interface SimulationOptions {
  /** Answer only the first N questions (a partial session); default all. */
  answers?: number;
  /** Stored on the participant; `human` counts them with real raters. */
  evaluator?: string;
}

/** Each rater ticks each option kind with its probability (`other` alone if nothing else). */
export async function simulateRaters(
  prisma: Prisma,
  batch: Batch,
  raters: number,
  p: Record<OptionKind, number>,
  rng: Rng,
  options: SimulationOptions = {},
): Promise<void> {
  const kindOf = new Map(
    (await prisma.taskOption.findMany({ where: { task: { batchId: batch.id } }, select: { id: true, kind: true } })).map((o) => [o.id, o.kind as OptionKind]),
  );
  const hex = () => Array.from({ length: 24 }, () => '0123456789abcdef'[rng.int(16)]).join('');
  for (let r = 0; r < raters; r++) {
    const entry = await enterBatch(prisma, batch, { prolificPid: hex(), studyId: hex(), sessionId: hex() });
    if (!entry.ok) throw new Error(`batch ${batch.id} is full`);
    if (options.evaluator) await prisma.participant.update({ where: { id: entry.participant.id }, data: { evaluator: options.evaluator } });
    const now = new Date();
    await recordConsent(prisma, entry.participant, now);
    const participant = await prisma.participant.findUniqueOrThrow({ where: { id: entry.participant.id } });
    await startQuestions(prisma, batch, participant, now);
    // As the pages do: show the current question, then answer it.
    for (let n = 0; n < (options.answers ?? batch.questionsPerRater); n++) {
      const question = await findCurrentQuestion(prisma, participant, new Date(now.getTime() + 1000 * n));
      if (!question) break;
      const picked = question.optionOrder.filter((id) => rng.next() < p[kindOf.get(id) as OptionKind]);
      const selected = picked.length ? picked : question.optionOrder.slice(-1);
      const outcome = await submitAnswer(prisma, participant, { position: question.position, selectedOptionIds: selected }, new Date(now.getTime() + 1000 * n + 800));
      if (outcome.status !== 'stored') throw new Error(`answer not stored: ${outcome.status}`);
    }
  }
}
