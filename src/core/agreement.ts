// Rater agreement for multi-select answers (issue 14.3): Krippendorff's α with MASI and Jaccard
// distances between selected sets, α per option kind (selected or not, nominal), and the share of
// rater pairs who selected the same set, each with a percentile bootstrap interval over tasks.
import { OPTION_KINDS, type OptionKind } from './option-kinds.js';
import { quantile } from './metrics.js';
import type { Rng } from './rng.js';
import { drain, type Steps } from './steps.js';

/**
 * One task's ratings. A selection is the set of the task's options a rater ticked, written as the
 * bits of their kinds (generated = 1 … other = 32): a task shows one option of each kind, so the
 * kinds name the options, and the sets of different tasks can be compared.
 */
export interface TaskSelections {
  taskId: string;
  selections: readonly number[];
}

export interface AgreementFigure {
  /** null when the figure is undefined (fewer than two counted tasks' values, or no variation). */
  estimate: number | null;
  ci: { low: number; high: number } | null;
}

export interface Agreement {
  /** Tasks with any rating, and those with ≥ 2 ratings (the only ones agreement can use). */
  tasks: { rated: number; counted: number };
  /** Ratings of the counted tasks, and the rater pairs they form within tasks. */
  ratings: number;
  pairs: number;
  alphaMasi: AgreementFigure;
  alphaJaccard: AgreementFigure;
  /** Share of pairs of raters of the same task who selected exactly the same options. */
  pairAgreement: AgreementFigure;
  /** α with the nominal distance on "selected this kind's option or not", per kind. */
  alphaByKind: Record<OptionKind, AgreementFigure>;
  bootstrap: { rounds: number; level: number; unit: 'task' };
  /** Why there are no intervals (too few tasks rated twice), or null. */
  note: string | null;
}

/** Below this many tasks rated twice a bootstrap over tasks says nothing: no intervals are given. */
export const MIN_TASKS_FOR_INTERVALS = 10;

const VALUES = 64;
const popcount = (x: number): number => {
  let c = 0;
  for (let v = x; v; v &= v - 1) c++;
  return c;
};

/** 1 − |A ∩ B| / |A ∪ B|; two empty sets are identical (distance 0). */
export function jaccardDistance(a: number, b: number): number {
  const union = popcount(a | b);
  return union === 0 ? 0 : 1 - popcount(a & b) / union;
}

/**
 * MASI (Passonneau 2006): 1 − J · M, where J is the Jaccard index and M is 1 for equal sets, 2/3
 * when one contains the other, 1/3 when they overlap otherwise, 0 when disjoint.
 */
export function masiDistance(a: number, b: number): number {
  if (a === b) return 0;
  const both = a & b;
  const monotonicity = both === a || both === b ? 2 / 3 : both !== 0 ? 1 / 3 : 0;
  return 1 - (1 - jaccardDistance(a, b)) * monotonicity;
}

/** Distances between every pair of the 64 possible sets, for each measure (row-major 64 × 64). */
const DISTANCE_TABLES = (() => {
  const masi = new Float64Array(VALUES * VALUES);
  const jaccard = new Float64Array(VALUES * VALUES);
  for (let a = 0; a < VALUES; a++) {
    for (let b = 0; b < VALUES; b++) {
      masi[a * VALUES + b] = masiDistance(a, b);
      jaccard[a * VALUES + b] = jaccardDistance(a, b);
    }
  }
  return { masi, jaccard };
})();

/**
 * What a task adds to each figure, so that a bootstrap round only sums (Krippendorff's α is
 * 1 − (n − 1) Σ_u o_u / Σ_{c,k} n_c n_k δ(c, k), with o_u = Σ_{i≠j in u} δ(v_i, v_j) / (m_u − 1)).
 */
interface TaskTerms {
  m: number;
  /** o_u for MASI, Jaccard, then the six kinds (nominal). */
  observed: Float64Array;
  identicalPairs: number;
  /** The task's distinct sets and how many raters chose each. */
  values: Int32Array;
  counts: Int32Array;
}

