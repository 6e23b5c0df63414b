// Metrics per slice of the answers (SPEC 4): overall, by topic category, by sampled preference
// category, by evaluator, by batch. Each slice bootstraps with its own seeded stream.
import { computeMetrics, DEFAULT_BOOTSTRAP, type BootstrapOptions, type MetricAnswer, type Metrics } from './metrics.js';
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

const keyOf: Record<SliceBy, (a: SliceableAnswer) => string> = {
  topic: (a) => a.topicCategory,
  category: (a) => a.sampledCategory,
  evaluator: (a) => a.evaluator,
  batch: (a) => a.batchId,
};

/** Overall metrics plus one entry per slice value; names are grouped by labelKey. */
export function computeSlicedMetrics(
  answers: readonly SliceableAnswer[],
  by: SliceBy | null,
  seed: number,
  options: BootstrapOptions = DEFAULT_BOOTSTRAP,
): SlicedMetrics {
  const overall = computeMetrics(answers, deriveRng(seed, 'overall'), options);
  if (!by) return { by, seed, overall, slices: [] };
  const groups = new Map<string, { key: string; answers: SliceableAnswer[] }>();
  for (const a of answers) {
    const name = keyOf[by](a);
    const k = labelKey(name);
    const group = groups.get(k) ?? { key: name.trim(), answers: [] };
    group.answers.push(a);
    groups.set(k, group);
  }
  const slices = [...groups.entries()]
    .sort(([ka, a], [kb, b]) => b.answers.length - a.answers.length || (ka < kb ? -1 : 1))
    .map(([k, g]) => ({ key: g.key, metrics: computeMetrics(g.answers, deriveRng(seed, `${by}:${k}`), options) }));
  return { by, seed, overall, slices };
}
