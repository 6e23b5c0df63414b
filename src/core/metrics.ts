// Rates R1-R6 and the four probability ratios (SPEC 4), with percentile cluster-bootstrap intervals
// that resample raters: a rater's answers move together.
import { BINOMIAL_COST_IN_DRAWS, multinomialDraw, prepareMultinomial } from './binomial.js';
import { KIND_LABELS, OPTION_KINDS, type OptionKind } from './option-kinds.js';
import { createRng, type Rng } from './rng.js';
import { drain } from './steps.js';

/** One answered question, reduced to what the metrics need. */
export interface MetricAnswer {
  raterId: string;
  /** Kinds of the options the rater selected (at least one). */
  selectedKinds: readonly OptionKind[];
}

export const RATE_NAMES = ['R1', 'R2', 'R3', 'R4', 'R5', 'R6'] as const;
export type RateName = (typeof RATE_NAMES)[number];

/** R_k counts answers whose selection includes the option of kind OPTION_KINDS[k-1]. */
export const RATE_KIND: Record<RateName, OptionKind> = Object.fromEntries(RATE_NAMES.map((r, i) => [r, OPTION_KINDS[i]])) as Record<RateName, OptionKind>;

/** What each rate means, in a sentence a reader of the results page understands (SPEC 4). */
export const RATE_MEANINGS: Record<RateName, string> = Object.fromEntries(
  RATE_NAMES.map((r) => [r, `share of answers that ticked the ${KIND_LABELS[RATE_KIND[r]]}`]),
) as Record<RateName, string>;

export const RATIOS = {
  generated_vs_control: { label: 'Generated vs. Control', numerator: 'R1', denominator: 'R4' },
  generated_vs_control_topic: { label: 'Generated vs. Control | Topic', numerator: 'R1', denominator: 'R5' },
  category_vs_control: { label: 'Category vs. Control', numerator: 'R2', denominator: 'R4' },
  category_vs_control_topic: { label: 'Category vs. Control | Topic', numerator: 'R3', denominator: 'R5' },
} as const satisfies Record<string, { label: string; numerator: RateName; denominator: RateName }>;
export type RatioName = keyof typeof RATIOS;

/** What each ratio says (SPEC 4): above 1, the first kind is ticked more often than the control. */
export const RATIO_MEANINGS: Record<RatioName, string> = {
  generated_vs_control: 'R1 / R4: how many times more often the generated reason is ticked than a control reason from a category the datapoint lacks (1: no more often, so the reasons explain nothing)',
  generated_vs_control_topic: 'R1 / R5: the same against a control reason from the same topic (rules out topic words doing the work)',
  category_vs_control: 'R2 / R4: how many times more often a reason of the same category is ticked than a control (does the category itself carry the preference?)',
  category_vs_control_topic: 'R3 / R5: the same, with both reasons from the same topic',
};
export const RATIO_NAMES = Object.keys(RATIOS) as RatioName[];

export interface Interval {
  /** 2.5th and 97.5th percentiles of the bootstrap distribution (for a 95 % level). */
  low: number;
  high: number;
}

export interface RateFigure {
  estimate: number | null;
  ci: Interval | null;
}

/**
 * A ratio's interval. Rounds whose resampled denominator is 0 count as +∞ (the ratio grows without
 * bound as the denominator goes to 0): when more than (1 − level) / 2 of the rounds are like that,
 * the upper bound is unbounded (`high: null`, `highUnbounded: true`, "∞" on pages), never a finite
 * number computed from the other rounds alone (DECISIONS).
 */
export interface RatioInterval {
  low: number;
  high: number | null;
  highUnbounded: boolean;
}

export interface RatioFigure {
  estimate: number | null;
  ci: RatioInterval | null;
  label: string;
  numerator: RateName;
  denominator: RateName;
  /** Why the estimate is null (zero denominator), or why the interval is missing. */
  note: string | null;
  /** Bootstrap rounds whose resampled denominator was 0 (counted as +∞ in the interval). */
  undefinedRounds: number;
}

