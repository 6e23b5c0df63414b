// Preference-specific Elo (SPEC 7, paper Section 5.1 and Table 6): Bradley–Terry ratings fitted by
// maximum likelihood on a dataset's battles, overall and per preference category, on one anchored
// Elo scale, with percentile intervals over battles resampled with replacement.
import { fitBradleyTerry } from './bradley-terry.js';
import { quantile } from './metrics.js';
import { labelKey } from './normalize.js';
import type { Rng } from './rng.js';
import { drain, type Steps } from './steps.js';

export { ELO_PENALTY } from './bradley-terry.js';

/** One judged comparison: the dataset's model_a against model_b and which one won. */
export interface Battle {
  modelA: string;
  modelB: string;
  winner: 'model_a' | 'model_b';
}

/** Elo scale: a 400-point gap means 10:1 odds; the anchor model sits at 1000. */
export const ELO_SCALE = 400;
export const ELO_BASE = 1000;
/** DECISIONS: models with fewer battles in a subset are listed apart, not ranked. */
export const MIN_BATTLES = 20;

const LOG_TO_ELO = ELO_SCALE / Math.LN10;

export interface EloOptions {
  rounds: number;
  level: number;
  minBattles: number;
}

export const DEFAULT_ELO_OPTIONS: EloOptions = { rounds: 1000, level: 0.95, minBattles: MIN_BATTLES };

export interface RatedModel {
  model: string;
  battles: number;
  rating: number;
  /** Percentile interval of the rating over bootstrap rounds (the anchor's is [1000, 1000]). */
  ci: { low: number; high: number };
  /** 1 + the number of models rated higher. */
  rank: number;
  /** 2.5–97.5 % of the model's rank over bootstrap rounds (whole ranks). */
  rankCi: { low: number; high: number };
  /**
   * Set when the model won (`lower`) or lost (`upper`) every one of its battles: its maximum-
   * likelihood rating is infinite, and the finite one shown (held by the tiny penalty) and its
   * interval are only a bound, not an estimate.
   */
  bound: 'lower' | 'upper' | null;
}

export interface ModelApart {
  model: string;
  battles: number;
  reason: 'too few battles' | 'no battles linking it to the anchor' | 'the anchor has too few battles here';
}

export interface EloSubset {
  battles: number;
  ranked: RatedModel[];
  apart: ModelApart[];
}

/** The model with most battles (ties: the first by name): the default anchor, fixed at 1000. */
export function defaultAnchor(battles: readonly Battle[]): string | null {
  const counts = battleCounts(battles);
  return [...counts.entries()].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))[0]?.[0] ?? null;
}

export function battleCounts(battles: readonly Battle[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const b of battles) {
    counts.set(b.modelA, (counts.get(b.modelA) ?? 0) + 1);
    counts.set(b.modelB, (counts.get(b.modelB) ?? 0) + 1);
  }
  return counts;
}

/** Rates the models of `battles` against `anchor` at once (tests, scripts). */
export function computeElo(battles: readonly Battle[], anchor: string, rng: Rng, options: EloOptions = DEFAULT_ELO_OPTIONS): EloSubset {
  return drain(eloSteps(battles, anchor, rng, options));
}

/**
 * pElo of one subset of battles, yielding after each bootstrap round (a server runs it in slices).
 * Models with fewer than `minBattles` battles are dropped until every model left has enough (the
 * battles among those left), and models with no chain of battles to the anchor are listed apart:
 * their ratings would rest on the penalty alone.
 */
