// The researcher's numbers, in one home for the API, the console and the CLI: the answers counted
// (db), the rates and ratios with bootstrap intervals (core), and the defaults every caller shares.
import { DEFAULT_BOOTSTRAP_ROUNDS } from '../core/batch-settings.js';
import { computeSlicedMetrics, type SliceBy, type SlicedMetrics } from '../core/metric-slices.js';
import { listMetricAnswers } from '../db/answers.js';
import type { Batch } from '../db/batches.js';
import type { Prisma } from '../db/connection.js';
import type { ExclusionMode } from '../core/exclusions.js';
import { findExclusions, type ExclusionSummary, type RulesOfBatch } from './exclusions.js';

export interface MetricsQuery {
  /** One batch or several pooled; the first one's seed is the default seed. */
  batches: readonly (Pick<Batch, 'seed'> & RulesOfBatch)[];
  by: SliceBy | null;
  /** Bootstrap seed; default the first batch's, so a batch's figures are reproducible anywhere. */
  seed?: number;
  rounds?: number;
  /** Count answers of raters who have not finished too (default: completed sessions only). */
  includePartial: boolean;
  /** DECISIONS: `applied` (default) leaves out the raters each batch's rules exclude; `none` counts everyone. */
  exclusions?: ExclusionMode;
}

export interface BatchMetrics extends SlicedMetrics {
  exclusions: ExclusionSummary;
}

/** R1–R6 and the four ratios with 95 % intervals, overall and per slice. */
export async function computeBatchMetrics(prisma: Prisma, query: MetricsQuery): Promise<BatchMetrics> {
  const [first] = query.batches;
  if (!first) throw new Error('computeBatchMetrics needs at least one batch');
  const mode = query.exclusions ?? 'applied';
  const [all, { excluded, summary }] = await Promise.all([
    listMetricAnswers(prisma, { batchIds: query.batches.map((b) => b.id), includePartial: query.includePartial }),
    findExclusions(prisma, query.batches, mode),
  ]);
  const answers = mode === 'applied' ? all.filter((a) => !excluded.has(a.raterId)) : all;
  const metrics = computeSlicedMetrics(answers, query.by, query.seed ?? first.seed, { rounds: query.rounds ?? DEFAULT_BOOTSTRAP_ROUNDS, level: 0.95 });
  return { ...metrics, exclusions: summary };
}