/**
 * What the bootstrap resamples (DECISIONS, Intervals): human raters, or the tasks an LLM evaluator
 * answered (one participant per repeat: a task's answers move together); `mixed` when a group
 * pools both (e.g. overall, with humans and models together).
 */
export type ClusterUnit = 'rater' | 'task' | 'mixed';

export interface Metrics {
  /** `raters` counts the clusters the bootstrap resamples (see clusterUnit). */
  n: { answers: number; raters: number };
  clusterUnit: ClusterUnit;
  rates: Record<RateName, RateFigure>;
  ratios: Record<RatioName, RatioFigure>;
  bootstrap: { rounds: number; level: number };
}

export interface BootstrapOptions {
  rounds: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
}

export const DEFAULT_BOOTSTRAP: BootstrapOptions = { rounds: 1000, level: 0.95 };

/** Per-rater totals: answers and, per rate, how many of them selected that kind. */
export interface RaterTotals {
  /** The cluster: a rater, or (unit `task`) one task of an LLM evaluator. */
  raterId: string;
  /** Absent: a rater. */
  unit?: 'rater' | 'task';
  answers: number;
  /** Indexed like RATE_NAMES (= OPTION_KINDS). */
  hits: readonly number[];
}

/** Which rates an answer counts in: 1 per kind it selected, indexed like RATE_NAMES. */
export function hitsOf(selectedKinds: readonly OptionKind[]): number[] {
  const kinds = new Set(selectedKinds);
  return OPTION_KINDS.map((kind) => (kinds.has(kind) ? 1 : 0));
}

/** Sums totals per rater, sorted by rater id, so the bootstrap does not depend on input order. */
export function mergeRaterTotals(rows: readonly RaterTotals[]): RaterTotals[] {
  // Rows already one per rater in id order (SQL sorts them so): nothing to merge.
  if (rows.every((r, i) => i === 0 || (rows[i - 1] as RaterTotals).raterId < r.raterId)) {
    return rows.map((r) => ({ raterId: r.raterId, answers: r.answers, hits: [...r.hits], ...(r.unit ? { unit: r.unit } : {}) }));
  }
  const byRater = new Map<string, { answers: number; hits: number[]; unit?: 'rater' | 'task' }>();
  for (const row of rows) {
    let t = byRater.get(row.raterId);
    if (!t) {
      t = { answers: 0, hits: RATE_NAMES.map(() => 0), ...(row.unit ? { unit: row.unit } : {}) };
      byRater.set(row.raterId, t);
    }
    t.answers += row.answers;
    for (let i = 0; i < t.hits.length; i++) t.hits[i] = (t.hits[i] as number) + (row.hits[i] as number);
  }
  return [...byRater.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([raterId, t]) => ({ raterId, ...t }));
}

export function totalsByRater(answers: readonly MetricAnswer[]): RaterTotals[] {
  return mergeRaterTotals(answers.map((a) => ({ raterId: a.raterId, answers: 1, hits: hitsOf(a.selectedKinds) })));
}

/** What the bootstrap resamples among these clusters, or classes of them: raters, tasks or both. */
export function clusterUnitOf(clusters: readonly Pick<RaterTotals, 'unit'>[]): ClusterUnit {
  const tasks = clusters.filter((c) => c.unit === 'task').length;
  return tasks === 0 ? 'rater' : tasks === clusters.length ? 'task' : 'mixed';
}

/** Rates from summed totals; null when there are no answers. */
function ratesOf(answers: number, hits: readonly number[]): (number | null)[] {
  return hits.map((h) => (answers === 0 ? null : h / answers));
}

function ratioOf(rates: readonly (number | null)[], ratio: RatioName): number | null {
  const num = rates[RATE_NAMES.indexOf(RATIOS[ratio].numerator)];
  const den = rates[RATE_NAMES.indexOf(RATIOS[ratio].denominator)];
  if (num === null || num === undefined || den === null || den === undefined || den === 0) return null;
  return num / den;
}

/**
 * Computes every rate and ratio over `answers` with percentile cluster-bootstrap intervals:
 * each round draws as many raters as there are, with replacement, and pools their answers.
 * Same answers (in any order) and same rng state → identical output.
 */
