// The researcher's numbers, in one home for the API, the console and the CLI: per-rater totals
// aggregated in SQL (db) in one snapshot, the rates and ratios with bootstrap intervals (core), run
// in short slices so raters' requests are served between them, and cached until the data changes.
import { DEFAULT_BOOTSTRAP_ROUNDS } from '../core/batch-settings.js';
import type { ExclusionMode } from '../core/exclusions.js';
import { overallStream, sliceGroups, sliceStream, type SliceBy, type SlicedMetrics, type SliceableTotals } from '../core/metric-slices.js';
import { mergeRaterTotals, metricsSteps, type Metrics, type RaterTotals } from '../core/metrics.js';
import type { Rng } from '../core/rng.js';
import { findAnswersVersion, listRaterKindTotals } from '../db/answers.js';
import { readSnapshot } from '../db/sql-runner.js';
import type { Batch } from '../db/batches.js';
import type { SqlRunner } from '../db/sql-runner.js';
import { findExclusions, type ExclusionSummary, type RulesOfBatch } from './exclusions.js';
import { runInSlices } from '../run-in-slices.js';
import { ResultCache } from './result-cache.js';

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

const cache = new ResultCache(200);

/** The raters' rows when there are any; else (a batch only models answered) every row. */
function studyRows(rows: SliceableTotals[]): SliceableTotals[] {
  const raters = rows.filter((r) => r.unit !== 'task');
  return raters.length > 0 ? raters : rows;
}

/** R1–R6 and the four ratios with 95 % intervals, overall and per slice. */
export async function computeBatchMetrics(sql: SqlRunner, query: MetricsQuery): Promise<BatchMetrics> {
  const [first] = query.batches;
  if (!first) throw new Error('computeBatchMetrics needs at least one batch');
  const batchIds = query.batches.map((b) => b.id);
  const mode = query.exclusions ?? 'applied';
  const seed = query.seed ?? first.seed;
  const options = { rounds: query.rounds ?? DEFAULT_BOOTSTRAP_ROUNDS, level: 0.95 };
  const filter = { batchIds, includePartial: query.includePartial };
  const settings = JSON.stringify({ batchIds, rules: query.batches.map((b) => [b.excludeFailedChecks, b.excludeSpeederSeconds, b.excludeStraightLinerPercent]), includePartial: query.includePartial, mode, seed, options });
  const key = (version: string, part: string) => `${settings}|${version}|${part}`;
  // The data version and, when the figures are not cached yet, everything they are computed from,
  // read in one snapshot: cached figures are exactly those of their version, and the overall
  // figures, the slices and the exclusions of one response agree with each other.
  const read = await readSnapshot(sql, async (tx) => {
    const version = await findAnswersVersion(tx, batchIds);
    if (cache.peek(key(version, query.by ?? ''))) return { version, inputs: null };
    const { excluded, summary } = await findExclusions(tx, query.batches, mode);
    const counted = (rows: SliceableTotals[]) => (mode === 'applied' ? rows.filter((r) => !excluded.has(r.raterId)) : rows);
    const allRows = counted(await listRaterKindTotals(tx, { ...filter, by: null }));
    // The headline figures are the study's raters': LLM evaluators (task clusters) stand beside
    // them only when sliced by evaluator, unless the batch has no human answer at all.
    const overallRows = studyRows(allRows);
    const by = query.by;
    // Evaluator and batch are per participant: their slices come from the overall rows.
    const sliceRows = by === 'topic' || by === 'category' ? studyRows(counted(await listRaterKindTotals(tx, { ...filter, by }))) : by === 'evaluator' ? allRows : overallRows;
    return { version, inputs: { summary, overallRows, sliceRows } };
  });
  const inputs = read.inputs;
  // Seen cached in the snapshot, and pushed out of the cache since: read again.
  if (!inputs && !cache.peek(key(read.version, query.by ?? ''))) return computeBatchMetrics(sql, query);
  return cache.get(key(read.version, query.by ?? ''), async () => {
    if (!inputs) throw new Error('metrics inputs missing for an uncached result');
    const overall = cache.get(key(read.version, 'overall'), () => runInSlices(mergedSteps(inputs.overallRows, overallStream(seed))));
    const by = query.by;
    const slices: SlicedMetrics['slices'] = [];
    if (by) {
      for (const group of sliceGroups(inputs.sliceRows, by)) {
        slices.push({ key: group.key, metrics: await runInSlices(mergedSteps(group.rows, sliceStream(seed, by, group.groupKey))) });
      }
    }
    return { by, seed, overall: await overall, slices, exclusions: inputs.summary };
  });

  /** Per-rater merging, then the bootstrap, each its own slice of work. */
  function* mergedSteps(rows: readonly RaterTotals[], rng: Rng): Generator<void, Metrics> {
    const raters = mergeRaterTotals(rows);
    yield;
    return yield* metricsSteps(raters, rng, options);
  }
}
