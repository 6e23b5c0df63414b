// Live convergence (issue 14.5): each ratio's interval width against the number of raters so far
// (the first n raters to finish), and the raters needed to reach a target width, projected with
// width ∝ 1/√n fitted to the widths seen so far.
import { z } from 'zod';
import { bootstrapRoundsSchema } from './batch-settings.js';
import { metricsSteps, RATIO_NAMES, RATIOS, type RaterTotals, type RatioName } from './metrics.js';
import type { Rng } from './rng.js';
import { drain, type Steps } from './steps.js';

export interface ConvergencePoint {
  raters: number;
  /** high − low of the 95 % interval; null when it is unbounded or undefined. */
  width: number | null;
}

export interface RatioConvergence {
  ratio: RatioName;
  label: string;
  points: ConvergencePoint[];
  /** Width now, with every rater so far. */
  width: number | null;
  /** c in width ≈ c / √n (fitInverseSqrt), null without points. */
  scale: number | null;
  /** Raters the fit says the width needs to reach the target (≥ those so far when reached). */
  projectedRaters: number | null;
  reached: boolean;
}

export interface Convergence {
  raters: number;
  targetWidth: number;
  ratios: RatioConvergence[];
  bootstrap: { rounds: number; level: number };
}

export const DEFAULT_TARGET_WIDTH = 0.5;
export const DEFAULT_CONVERGENCE_OPTIONS: { checkpoints: number; rounds: number; level: number; minRaters: number; finalRounds?: number } = { checkpoints: 10, rounds: 400, level: 0.95, minRaters: 5 };

/** The interval width a researcher aims for (API ?width=, CLI --width). */
export const targetWidthSchema = z.coerce.number({ message: 'must be a number, e.g. 0.5' }).min(0.001, 'must be at least 0.001, e.g. 0.5').max(1000, 'must be at most 1000').default(DEFAULT_TARGET_WIDTH);
/** Ten checkpoints, each its own bootstrap: fewer rounds each than a single result. */
export const convergenceRoundsSchema = bootstrapRoundsSchema.unwrap().default(DEFAULT_CONVERGENCE_OPTIONS.rounds);

/** Up to `count` rater counts from minRaters to total, evenly spaced on a √n scale (dense early). */
export function checkpointsOf(total: number, count: number, minRaters: number): number[] {
  if (total < minRaters) return [];
  const [lo, hi] = [Math.sqrt(minRaters), Math.sqrt(total)];
  const points = Array.from({ length: count }, (_, i) => Math.round((lo + ((hi - lo) * i) / Math.max(1, count - 1)) ** 2));
  return [...new Set([...points, total])].filter((n) => n >= minRaters && n <= total).sort((a, b) => a - b);
}

/**
 * The c of width ≈ c / √n: the mean of log(width · √n), weighted by n, over the points from a
 * quarter of the raters so far on (a few raters give erratic ratio intervals; more raters, steadier
 * widths). Null without a point that has a width.
 */
export function fitInverseSqrt(points: readonly ConvergencePoint[]): number | null {
  const last = Math.max(0, ...points.map((p) => p.raters));
  const used = points.filter((p): p is { raters: number; width: number } => p.width !== null && p.width > 0 && p.raters >= last / 4);
  if (used.length === 0) return null;
  const weight = used.reduce((s, p) => s + p.raters, 0);
  return Math.exp(used.reduce((s, p) => s + p.raters * (Math.log(p.width) + 0.5 * Math.log(p.raters)), 0) / weight);
}

export function computeConvergence(raters: readonly RaterTotals[], targetWidth: number, rngFor: (n: number) => Rng, options = DEFAULT_CONVERGENCE_OPTIONS): Convergence {
  return drain(convergenceSteps(raters, targetWidth, rngFor, options));
}

/**
 * `raters` in the order they finished. At each checkpoint n the four ratios' intervals are
 * computed on the first n raters (their own bootstrap stream `rngFor(n)`), yielding between rounds.
 */
export function* convergenceSteps(raters: readonly RaterTotals[], targetWidth: number, rngFor: (n: number) => Rng, options = DEFAULT_CONVERGENCE_OPTIONS): Steps<Convergence> {
  const checkpoints = checkpointsOf(raters.length, options.checkpoints, options.minRaters);
  const widths = new Map<RatioName, ConvergencePoint[]>(RATIO_NAMES.map((r) => [r, []]));
  for (const n of checkpoints) {
    // metricsSteps takes raters sorted by id: sort the first n so the order they came in does not matter.
    const first = [...raters.slice(0, n)].sort((a, b) => (a.raterId < b.raterId ? -1 : 1));
    // The last checkpoint (every rater so far) may take as many rounds as the results do, so that
    // with the same stream "width now" is the results page's interval.
    const rounds = n === raters.length ? (options.finalRounds ?? options.rounds) : options.rounds;
    const metrics = yield* metricsSteps(first, rngFor(n), { rounds, level: options.level });
    for (const name of RATIO_NAMES) {
      const ci = metrics.ratios[name].ci;
      widths.get(name)?.push({ raters: n, width: ci && ci.high !== null ? ci.high - ci.low : null });
    }
  }
  return {
    raters: raters.length,
    targetWidth,
    ratios: RATIO_NAMES.map((ratio) => {
      const points = widths.get(ratio) ?? [];
      const scale = fitInverseSqrt(points);
      const width = points.at(-1)?.raters === raters.length ? (points.at(-1)?.width ?? null) : null;
      const reached = width !== null && width <= targetWidth;
      const need = scale === null ? null : Math.ceil((scale / targetWidth) ** 2);
      const projected = need !== null && Number.isFinite(need) ? need : null;
      return { ratio, label: RATIOS[ratio].label, points, width, scale, projectedRaters: projected === null ? null : reached ? Math.min(projected, raters.length) : Math.max(projected, raters.length + 1), reached };
    }),
    bootstrap: { rounds: options.rounds, level: options.level },
  };
}