export function computeMetrics(answers: readonly MetricAnswer[], rng: Rng, options: BootstrapOptions = DEFAULT_BOOTSTRAP): Metrics {
  return drain(metricsSteps(totalsByRater(answers), rng, options));
}

/**
 * computeMetrics on per-rater totals (as mergeRaterTotals gives them: sorted by rater id), as a
 * generator that yields after each bootstrap round, so a server can spread a large bootstrap over
 * many turns of its event loop (results/metrics.ts) while tests and scripts drain it at once.
 */
export function metricsSteps(raters: readonly RaterTotals[], rng: Rng, options: BootstrapOptions = DEFAULT_BOOTSTRAP): Generator<void, Metrics> {
  return planSteps(planOfRaters(raters, rng, options.rounds), rng, options);
}

/**
 * Metrics from classes of equal totals (a slice's raters, as SQL or classesOfRaters groups them),
 * in any order: they are put in the canonical order first, which the draws follow.
 */
export function classMetricsSteps(classes: readonly RaterClass[], rng: Rng, options: BootstrapOptions = DEFAULT_BOOTSTRAP): Generator<void, Metrics> {
  return planSteps(planOfClasses(classes, rng, options.rounds), rng, options);
}

/** Both halves in this thread, one after the other. */
function* planSteps(plan: BootstrapPlan, rng: Rng, options: BootstrapOptions): Generator<void, Metrics> {
  const first = yield* halfRounds(plan.first, rng);
  const second = yield* halfRounds(plan.second, createRng(plan.second.seed));
  return figuresOf(plan.total, plan.clusterUnit, mergeSamples(first, second), options);
}

/**
 * metricsSteps (or, given classes, classMetricsSteps) with the second half of the bootstrap drawn
 * by `elsewhere` (another thread: drawHalf) while this thread draws the first: the same figures.
 */
export async function metricsBeside(
  clusters: { raters: readonly RaterTotals[] } | { classes: readonly RaterClass[] },
  rng: Rng,
  options: BootstrapOptions,
  elsewhere: (half: BootstrapHalf) => Promise<BootstrapSamples>,
): Promise<Metrics> {
  const plan = 'raters' in clusters ? planOfRaters(clusters.raters, rng, options.rounds) : planOfClasses(clusters.classes, rng, options.rounds);
  const second = elsewhere(plan.second);
  // Awaited below, after this thread's half: not unhandled meanwhile.
  second.catch(() => {});
  const first = drain(halfRounds(plan.first, rng));
  return figuresOf(plan.total, plan.clusterUnit, mergeSamples(first, await second), options);
}

/**
 * Half of a bootstrap's rounds: drawn rater by rater (`perRater`: each rater's answers and six
 * hits, stride 8), or by class (`classes`, in canonical order). Since 2026-11-28 every bootstrap
 * is two halves, so that two threads can draw them at once: the first ⌈rounds / 2⌉ rounds from
 * the caller's stream after one draw that seeds the second half's own stream.
 */
export type BootstrapHalf = BootstrapRounds & { seed: number };

/** Rounds to draw and what from (BootstrapHalf without its stream). */
type BootstrapRounds = { rounds: number } & ({ perRater: Int32Array } | { classes: readonly RaterClass[] });

/** The rounds of one half, drawn at once (a helper thread's job). */
export function drawHalf(half: BootstrapHalf): BootstrapSamples {
  return drain(halfRounds(half, createRng(half.seed)));
}

function halfRounds(half: BootstrapRounds, rng: Rng): Generator<void, BootstrapSamples> {
  return 'perRater' in half ? oneByOneRounds(half.perRater, rng, half.rounds) : classRounds(half.classes, rng, half.rounds);
}

interface BootstrapPlan {
  total: { answers: number; raters: number; hits: number[] };
  clusterUnit: ClusterUnit;
  /** Drawn from the caller's stream. */
  first: BootstrapRounds;
  second: BootstrapHalf;
}

function halves(rng: Rng, rounds: number, clusters: { perRater: Int32Array } | { classes: readonly RaterClass[] }): Pick<BootstrapPlan, 'first' | 'second'> {
  const seed = rng.int(2 ** 31);
  const firstRounds = Math.ceil(rounds / 2);
  return { first: { ...clusters, rounds: firstRounds }, second: { ...clusters, seed, rounds: rounds - firstRounds } };
}

