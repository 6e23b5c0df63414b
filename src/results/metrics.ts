// The researcher's numbers, in one home for the API, the console and the CLI: per-rater totals
// aggregated in SQL (db), the rates and ratios with bootstrap intervals (core), run in short slices
// so raters' requests are served between them, and cached until the batch's answers change.
import { DEFAULT_BOOTSTRAP_ROUNDS } from '../core/batch-settings.js';
import type { ExclusionMode } from '../core/exclusions.js';
import { overallStream, sliceGroups, sliceStream, type SliceBy, type SlicedMetrics, type SliceableTotals } from '../core/metric-slices.js';
import { mergeRaterTotals, metricsSteps, type Metrics, type RaterTotals } from '../core/metrics.js';
import type { Rng } from '../core/rng.js';
import { findAnswersVersion, listRaterKindTotals } from '../db/answers.js';
import type { Batch } from '../db/batches.js';
import type { SqlRunner } from '../db/sql-runner.js';
import { findExclusions, type ExclusionSummary, type RulesOfBatch } from './exclusions.js';
import { runInSlices } from './run-in-slices.js';

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

/** Results by query and data version; bounded, least recently used first out. */
class ResultCache {
  private readonly entries = new Map<string, Promise<unknown>>();
  /** Settings computed at least once (any version): a later request is likely a hit. */
  private readonly seen = new Set<string>();
  constructor(private readonly capacity: number) {}

  has(settings: string): boolean {
    return this.seen.has(settings);
  }

  remember(settings: string): void {
    this.seen.add(settings);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value as string);
  }

  /** The value for `key`, computed once even when asked for twice at the same time. */
  get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key) as Promise<T> | undefined;
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = compute();
    this.entries.set(key, value);
    // A failed computation is not kept: the next request tries again.
    value.catch(() => this.entries.delete(key));
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }
}

const cache = new ResultCache(200);

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
  /** What the figures are computed from, read from the database (totals and exclusions at once). */
  const readInputs = () => {
    const exclusions = findExclusions(sql, query.batches, mode);
    const totals = new Map<SliceBy | null, Promise<SliceableTotals[]>>();
    const rows = (by: SliceBy | null): Promise<SliceableTotals[]> => {
      let read = totals.get(by);
      if (!read) {
        read = listRaterKindTotals(sql, { ...filter, by });
        // Read ahead of need: a failure is reported where the value is used, not as unhandled.
        read.catch(() => undefined);
        totals.set(by, read);
      }
      return read;
    };
    exclusions.catch(() => undefined);
    void rows(null);
    if (query.by) void rows(query.by);
    return { exclusions, rows };
  };
  // Never computed for these settings: read the inputs while the version is read (a cold request
  // pays for the slower of the two, not both). Otherwise wait for the version: likely a cache hit.
  const early = cache.has(settings) ? null : readInputs();
  // Everything the figures depend on: a new answer, check or finished session changes the version.
  const version = await findAnswersVersion(sql, batchIds);
  cache.remember(settings);
  const base = `${settings}|${version}`;
  return cache.get(`${base}|${query.by ?? ''}`, async () => {
    const inputs = early ?? readInputs();
    const exclusions = cache.get(`${base}|exclusions`, () => inputs.exclusions);
    const countedRows = async (by: SliceBy | null) => {
      const [rows, { excluded }] = await Promise.all([inputs.rows(by), exclusions]);
      return mode === 'applied' ? rows.filter((r) => !excluded.has(r.raterId)) : rows;
    };
    // Shared by every slicing of the same query (the console page and its two charts).
    const overall = cache.get(`${base}|overall`, async () => runInSlices(mergedSteps(await countedRows(null), overallStream(seed))));
    const by = query.by;
    const slices: SlicedMetrics['slices'] = [];
    if (by) {
      for (const group of sliceGroups(await countedRows(by), by)) {
        slices.push({ key: group.key, metrics: await runInSlices(mergedSteps(group.rows, sliceStream(seed, by, group.groupKey))) });
      }
    }
    return { by, seed, overall: await overall, slices, exclusions: (await exclusions).summary };
  });

  /** Per-rater merging, then the bootstrap, each its own slice of work. */
  function* mergedSteps(rows: readonly RaterTotals[], rng: Rng): Generator<void, Metrics> {
    const raters = mergeRaterTotals(rows);
    yield;
    return yield* metricsSteps(raters, rng, options);
  }
}
