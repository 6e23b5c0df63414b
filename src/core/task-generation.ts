// MMC task generation (SPEC 2): one sampled category per datapoint, one phrase from each of G1..G5, plus `other`.
import { categoryCoverage, type CategoryCoverage } from './category-coverage.js';
import { labelKey, phraseKey } from './normalize.js';
import { OTHER_OPTION_TEXT, type OptionKind } from './option-kinds.js';
import { shuffled, type Rng } from './rng.js';
import {
  buildTaskPools,
  categoryTopicKey,
  concatenated,
  listView,
  withoutRange,
  type AnnotatedDatapoint,
  type PoolView,
  type TaskPools,
} from './task-pools.js';

export interface GeneratedOption {
  kind: OptionKind;
  text: string;
  /** Datapoint the phrase was drawn from; null for `other`. */
  sourceDatapointId: string | null;
}

export interface GeneratedTask {
  datapointId: string;
  /** The datapoint's own spelling of the sampled category. */
  sampledCategory: string;
  topicCategory: string;
  /** Always six, in kind order generated, category, category_topic, control, control_topic, other. */
  options: GeneratedOption[];
}

export const SKIP_REASONS = ['empty-category-topic-pool', 'empty-control-topic-pool', 'no-distinct-options'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export const SKIP_REASON_TEXT: Record<SkipReason, string> = {
  'empty-category-topic-pool': 'no other datapoint of the same topic has the sampled category (G3 empty)',
  'empty-control-topic-pool': 'no other datapoint of the same topic has a category the datapoint lacks (G5 empty)',
  'no-distinct-options': "the pools cannot give five phrases that differ after normalisation and from the datapoint's own reasons",
};

export type TaskResult = { ok: true; task: GeneratedTask } | { ok: false; reason: SkipReason; sampledCategory: string };

/**
 * How p is drawn: `uniform` among all of d's categories (SPEC 2, the default), or `usable` among
 * those whose same-topic pool G3 is not empty, so that no datapoint is lost to a rare topic.
 */
export const CATEGORY_DRAWS = ['uniform', 'usable'] as const;
export type CategoryDraw = (typeof CATEGORY_DRAWS)[number];

export interface GenerationReport {
  categoryDraw: CategoryDraw;
  /** Each category's share of the tasks next to its share among the datapoints visited (all of them without a limit). */
  categories: CategoryCoverage[];
  /** Datapoints a task was attempted for. */
  considered: number;
  made: number;
  skipped: number;
  skippedByReason: Record<SkipReason, number>;
  skippedDatapoints: { datapointId: string; sampledCategory: string; reason: SkipReason }[];
}

export interface GenerationResult {
  tasks: GeneratedTask[];
  report: GenerationReport;
}

/** Indexes into the G1..G5 views: G1, then the topic pools G3 and G5, then G2 and G4. */
const DRAW_ORDER = [0, 2, 4, 1, 3] as const;

/** Rejections tried before enumerating the non-colliding candidates (both give a uniform draw). */
const MAX_REJECTIONS = 32;

/**
 * Generates tasks for the datapoints, visited in an order shuffled by `rng`, until `limit` tasks
 * are made (all datapoints when no limit). Same datapoints + same rng state → identical output.
 */
export function generateTasks(
  datapoints: readonly AnnotatedDatapoint[],
  rng: Rng,
  options: { limit?: number; categoryDraw?: CategoryDraw } = {},
): GenerationResult {
  const categoryDraw = options.categoryDraw ?? 'uniform';
  const pools = buildTaskPools(datapoints);
  const order = shuffled(
    datapoints.map((_, i) => i),
    rng,
  );
  const limit = options.limit ?? Infinity;
  const tasks: GeneratedTask[] = [];
  const report: GenerationReport = {
    categoryDraw,
    categories: [],
    considered: 0,
    made: 0,
    skipped: 0,
    skippedByReason: { 'empty-category-topic-pool': 0, 'empty-control-topic-pool': 0, 'no-distinct-options': 0 },
    skippedDatapoints: [],
  };
  for (const index of order) {
    if (tasks.length >= limit) break;
    report.considered++;
    const result = drawTask(index, pools, rng, categoryDraw);
    if (result.ok) {
      tasks.push(result.task);
      report.made++;
    } else {
      report.skipped++;
      report.skippedByReason[result.reason]++;
      report.skippedDatapoints.push({
        datapointId: (datapoints[index] as AnnotatedDatapoint).id,
        sampledCategory: result.sampledCategory,
        reason: result.reason,
      });
    }
  }
  // Compared with the datapoints visited, not the whole dataset: a limit visits only a sample.
  const visited = order.slice(0, report.considered).map((i) => datapoints[i] as AnnotatedDatapoint);
  return { tasks, report: { ...report, categories: categoryCoverage(visited, tasks) } };
}

/** Draws the task of one datapoint (by index into pools.datapoints). */
export function drawTask(index: number, pools: TaskPools, rng: Rng, categoryDraw: CategoryDraw = 'uniform'): TaskResult {
  const d = pools.datapoints[index] as AnnotatedDatapoint;
  const topic = labelKey(d.topicCategory);
  const drawable = categoryDraw === 'uniform' ? d.preferences : d.preferences.filter((p) => categoryTopicPool(pools, index, labelKey(p.category), topic).size > 0);
  if (drawable.length === 0) return { ok: false, reason: 'empty-category-topic-pool', sampledCategory: (d.preferences[0] as AnnotatedDatapoint['preferences'][number]).category };
  const pref = drawable[rng.int(drawable.length)] as AnnotatedDatapoint['preferences'][number];
  const sampledCategory = pref.category;
  const cat = labelKey(pref.category);
  const own = pools.ownRanges[index]?.get(cat);
  if (!own) throw new Error(`datapoint ${d.id} has no pool range for its own category`);
  const ownCategories = new Set(d.preferences.map((p) => labelKey(p.category)));
  const controlCategories = pools.categoryKeys.filter((c) => !ownCategories.has(c));

  const views: [OptionKind, PoolView][] = [
    ['generated', listView(pref.granular.map((text) => ({ datapointIndex: index, text })))],
    ['category', withoutRange(pools.byCategory.get(cat) ?? [], own.category)],
    ['category_topic', categoryTopicPool(pools, index, cat, topic)],
    ['control', concatenated(controlCategories.map((c) => pools.byCategory.get(c) ?? []))],
    ['control_topic', concatenated(controlCategories.map((c) => pools.byCategoryTopic.get(categoryTopicKey(c, topic)) ?? []))],
  ];
  // SPEC 2: a rare topic leaves G3 or G5 empty; such a datapoint cannot form a task.
  if ((views[2]?.[1].size ?? 0) === 0) return { ok: false, reason: 'empty-category-topic-pool', sampledCategory };
  if ((views[4]?.[1].size ?? 0) === 0) return { ok: false, reason: 'empty-control-topic-pool', sampledCategory };

  // The fixed `other` text counts as taken: a phrase equal to it would show two identical options.
  const taken = new Set<string>([phraseKey(OTHER_OPTION_TEXT)]);
  const drawn = new Map<OptionKind, GeneratedOption>();
  // Topic pools are subsets of the wider pools: drawing them first means a collision is resolved
  // in the wider pool, which has alternatives, instead of skipping the datapoint.
  for (const slot of DRAW_ORDER) {
    const [kind, view] = views[slot] as [OptionKind, PoolView];
    const entry = drawDistinct(view, taken, rng);
    if (!entry) return { ok: false, reason: 'no-distinct-options', sampledCategory };
    taken.add(phraseKey(entry.text));
    // SPEC 2: once G1 is drawn, none of d's own phrases (under any of its categories) may come
    // back as another kind: a control that repeats one of d's reasons is not unrelated.
    if (kind === 'generated') for (const own of d.preferences.flatMap((p) => p.granular)) taken.add(phraseKey(own));
    const source = pools.datapoints[entry.datapointIndex] as AnnotatedDatapoint;
    drawn.set(kind, { kind, text: entry.text, sourceDatapointId: source.id });
  }
  const options = views.map(([kind]) => drawn.get(kind) as GeneratedOption);
  options.push({ kind: 'other', text: OTHER_OPTION_TEXT, sourceDatapointId: null });
  return { ok: true, task: { datapointId: d.id, sampledCategory, topicCategory: d.topicCategory, options } };
}

/** G3 of datapoint `index` for a category: the category's same-topic phrases of other datapoints. */
function categoryTopicPool(pools: TaskPools, index: number, cat: string, topic: string): PoolView {
  const own = pools.ownRanges[index]?.get(cat);
  if (!own) throw new Error(`datapoint ${index} has no pool range for its own category ${cat}`);
  return withoutRange(pools.byCategoryTopic.get(categoryTopicKey(cat, topic)) ?? [], own.categoryTopic);
}

/** A uniform draw among the view's entries whose phrase key is not taken; null if there is none. */
function drawDistinct(view: PoolView, taken: ReadonlySet<string>, rng: Rng) {
  if (view.size === 0) return null;
  for (let attempt = 0; attempt < MAX_REJECTIONS; attempt++) {
    const entry = view.at(rng.int(view.size));
    if (!taken.has(phraseKey(entry.text))) return entry;
  }
  const free = [];
  for (let i = 0; i < view.size; i++) {
    const entry = view.at(i);
    if (!taken.has(phraseKey(entry.text))) free.push(entry);
  }
  return free.length ? free[rng.int(free.length)] : null;
}
