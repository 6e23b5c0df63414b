// Simulated raters written through the same db functions the survey pages call (enter, consent,
// start, answer): for tests, demos and benchmarks, never for a batch real people answer.
import type { OptionKind } from '../core/option-kinds.js';
import type { Rng } from '../core/rng.js';
import { listOptionKinds, type Batch } from '../db/batches.js';
import type { Database } from '../db/connection.js';
import { enterBatch, recordConsent, setParticipantEvaluator } from '../db/participants.js';
import { submitCheckAnswer } from '../db/attention-checks.js';
import { submitAnswer } from '../db/questions.js';
import { showRaterPage } from '../db/raters.js';
import { startQuestions } from '../db/task-assignment.js';

export interface SimulationOptions {
  /** Answer only the first N questions (a partial session); default all. */
  answers?: number;
  /** Stored on the participant; `human` counts them with real raters. */
  evaluator?: string;
  /**
   * `pass` (default): tick exactly what each attention check asks; `ignore`: answer it like a
   * question (may pass by chance); `fail`: tick everything but the option it asks for.
   */
  checks?: 'pass' | 'ignore' | 'fail';
}

/** Each rater ticks each option kind with its probability (`other` alone if nothing else). */
export async function simulateRaters(
  db: Pick<Database, 'prisma' | 'sql'>,
  batch: Batch,
  raters: number,
  p: Record<OptionKind, number>,
  rng: Rng,
  options: SimulationOptions = {},
): Promise<void> {
  const { prisma } = db;
  const kindOf = await listOptionKinds(prisma, batch.id);
  const hex = () => Array.from({ length: 24 }, () => '0123456789abcdef'[rng.int(16)]).join('');
  for (let r = 0; r < raters; r++) {
    const now = new Date();
    const entry = await enterBatch(db.sql, batch.id, { prolificPid: hex(), studyId: hex(), sessionId: hex() }, null, now);
    if (!entry.ok) throw new Error(`batch ${batch.id} took no new rater: ${entry.reason}`);
    const participant = entry.participant;
    if (options.evaluator) await setParticipantEvaluator(prisma, participant.id, options.evaluator);
    await recordConsent(db.sql, participant, now);
    await startQuestions(db.sql, batch, participant, now);
    // As the pages do: show the current question (or check), then answer it.
    for (let n = 0, answered = 0; answered < (options.answers ?? batch.questionsPerRater); n++) {
      const question = (await showRaterPage(db.sql, participant, new Date(now.getTime() + 1000 * n)))?.question;
      if (!question) break;
      const picked = question.optionOrder.filter((id) => rng.next() < p[kindOf.get(id) as OptionKind]);
      const selected = picked.length ? picked : question.optionOrder.slice(-1);
      const at = new Date(now.getTime() + 1000 * n + 800);
      if (question.check) {
        const target = question.check.targetOptionId;
        const ticked = options.checks === 'ignore' ? selected : options.checks === 'fail' ? question.optionOrder.filter((id) => id !== target) : [target];
        const outcome = await submitCheckAnswer(db.sql, participant, { beforePosition: question.position, selectedOptionIds: ticked }, at);
        if (outcome.status !== 'stored') throw new Error(`check answer not stored: ${outcome.status}`);
        continue;
      }
      const outcome = await submitAnswer(db.sql, participant, { position: question.position, selectedOptionIds: selected }, at);
      if (outcome.status !== 'stored') throw new Error(`answer not stored: ${outcome.status}`);
      answered++;
    }
  }
}
