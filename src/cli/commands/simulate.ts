// prefbasis simulate <batch>: fills a batch with simulated raters (evaluator "simulated") so that
// results pages, analyses and exports have data to show. Never on a batch real people answer.
import type { OptionKind } from '../../core/option-kinds.js';
import { createRng } from '../../core/rng.js';
import type { CliContext } from '../context.js';
import { simulateRaters } from '../simulate-raters.js';
import { requireBatch } from './require-batch.js';

/** Selection probabilities per kind, near the paper's human results (R1 > 70 %, R6 about 8 %). */
const PAPER_LIKE: Record<OptionKind, number> = { generated: 0.72, category: 0.42, category_topic: 0.47, control: 0.14, control_topic: 0.16, other: 0.08 };

export async function simulateCommand(ctx: CliContext, batchArg: string, options: { raters: number; seed: number }): Promise<void> {
  const batch = await requireBatch(ctx, batchArg);
  await simulateRaters(ctx.db, batch, options.raters, PAPER_LIKE, createRng(options.seed), { evaluator: 'simulated' });
  ctx.out(`Simulated ${options.raters} raters on batch "${batch.name}" (seed ${options.seed}; evaluator "simulated": the results count them like raters).`);
}