const MEASURES = 2 + OPTION_KINDS.length;

function termsOf(selections: readonly number[]): TaskTerms {
  const m = selections.length;
  const observed = new Float64Array(MEASURES);
  let identicalPairs = 0;
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const [a, b] = [selections[i] as number, selections[j] as number];
      // Ordered pairs: each unordered pair counts twice.
      observed[0]! += (2 * (DISTANCE_TABLES.masi[a * VALUES + b] as number)) / (m - 1);
      observed[1]! += (2 * (DISTANCE_TABLES.jaccard[a * VALUES + b] as number)) / (m - 1);
      for (let k = 0; k < OPTION_KINDS.length; k++) if (((a ^ b) >> k) & 1) observed[2 + k]! += 2 / (m - 1);
      if (a === b) identicalPairs++;
    }
  }
  const tally = new Map<number, number>();
  for (const s of selections) tally.set(s, (tally.get(s) ?? 0) + 1);
  return { m, observed, identicalPairs, values: Int32Array.from(tally.keys()), counts: Int32Array.from(tally.values()) };
}

/** The figures from summed terms: observed sums, pairable values n, and how often each set was chosen. */
function figuresOf(observed: Float64Array, n: number, freq: Float64Array, identical: number, pairs: number): (number | null)[] {
  const expected = new Float64Array(MEASURES);
  for (let a = 0; a < VALUES; a++) {
    const fa = freq[a] as number;
    if (fa === 0) continue;
    for (let b = 0; b < VALUES; b++) {
      const fb = freq[b] as number;
      if (fb === 0 || a === b) continue;
      expected[0]! += fa * fb * (DISTANCE_TABLES.masi[a * VALUES + b] as number);
      expected[1]! += fa * fb * (DISTANCE_TABLES.jaccard[a * VALUES + b] as number);
    }
  }
  for (let k = 0; k < OPTION_KINDS.length; k++) {
    let ones = 0;
    for (let v = 0; v < VALUES; v++) if ((v >> k) & 1) ones += freq[v] as number;
    expected[2 + k] = 2 * ones * (n - ones);
  }
  const alphas = Array.from(expected, (e, i) => (e === 0 ? null : 1 - ((n - 1) * (observed[i] as number)) / e));
  return [...alphas, pairs === 0 ? null : identical / pairs];
}

export const DEFAULT_AGREEMENT_BOOTSTRAP = { rounds: 1000, level: 0.95 };

/** computeAgreement at once (tests, scripts). */
export function computeAgreement(tasks: readonly TaskSelections[], rng: Rng, options = DEFAULT_AGREEMENT_BOOTSTRAP): Agreement {
  return drain(agreementSteps(tasks, rng, options));
}

/**
 * Agreement over the tasks with ≥ 2 ratings, yielding after each bootstrap round. Tasks are taken
 * in id order, so the input order does not change the intervals.
 */
