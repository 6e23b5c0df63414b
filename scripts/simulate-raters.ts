// Fills a batch with simulated raters (evaluator "simulated") so that results pages, exports and
// benchmarks have data. Never run it on a batch real people are answering.
// Usage: npx tsx scripts/simulate-raters.ts --batch <id or name> [--raters 30] [--seed 1]
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../src/config.js';
import type { OptionKind } from '../src/core/option-kinds.js';
import { createRng } from '../src/core/rng.js';
import { findBatchByIdOrName } from '../src/db/batches.js';
import { openDatabase } from '../src/db/connection.js';
import { enterBatch, recordConsent, startQuestions, submitAnswer } from '../src/db/participants.js';

/** Selection probabilities per kind, near the paper's human results (R1 > 70 %, R6 about 8 %). */
const P: Record<OptionKind, number> = { generated: 0.72, category: 0.42, category_topic: 0.47, control: 0.14, control_topic: 0.16, other: 0.08 };

const { values } = parseArgs({ options: { batch: { type: 'string' }, raters: { type: 'string' }, seed: { type: 'string' } } });
const args = z.object({ batch: z.string().min(1), raters: z.coerce.number().int().min(1).max(10_000).default(30), seed: z.coerce.number().int().min(0).default(1) }).parse(values);
const db = await openDatabase(loadConfig().database);
await db.migrate();
try {
  const batch = await findBatchByIdOrName(db.prisma, args.batch);
  if (!batch) throw new Error(`no batch "${args.batch}"`);
  const rng = createRng(args.seed);
  const hex = () => Array.from({ length: 24 }, () => '0123456789abcdef'[rng.int(16)]).join('');
  for (let r = 0; r < args.raters; r++) {
    const entry = await enterBatch(db.prisma, batch, { prolificPid: hex(), studyId: hex(), sessionId: hex() });
    if (!entry.ok) throw new Error('the batch is full');
    await db.prisma.participant.update({ where: { id: entry.participant.id }, data: { evaluator: 'simulated' } });
    await recordConsent(db.prisma, entry.participant, new Date());
    const participant = await db.prisma.participant.findUniqueOrThrow({ where: { id: entry.participant.id } });
    await startQuestions(db.prisma, batch, participant, new Date());
    const assignments = await db.prisma.assignment.findMany({ where: { participantId: participant.id }, include: { task: { include: { options: true } } } });
    for (const a of assignments) {
      const kindOf = new Map(a.task.options.map((o) => [o.id, o.kind as OptionKind]));
      const picked = a.optionOrder.filter((id) => rng.next() < P[kindOf.get(id) as OptionKind]);
      await submitAnswer(db.prisma, participant, { position: a.position, selectedOptionIds: picked.length ? picked : a.optionOrder.slice(-1) }, new Date());
    }
  }
  console.log(`Simulated ${args.raters} raters on batch "${batch.name}".`);
} finally {
  await db.close();
}
