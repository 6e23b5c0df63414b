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
import { simulateRaters } from './lib/simulate-raters.js';

/** Selection probabilities per kind, near the paper's human results (R1 > 70 %, R6 about 8 %). */
const P: Record<OptionKind, number> = { generated: 0.72, category: 0.42, category_topic: 0.47, control: 0.14, control_topic: 0.16, other: 0.08 };

const { values } = parseArgs({ options: { batch: { type: 'string' }, raters: { type: 'string' }, seed: { type: 'string' } } });
const args = z
  .object({ batch: z.string().min(1), raters: z.coerce.number().int().min(1).max(10_000).default(30), seed: z.coerce.number().int().min(0).default(1) })
  .parse(values);
const db = await openDatabase(loadConfig().database);
await db.migrate();
try {
  const batch = await findBatchByIdOrName(db.prisma, args.batch);
  if (!batch) throw new Error(`no batch "${args.batch}"`);
  await simulateRaters(db, batch, args.raters, P, createRng(args.seed), { evaluator: 'simulated' });
  console.log(`Simulated ${args.raters} raters on batch "${batch.name}".`);
} finally {
  await db.close();
}
