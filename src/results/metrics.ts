// The researcher's numbers, in one home for the API, the console and the CLI: the answers counted
// (db), the rates and ratios with bootstrap intervals (core), and the defaults every caller shares.
import { DEFAULT_BOOTSTRAP_ROUNDS } from '../core/batch-settings.js';
import { computeSlicedMetrics, type SliceBy, type SlicedMetrics } from '../core/metric-slices.js';
import { listMetricAnswers } from '../db/answers.js';
import type { Batch } from '../db/batches.js';
import type { Prisma } from '../db/connection.js';

export interface MetricsQuery {
  /** One batch or several pooled; the first one's seed is the default seed. */
  batches: readonly Pick<Batch, 'id' | 'seed'>[];
  by: SliceBy | null;
  /** Bootstrap seed; default the first batch's, so a batch's figures are reproducible anywhere. */
  seed?: number;
  rounds?: number;
  /** Count answers of raters who have not finished too (default: completed sessions only). */
  includePartial: boolean;
}

/** R1–R6 and the four ratios with 95 % intervals, overall and per slice. */
export async function computeBatchMetrics(prisma: Prisma, query: MetricsQuery): Promise<SlicedMetrics> {
  const [first] = query.batches;
  if (!first) throw new Error('computeBatchMetrics needs at least one batch');
  const answers = await listMetricAnswers(prisma, { batchIds: query.batches.map((b) => b.id), includePartial: query.includePartial });
  return computeSlicedMetrics(answers, query.by, query.seed ?? first.seed, { rounds: query.rounds ?? DEFAULT_BOOTSTRAP_ROUNDS, level: 0.95 });
}