export function* eloSteps(battles: readonly Battle[], anchor: string, rng: Rng, options: EloOptions = DEFAULT_ELO_OPTIONS): Steps<EloSubset> {
  const { kept, apart } = selectModels(battles, anchor, options.minBattles);
  const used = battles.filter((b) => kept.has(b.modelA) && kept.has(b.modelB));
  if (!kept.has(anchor)) return { battles: battles.length, ranked: [], apart };
  const models = [...kept].sort();
  const index = new Map(models.map((m, i) => [m, i]));
  const pairs = Int32Array.from(used.flatMap((b) => {
    const [a, z] = [index.get(b.modelA) as number, index.get(b.modelB) as number];
    return b.winner === 'model_a' ? [a, z] : [z, a];
  }));
  const k = models.length;
  const anchorIndex = index.get(anchor) as number;
  const point = fitBradleyTerry(winsOf(pairs, k), anchorIndex);
  const samples = yield* bootstrapRatings(pairs, k, anchorIndex, point, rng, options.rounds);
  const counts = battleCounts(used);
  const won = new Map<string, number>();
  for (const b of used) {
    const winner = b.winner === 'model_a' ? b.modelA : b.modelB;
    won.set(winner, (won.get(winner) ?? 0) + 1);
  }
  const ratings = Array.from(point, toElo);
  const ranks = ranksOf(ratings);
  const alpha = (1 - options.level) / 2;
  const ranked = models.map((model, i): RatedModel => {
    const r = samples.ratings[i] as Float64Array;
    const rk = samples.ranks[i] as Float64Array;
    return {
      model,
      battles: counts.get(model) ?? 0,
      rating: ratings[i] as number,
      ci: r.length ? { low: quantile(r, alpha), high: quantile(r, 1 - alpha) } : { low: ratings[i] as number, high: ratings[i] as number },
      rank: ranks[i] as number,
      rankCi: rk.length ? { low: rk[Math.floor(alpha * (rk.length - 1))] as number, high: rk[Math.ceil((1 - alpha) * (rk.length - 1))] as number } : { low: ranks[i] as number, high: ranks[i] as number },
      bound: boundOf(won.get(model) ?? 0, counts.get(model) ?? 0),
    };
  });
  ranked.sort((a, b) => a.rank - b.rank || (a.model < b.model ? -1 : 1));
  return { battles: used.length, ranked, apart };
}

/** A model that won (or lost) all its battles has no finite maximum-likelihood rating. */
function boundOf(won: number, battles: number): RatedModel['bound'] {
  return battles === 0 ? null : won === battles ? 'lower' : won === 0 ? 'upper' : null;
}

/** Models with enough battles among themselves and linked to the anchor; the others, with why. */
function selectModels(battles: readonly Battle[], anchor: string, minBattles: number): { kept: Set<string>; apart: ModelApart[] } {
  const all = battleCounts(battles);
  let kept = new Set(all.keys());
  // Dropping a model takes its battles from its opponents: repeat until nothing changes.
  for (;;) {
    const counts = battleCounts(battles.filter((b) => kept.has(b.modelA) && kept.has(b.modelB)));
    const next = new Set([...kept].filter((m) => (counts.get(m) ?? 0) >= minBattles));
    if (next.size === kept.size) break;
    kept = next;
  }
  const apart: ModelApart[] = [];
  const few = [...all.keys()].filter((m) => !kept.has(m));
  if (!kept.has(anchor)) {
    return { kept: new Set(), apart: [...all.keys()].sort().map((model) => ({ model, battles: all.get(model) ?? 0, reason: kept.has(model) ? 'the anchor has too few battles here' : 'too few battles' })) };
  }
  const linked = linkedTo(anchor, battles.filter((b) => kept.has(b.modelA) && kept.has(b.modelB)));
  for (const m of few) apart.push({ model: m, battles: all.get(m) ?? 0, reason: 'too few battles' });
  for (const m of kept) if (!linked.has(m)) apart.push({ model: m, battles: all.get(m) ?? 0, reason: 'no battles linking it to the anchor' });
  return { kept: linked, apart: apart.sort((a, b) => (a.model < b.model ? -1 : 1)) };
}

/** The models reachable from `start` through battles (either direction). */
function linkedTo(start: string, battles: readonly Battle[]): Set<string> {
  const neighbours = new Map<string, string[]>();
  for (const b of battles) {
    neighbours.set(b.modelA, [...(neighbours.get(b.modelA) ?? []), b.modelB]);
    neighbours.set(b.modelB, [...(neighbours.get(b.modelB) ?? []), b.modelA]);
  }
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length) for (const n of neighbours.get(queue.pop() as string) ?? []) if (!seen.has(n)) (seen.add(n), queue.push(n));
  return seen;
}

/** pairs holds (winner, loser) index pairs; the result is the k × k win matrix. */
function winsOf(pairs: Int32Array, k: number): Float64Array {
  const wins = new Float64Array(k * k);
  for (let p = 0; p < pairs.length; p += 2) wins[(pairs[p] as number) * k + (pairs[p + 1] as number)]! += 1;
  return wins;
}