/** Raters drawn by class when some class is large enough for a binomial, else one by one in their order. */
function planOfRaters(raters: readonly RaterTotals[], rng: Rng, rounds: number): BootstrapPlan {
  const classes = classesOfRaters(raters);
  if (drawnByClass(classes)) return planOfClasses(classes, rng, rounds);
  // A rater's answers and six hits side by side (stride 8: one cache line per draw).
  const perRater = new Int32Array(raters.length * 8);
  raters.forEach((r, k) => {
    perRater[k * 8] = r.answers;
    for (let i = 0; i < 6; i++) perRater[k * 8 + 1 + i] = r.hits[i] as number;
  });
  return { total: sums(classes), clusterUnit: clusterUnitOf(classes), ...halves(rng, rounds, { perRater }) };
}

function planOfClasses(classes: readonly RaterClass[], rng: Rng, rounds: number): BootstrapPlan {
  const ordered = [...classes].sort(compareClasses);
  return { total: sums(ordered), clusterUnit: clusterUnitOf(ordered), ...halves(rng, rounds, { classes: ordered }) };
}

/** Totals shared by `size` clusters (raters, or tasks of an LLM evaluator). */
export interface RaterClass {
  size: number;
  unit: 'rater' | 'task';
  answers: number;
  /** Indexed like RATE_NAMES. */
  hits: readonly number[];
}

/** The classes of equal totals among `raters`, in canonical order (classMetricsSteps). */
export function classesOfRaters(raters: readonly RaterTotals[]): RaterClass[] {
  const byTotals = new Map<number | string, RaterClass>();
  for (const r of raters) {
    const unit = r.unit ?? 'rater';
    const key = totalsKey(unit, r.answers, r.hits);
    const found = byTotals.get(key);
    if (found) found.size++;
    else byTotals.set(key, { size: 1, unit, answers: r.answers, hits: r.hits });
  }
  return [...byTotals.values()].sort(compareClasses);
}

/**
 * Equal totals, equal keys: under 128 answers (every hit count is at most the answers) the unit,
 * answers and six hits fit in 50 bits of a number, a cheaper Map key than a string.
 */
function totalsKey(unit: 'rater' | 'task', answers: number, hits: readonly number[]): number | string {
  if (answers >= 128) return `${unit},${answers},${hits.join(',')}`;
  let key = answers * 2 + (unit === 'task' ? 1 : 0);
  for (const h of hits) key = key * 128 + h;
  return key;
}

/** Largest class first; equal sizes by unit, answers, then hits (numbers, ascending). */
function compareClasses(a: RaterClass, b: RaterClass): number {
  if (a.size !== b.size) return b.size - a.size;
  if (a.unit !== b.unit) return a.unit < b.unit ? -1 : 1;
  if (a.answers !== b.answers) return a.answers - b.answers;
  for (let i = 0; i < a.hits.length; i++) if (a.hits[i] !== b.hits[i]) return (a.hits[i] as number) - (b.hits[i] as number);
  return 0;
}

/**
 * Whether some class (in any order) is large enough to be drawn as one binomial
 * (multinomialDraw); otherwise metricsSteps draws the raters one by one in their own order, as it
 * always has. When it holds, metricsSteps on raters and classMetricsSteps on their classes give
 * the same figures.
 */
export function drawnByClass(classes: readonly RaterClass[]): boolean {
  return classes.some((c) => c.size >= BINOMIAL_COST_IN_DRAWS);
}

function sums(classes: readonly RaterClass[]): { answers: number; raters: number; hits: number[] } {
  const out = { answers: 0, raters: 0, hits: RATE_NAMES.map(() => 0) };
  for (const c of classes) {
    out.raters += c.size;
    out.answers += c.size * c.answers;
    c.hits.forEach((h, i) => (out.hits[i] = (out.hits[i] as number) + c.size * h));
  }
  return out;
}

