// Metrics per slice of the answers (SPEC 4): overall, by topic category, by sampled preference
// category, by evaluator, by batch. Each slice bootstraps with its own seeded stream.
import { drain } from './steps.js';
import { DEFAULT_BOOTSTRAP, hitsOf, mergeRaterTotals, metricsSteps, type BootstrapOptions, type MetricAnswer, type Metrics, type RaterTotals } from './metrics.js';
import { labelKey } from './normalize.js';
import { deriveRng } from './rng.js';

export interface SliceableAnswer extends MetricAnswer {
  batchId: string;
  topicCategory: string;
  sampledCategory: string;
  /** `human` for Prolific raters; an LLM evaluator's name later. */
  evaluator: string;
}

export const SLICE_DIMENSIONS = ['topic', 'category', 'evaluator', 'batch'] as const;
export type SliceBy = (typeof SLICE_DIMENSIONS)[number];

export interface SliceResult {
  key: string;
  metrics: Metrics;
}

export interface SlicedMetrics {
  by: SliceBy | null;
  seed: number;
  overall: Metrics;
  /** Largest slices first; empty when `by` is null. */
  slices: SliceResult[];
}

/** Per-rater totals within one value of each slice dimension (what SQL aggregates to). */
export interface SliceableTotals extends RaterTotals {
  batchId: string;
  topicCategory: string;
  sampledCategory: string;
  evaluator: string;
}

const keyOf: Record<SliceBy, (a: Omit<SliceableTotals, 'raterId' | 'answers' | 'hits'>) => string> = {
  topic: (a) => a.topicCategory,
  category: (a) => a.sampledCategory,
  evaluator: (a) => a.evaluator,
  batch: (a) => a.batchId,
};

export interface SliceGroup {
  /** Display name: of the spellings met (trimmed), the first in code-unit order, whatever the row order. */
  key: string;
  /** labelKey of the name: what groups spellings and seeds the slice's stream. */
  groupKey: string;
  /** The slice's rows, to merge per rater (mergeRaterTotals) when its turn comes. */
  rows: SliceableTotals[];
}

/** Slices of per-rater totals by `by`, largest first (ties by name); names grouped by labelKey. */
export function sliceGroups(rows: readonly SliceableTotals[], by: SliceBy): SliceGroup[] {
  const groups = new Map<string, { key: string; rows: SliceableTotals[]; answers: number }>();
  // A slice dimension has few distinct names: normalise each once, not once per row.
  const labelKeys = new Map<string, string>();
  for (const row of rows) {
    const name = keyOf[by](row);
    let k = labelKeys.get(name);
    if (k === undefined) labelKeys.set(name, (k = labelKey(name)));
    const group = groups.get(k) ?? { key: name.trim(), rows: [], answers: 0 };
    if (name.trim() < group.key) group.key = name.trim();
    group.rows.push(row);
    group.answers += row.answers;
    groups.set(k, group);
  }
  return [...groups.entries()]
    .sort(([ka, a], [kb, b]) => b.answers - a.answers || (ka < kb ? -1 : 1))
    .map(([groupKey, g]) => ({ key: g.key, groupKey, rows: g.rows }));
}

/** The overall figures' stream and each slice's own (so adding a slice never changes another). */
export const overallStream = (seed: number) => deriveRng(seed, 'overall');
export const sliceStream = (seed: number, by: SliceBy, groupKey: string) => deriveRng(seed, `${by}:${groupKey}`);

/** Overall metrics plus one entry per slice value; names are grouped by labelKey. */
export function computeSlicedMetrics(
  answers: readonly SliceableAnswer[],
  by: SliceBy | null,
  seed: number,
  options: BootstrapOptions = DEFAULT_BOOTSTRAP,
): SlicedMetrics {
  const rows = answers.map((a) => ({ ...a, answers: 1, hits: hitsOf(a.selectedKinds) }));
  const overall = drain(metricsSteps(mergeRaterTotals(rows), overallStream(seed), options));
  if (!by) return { by, seed, overall, slices: [] };
  const slices = sliceGroups(rows, by).map((g) => ({ key: g.key, metrics: drain(metricsSteps(mergeRaterTotals(g.rows), sliceStream(seed, by, g.groupKey), options)) }));
  return { by, seed, overall, slices };
}