const toElo = (logStrength: number): number => ELO_BASE + LOG_TO_ELO * logStrength;

/** 1 + the number of strictly higher values, per entry. */
function ranksOf(values: readonly number[]): number[] {
  return values.map((v) => 1 + values.filter((w) => w > v).length);
}

interface RatingSamples {
  /** Per model, its rating in each round, sorted. */
  ratings: Float64Array[];
  ranks: Float64Array[];
}

/** Each round draws as many battles as there are, with replacement, and refits (from the point fit). */
function* bootstrapRatings(pairs: Int32Array, k: number, anchorIndex: number, start: Float64Array, rng: Rng, rounds: number): Steps<RatingSamples> {
  const n = pairs.length / 2;
  const ratings = Array.from({ length: k }, () => new Float64Array(rounds));
  const ranks = Array.from({ length: k }, () => new Float64Array(rounds));
  const uniforms = new Float64Array(n);
  for (let round = 0; round < rounds && n > 0; round++) {
    rng.fill(uniforms);
    const wins = new Float64Array(k * k);
    for (let i = 0; i < n; i++) {
      const j = Math.floor((uniforms[i] as number) * n);
      wins[(pairs[2 * j] as number) * k + (pairs[2 * j + 1] as number)]! += 1;
    }
    const fit = Array.from(fitBradleyTerry(wins, anchorIndex, start), toElo);
    const roundRanks = ranksOf(fit);
    for (let m = 0; m < k; m++) {
      ratings[m]![round] = fit[m] as number;
      ranks[m]![round] = roundRanks[m] as number;
    }
    yield;
  }
  const done = n > 0 ? rounds : 0;
  return { ratings: ratings.map((r) => r.subarray(0, done).sort()), ranks: ranks.map((r) => r.subarray(0, done).sort()) };
}

/** One datapoint's battle and the preference categories it is annotated with. */
export interface AnnotatedBattle extends Battle {
  categories: readonly string[];
}

export interface PEloQuery extends EloOptions {
  /** The reference model fixed at 1000; null: the model with most battles in the whole dataset. */
  anchor: string | null;
  /** Categories to rate on their own (null: every category of the dataset). */
  categories: readonly string[] | null;
}

export interface PElo {
  anchor: string | null;
  /** The overall leaderboard first (category null), then one subset per category. */
  subsets: (EloSubset & { category: string | null })[];
}

/**
 * pElo: the overall ratings and, per category, the ratings on the battles annotated with it, all
 * against one anchor so they share a scale. Each subset draws from its own stream of `seed`.
 */
export function* pEloSteps(battles: readonly AnnotatedBattle[], query: PEloQuery, rngFor: (subset: string) => Rng): Steps<PElo> {
  const anchor = query.anchor ?? defaultAnchor(battles);
  if (anchor === null) return { anchor, subsets: [] };
  const names = categoryNames(battles);
  // Categories are compared as the dataset summary compares them: trimmed, case and spacing folded.
  const keys = query.categories ? [...new Set(query.categories.map(labelKey))] : [...names.keys()].sort((a, b) => ((names.get(a) as string) < (names.get(b) as string) ? -1 : 1));
  const subsets: PElo['subsets'] = [{ category: null, ...(yield* eloSteps(battles, anchor, rngFor('overall'), query)) }];
  for (const key of keys) {
    const subset = battles.filter((b) => b.categories.some((c) => labelKey(c) === key));
    subsets.push({ category: names.get(key) ?? key, ...(yield* eloSteps(subset, anchor, rngFor(`category:${key}`), query)) });
  }
  return { anchor, subsets };
}

/** Each category (by labelKey) with the name shown: of its spellings, the first in code-unit order. */
export function categoryNames(battles: readonly AnnotatedBattle[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const b of battles) {
    for (const c of b.categories) {
      const key = labelKey(c);
      const name = c.trim();
      const seen = names.get(key);
      if (seen === undefined || name < seen) names.set(key, name);
    }
  }
  return names;
}

/** pEloSteps at once (tests, scripts). */
export function drainPElo(battles: readonly AnnotatedBattle[], query: PEloQuery, rngFor: (subset: string) => Rng): PElo {
  return drain(pEloSteps(battles, query, rngFor));
}