function figuresOf(total: { answers: number; raters: number; hits: number[] }, clusterUnit: ClusterUnit, samples: BootstrapSamples, options: BootstrapOptions): Metrics {
  const pointRates = ratesOf(total.answers, total.hits);
  const alpha = (1 - options.level) / 2;
  return {
    n: { answers: total.answers, raters: total.raters },
    clusterUnit,
    rates: rateFigures(pointRates, samples, alpha),
    ratios: ratioFigures(pointRates, samples, alpha, { answers: total.answers, rounds: options.rounds }),
    bootstrap: { rounds: options.rounds, level: options.level },
  };
}

/** Each round's rates and ratios (ratios with a zero denominator only counted, per ratio). */
export interface BootstrapSamples {
  rates: number[][];
  ratios: number[][];
  undefinedRounds: number[];
}

/** Two sets of rounds as one (the intervals do not depend on the rounds' order). */
function mergeSamples(a: BootstrapSamples, b: BootstrapSamples): BootstrapSamples {
  return {
    rates: a.rates.map((r, i) => r.concat(b.rates[i] as number[])),
    ratios: a.ratios.map((r, i) => r.concat(b.ratios[i] as number[])),
    undefinedRounds: a.undefinedRounds.map((n, i) => n + (b.undefinedRounds[i] as number)),
  };
}

function emptySamples(): BootstrapSamples {
  return { rates: RATE_NAMES.map(() => []), ratios: RATIO_NAMES.map(() => []), undefinedRounds: RATIO_NAMES.map(() => 0) };
}

/** Adds one round's pooled totals to the samples. */
function addRound(samples: BootstrapSamples, answers: number, hits: number[]): void {
  const rates = ratesOf(answers, hits);
  rates.forEach((v, i) => v !== null && samples.rates[i]?.push(v));
  RATIO_NAMES.forEach((name, i) => {
    const v = ratioOf(rates, name);
    if (v === null) samples.undefinedRounds[i] = (samples.undefinedRounds[i] as number) + 1;
    else samples.ratios[i]?.push(v);
  });
}

/**
 * Rounds of the cluster bootstrap, yielding after each one: each draws as many raters as there
 * are, one by one with replacement, and sums their totals (`perRater` as planOfRaters lays it out).
 */
export function* oneByOneRounds(perRater: Int32Array, rng: Rng, rounds: number): Generator<void, BootstrapSamples> {
  const samples = emptySamples();
  const count = perRater.length / 8;
  if (count === 0) return samples;
  const draws = new Int32Array(count);
  for (let round = 0; round < rounds; round++) {
    rng.fillIndices(draws, count);
    let total = 0;
    let h0 = 0, h1 = 0, h2 = 0, h3 = 0, h4 = 0, h5 = 0;
    for (let k = 0; k < count; k++) {
      const b = (draws[k] as number) * 8;
      total += perRater[b] as number;
      h0 += perRater[b + 1] as number;
      h1 += perRater[b + 2] as number;
      h2 += perRater[b + 3] as number;
      h3 += perRater[b + 4] as number;
      h4 += perRater[b + 5] as number;
      h5 += perRater[b + 6] as number;
    }
    addRound(samples, total, [h0, h1, h2, h3, h4, h5]);
    yield;
  }
  return samples;
}

/**
 * The same rounds over classes of equal totals (a topic's raters, one or two answers each, fall
 * into a few hundred): a round draws how many raters of each class it takes (a multinomial: one
 * binomial per large class, the rest one by one) and weighs the classes' totals — from the same
 * distribution, with far fewer draws when classes are large.
 */
function* classRounds(classes: readonly RaterClass[], rng: Rng, rounds: number): Generator<void, BootstrapSamples> {
  const samples = emptySamples();
  if (classes.length === 0) return samples;
  const totals = Int32Array.from(classes.flatMap((c) => [c.answers, ...c.hits]));
  const multinomial = prepareMultinomial(Int32Array.from(classes, (c) => c.size));
  const times = new Int32Array(classes.length);
  for (let round = 0; round < rounds; round++) {
    multinomialDraw(rng, multinomial, times);
    let total = 0;
    let h0 = 0, h1 = 0, h2 = 0, h3 = 0, h4 = 0, h5 = 0;
    for (let c = 0; c < classes.length; c++) {
      const t = times[c] as number;
      if (t === 0) continue;
      const b = c * 7;
      total += t * (totals[b] as number);
      h0 += t * (totals[b + 1] as number);
      h1 += t * (totals[b + 2] as number);
      h2 += t * (totals[b + 3] as number);
      h3 += t * (totals[b + 4] as number);
      h4 += t * (totals[b + 5] as number);
      h5 += t * (totals[b + 6] as number);
    }
    addRound(samples, total, [h0, h1, h2, h3, h4, h5]);
    yield;
  }
  return samples;
}