export function* agreementSteps(tasks: readonly TaskSelections[], rng: Rng, options = DEFAULT_AGREEMENT_BOOTSTRAP): Steps<Agreement> {
  const rated = tasks.filter((t) => t.selections.length > 0).length;
  const counted = [...tasks].filter((t) => t.selections.length >= 2).sort((a, b) => (a.taskId < b.taskId ? -1 : 1));
  const terms = counted.map((t) => termsOf(t.selections));
  const total = sumTerms(terms, null);
  const point = figuresOf(total.observed, total.n, total.freq, total.identical, total.pairs);
  const samples = Array.from({ length: MEASURES + 1 }, () => [] as number[]);
  const draws = new Float64Array(terms.length);
  for (let round = 0; round < options.rounds && terms.length > 0; round++) {
    rng.fill(draws);
    const multiplicity = new Int32Array(terms.length);
    for (const u of draws) multiplicity[Math.floor(u * terms.length)]! += 1;
    const s = sumTerms(terms, multiplicity);
    figuresOf(s.observed, s.n, s.freq, s.identical, s.pairs).forEach((v, i) => v !== null && samples[i]!.push(v));
    yield;
  }
  const alpha = (1 - options.level) / 2;
  const withIntervals = terms.length >= MIN_TASKS_FOR_INTERVALS;
  const figure = (i: number): AgreementFigure => {
    const estimate = point[i] ?? null;
    const sorted = Float64Array.from(samples[i] ?? []).sort();
    return { estimate, ci: estimate === null || sorted.length === 0 || !withIntervals ? null : { low: quantile(sorted, alpha), high: quantile(sorted, 1 - alpha) } };
  };
  return {
    tasks: { rated, counted: counted.length },
    ratings: total.n,
    pairs: total.pairs,
    alphaMasi: figure(0),
    alphaJaccard: figure(1),
    pairAgreement: figure(MEASURES),
    alphaByKind: Object.fromEntries(OPTION_KINDS.map((kind, k) => [kind, figure(2 + k)])) as Record<OptionKind, AgreementFigure>,
    bootstrap: { rounds: terms.length > 0 ? options.rounds : 0, level: options.level, unit: 'task' },
    note:
      terms.length === 0
        ? 'no task has two ratings yet'
        : withIntervals
          ? null
          : `only ${terms.length} task${terms.length === 1 ? '' : 's'} rated twice or more: estimates without intervals (they need at least ${MIN_TASKS_FOR_INTERVALS})`,
  };
}

/** Sums the tasks' terms, each taken `multiplicity[u]` times (null: once). */
function sumTerms(terms: readonly TaskTerms[], multiplicity: Int32Array | null) {
  const observed = new Float64Array(MEASURES);
  const freq = new Float64Array(VALUES);
  let n = 0;
  let identical = 0;
  let pairs = 0;
  terms.forEach((t, u) => {
    const times = multiplicity ? (multiplicity[u] as number) : 1;
    if (times === 0) return;
    n += times * t.m;
    identical += times * t.identicalPairs;
    pairs += (times * t.m * (t.m - 1)) / 2;
    for (let i = 0; i < MEASURES; i++) observed[i]! += times * (t.observed[i] as number);
    for (let v = 0; v < t.values.length; v++) freq[t.values[v] as number]! += times * (t.counts[v] as number);
  });
  return { observed, freq, n, identical, pairs };
}

/** planAgreement for a stored batch (its target raters and questions) with `tasks` frozen. */
export const planBatchAgreement = (batch: { targetRaters: number; questionsPerRater: number }, tasks: number): AgreementPlan =>
  planAgreement({ raters: batch.targetRaters, questions: batch.questionsPerRater, tasks });

/** Doubly-rated tasks below which a batch's agreement figures are too unsteady to read. */
export const MIN_DOUBLY_RATED_TASKS = 100;

export interface AgreementPlan {
  tasks: number;
  /** Ratings the batch will collect: raters × questions. */
  ratings: number;
  /** Tasks that will get ≥ 2 ratings when loads are balanced (least-rated first). */
  doublyRatedTasks: number;
  warning: string | null;
}

/**
 * How many tasks a batch will have rated twice or more (only those count for agreement), and a
 * warning when that is under MIN_DOUBLY_RATED_TASKS (or under every task of a smaller batch).
 */
export function planAgreement(batch: { raters: number; questions: number; tasks: number }): AgreementPlan {
  const ratings = batch.raters * batch.questions;
  const doublyRatedTasks = ratings >= 2 * batch.tasks ? batch.tasks : Math.max(0, ratings - batch.tasks);
  const enough = Math.min(batch.tasks, MIN_DOUBLY_RATED_TASKS);
  const warning =
    doublyRatedTasks >= enough
      ? null
      : `only ${doublyRatedTasks} of ${batch.tasks} tasks will be rated twice or more, and agreement counts only those: ask for 2 ratings per task ("Ratings per task" in the form, --ratings-per-task 2 on the command line) to rate every task at least twice`;
  return { tasks: batch.tasks, ratings, doublyRatedTasks, warning };
}
