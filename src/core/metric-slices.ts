// Metrics per slice of the answers (SPEC 4): overall, by topic category, by sampled preference
// category, by evaluator, by batch. Each slice bootstraps with its own seeded stream.
import { drain } from './steps.js';
import { classesOfRaters, classMetricsSteps, DEFAULT_BOOTSTRAP, hitsOf, mergeRaterTotals, metricsSteps, type BootstrapOptions, type MetricAnswer, type Metrics, type RaterClass, type RaterTotals } from './metrics.js';
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

/** A slice as its bootstrap takes it: classes of equal per-rater totals. */
export interface SliceClasses {
  key: string;
  groupKey: string;
  classes: RaterClass[];
}

/** Each slice's classes (rows merged per rater first), largest slice first. */
export function sliceClassesOf(rows: readonly SliceableTotals[], by: SliceBy): SliceClasses[] {
  return sliceGroups(rows, by).map((g) => ({ key: g.key, groupKey: g.groupKey, classes: classesOfRaters(mergeRaterTotals(g.rows)) }));
}

/**
 * Slice names grouped as sliceGroups groups them (by labelKey, named by the first trimmed spelling
 * in code-unit order), for a database to aggregate each group at once: the groups, and each
 * name's group.
 */
export function groupSliceNames(names: readonly string[]): { groups: { key: string; groupKey: string }[]; groupOfName: number[] } {
  const at = new Map<string, number>();
  const groups: { key: string; groupKey: string }[] = [];
  const groupOfName = names.map((name) => {
    const groupKey = labelKey(name);
    let i = at.get(groupKey);
    if (i === undefined) {
      at.set(groupKey, (i = groups.length));
      groups.push({ key: name.trim(), groupKey });
    } else if (name.trim() < groups[i]!.key) groups[i]!.key = name.trim();
    return i;
  });
  return { groups, groupOfName };
}

/** Largest slice first (answers), ties by group key: the order sliceGroups gives. */
export function inSliceOrder(slices: readonly SliceClasses[]): SliceClasses[] {
  const answers = (s: SliceClasses) => s.classes.reduce((n, c) => n + c.size * c.answers, 0);
  return slices
    .map((s) => ({ s, answers: answers(s) }))
    .sort((a, b) => b.answers - a.answers || (a.s.groupKey < b.s.groupKey ? -1 : 1))
    .map(({ s }) => s);
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
  const slices = sliceClassesOf(rows, by).map((g) => ({ key: g.key, metrics: drain(classMetricsSteps(g.classes, sliceStream(seed, by, g.groupKey), options)) }));
  return { by, seed, overall, slices };
}
