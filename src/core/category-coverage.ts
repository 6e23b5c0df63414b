// How a batch's tasks spread over the dataset's categories, next to what the dataset itself gives
// (issue 14.1): SPEC 2's rule skips a datapoint whose drawn category has no same-topic phrases,
// which can lose a category from a batch or shift its share.
import { labelKey } from './normalize.js';
import type { AnnotatedDatapoint } from './task-pools.js';

/** A category's share of tasks is flagged when it moves more than this many percentage points. */
export const SHIFT_WARNING_POINTS = 5;

export interface CategoryCoverage {
  /** The category as first spelled in the dataset. */
  category: string;
  /** Datapoints annotated with it. */
  datapoints: number;
  /** Share of datapoints annotated with it (0–1): the dataset's prevalence. */
  prevalence: number;
  /**
   * Share of draws it gets when every datapoint draws one of its categories uniformly (0–1; the
   * shares sum to 1): what the batch's tasks would show if no datapoint were skipped.
   */
  expectedShare: number;
  /** Share of the batch's tasks with it as the sampled category (0–1). */
  taskShare: number;
  /** `lost`: in the dataset but in no task; `shifted`: task share off by more than SHIFT_WARNING_POINTS. */
  warning: 'lost' | 'shifted' | null;
}

/** One row per category of the dataset, most prevalent first (ties by name). */
export function categoryCoverage(datapoints: readonly AnnotatedDatapoint[], tasks: readonly { sampledCategory: string }[]): CategoryCoverage[] {
  const rows = new Map<string, { category: string; datapoints: number; draws: number; tasks: number }>();
  for (const d of datapoints) {
    const keys = new Map(d.preferences.map((p) => [labelKey(p.category), p.category]));
    for (const [key, spelling] of keys) {
      const row = rows.get(key) ?? { category: spelling, datapoints: 0, draws: 0, tasks: 0 };
      row.datapoints++;
      row.draws += 1 / keys.size;
      rows.set(key, row);
    }
  }
  for (const t of tasks) {
    const row = rows.get(labelKey(t.sampledCategory));
    if (row) row.tasks++;
  }
  return [...rows.values()]
    .map((r) => {
      const expectedShare = datapoints.length ? r.draws / datapoints.length : 0;
      const taskShare = tasks.length ? r.tasks / tasks.length : 0;
      const warning = r.tasks === 0 ? 'lost' : Math.abs(taskShare - expectedShare) * 100 > SHIFT_WARNING_POINTS ? 'shifted' : null;
      return { category: r.category, datapoints: r.datapoints, prevalence: datapoints.length ? r.datapoints / datapoints.length : 0, expectedShare, taskShare, warning } as const;
    })
    .sort((a, b) => b.datapoints - a.datapoints || a.category.localeCompare(b.category));
}

/** What a warning means, in words for tables and terminals. */
export function coverageWarningText(warning: CategoryCoverage['warning']): string {
  if (warning === 'lost') return 'lost: in no task';
  return warning === 'shifted' ? `shifted by more than ${SHIFT_WARNING_POINTS} points` : '';
}

/** Percent with one decimal, for tables. */
export function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}