function percentileInterval(samples: readonly number[], alpha: number): Interval | null {
  if (samples.length === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  return { low: quantile(sorted, alpha), high: quantile(sorted, 1 - alpha) };
}

function rateFigures(pointRates: readonly (number | null)[], samples: BootstrapSamples, alpha: number): Record<RateName, RateFigure> {
  return Object.fromEntries(
    RATE_NAMES.map((name, i) => [name, { estimate: pointRates[i] ?? null, ci: pointRates[i] === null ? null : percentileInterval(samples.rates[i] ?? [], alpha) }]),
  ) as Record<RateName, RateFigure>;
}

function ratioFigures(pointRates: readonly (number | null)[], samples: BootstrapSamples, alpha: number, context: { answers: number; rounds: number }): Record<RatioName, RatioFigure> {
  return Object.fromEntries(
    RATIO_NAMES.map((name, i) => {
      const def = RATIOS[name];
      const estimate = ratioOf(pointRates, name);
      const unbounded = samples.undefinedRounds[i] as number;
      const ci = estimate === null ? null : ratioInterval(samples.ratios[i] ?? [], unbounded, alpha);
      const figure: RatioFigure = {
        label: def.label,
        numerator: def.numerator,
        denominator: def.denominator,
        estimate,
        ci,
        note: ratioNote({ answers: context.answers, estimate, ci, unbounded, rounds: context.rounds, denominator: def.denominator }),
        undefinedRounds: unbounded,
      };
      return [name, figure];
    }),
  ) as Record<RatioName, RatioFigure>;
}

/** Percentile interval over the finite rounds plus `unbounded` rounds at +∞ (sorted last). */
function ratioInterval(finite: readonly number[], unbounded: number, alpha: number): RatioInterval | null {
  const total = finite.length + unbounded;
  if (total === 0) return null;
  const sorted = Float64Array.from([...finite, ...Array<number>(unbounded).fill(Infinity)]).sort();
  const low = quantile(sorted, alpha);
  const high = quantile(sorted, 1 - alpha);
  // Every round unbounded leaves no finite lower bound either: no interval at all.
  if (!Number.isFinite(low)) return null;
  return Number.isFinite(high) ? { low, high, highUnbounded: false } : { low, high: null, highUnbounded: true };
}

function ratioNote(f: { answers: number; estimate: number | null; ci: RatioInterval | null; unbounded: number; rounds: number; denominator: RateName }): string | null {
  if (f.answers === 0) return 'no answers';
  if (f.estimate === null) return `${f.denominator} is 0: no answer ticked the ${KIND_LABELS[RATE_KIND[f.denominator]]}`;
  const notes: string[] = [];
  if (f.ci?.highUnbounded) notes.push(`upper bound unbounded: ${f.unbounded} of ${f.rounds} bootstrap rounds had ${f.denominator} = 0`);
  else if (f.unbounded > 0) notes.push(`${f.unbounded} of ${f.rounds} bootstrap rounds had ${f.denominator} = 0 (counted as +∞)`);
  if (f.ci && (f.estimate < f.ci.low || (f.ci.high !== null && f.estimate > f.ci.high))) notes.push('the estimate lies outside its percentile interval (a skewed bootstrap distribution)');
  return notes.length ? notes.join('; ') : null;
}

/** Linear interpolation between order statistics (R's type 7) on sorted values. */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  // Equal neighbours (two +∞ among them) need no interpolation, which would give NaN.
  if (a === b) return a;
  return a + (h - lo) * (b - a);
}
