import { describe, expect, it } from 'vitest';
import { checkpointsOf, computeConvergence, fitInverseSqrt } from '../../src/core/convergence.js';
import { metricsSteps, type RaterTotals } from '../../src/core/metrics.js';
import { createRng, deriveRng, type Rng } from '../../src/core/rng.js';
import { drain } from '../../src/core/steps.js';

/** Kind rates (R1..R6) of the simulated population; each rater's own rates vary around them. */
const BASE = [0.5, 0.35, 0.3, 0.15, 0.12, 0.1];

function simulateRaters(count: number, rng: Rng): RaterTotals[] {
  return Array.from({ length: count }, (_, r) => {
    const leaning = 0.6 + 0.8 * rng.next();
    const hits = BASE.map(() => 0);
    for (let q = 0; q < 20; q++) BASE.forEach((p, k) => (hits[k]! += rng.next() < Math.min(1, p * leaning) ? 1 : 0));
    return { raterId: `r${String(r).padStart(5, '0')}`, answers: 20, hits };
  });
}

const sorted = (raters: readonly RaterTotals[]) => [...raters].sort((a, b) => (a.raterId < b.raterId ? -1 : 1));

/** Generated vs. Control's interval width with the first n raters. */
function widthWith(raters: readonly RaterTotals[], n: number): number {
  const ci = drain(metricsSteps(sorted(raters.slice(0, n)), deriveRng(99, `n${n}`), { rounds: 400, level: 0.95 })).ratios.generated_vs_control.ci!;
  return ci.high! - ci.low;
}

describe('live convergence', () => {
  it('spaces checkpoints densely early and always ends at the raters so far', () => {
    expect(checkpointsOf(100, 5, 5)).toEqual([5, 17, 37, 65, 100]);
    expect(checkpointsOf(3, 5, 5)).toEqual([]);
    expect(checkpointsOf(6, 10, 5)).toEqual([5, 6]);
  });

  it('fits width = c / √n exactly on exact data', () => {
    expect(fitInverseSqrt([4, 16, 100].map((n) => ({ raters: n, width: 3 / Math.sqrt(n) })))).toBeCloseTo(3, 12);
    expect(fitInverseSqrt([{ raters: 10, width: null }])).toBeNull();
  });

  it('projects the raters a target width needs within 25 % of each simulated study\'s real need', () => {
    const target = 0.3;
    const errors = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => {
      const study = simulateRaters(2000, createRng(seed));
      // The real need: raters until the interval is at most the target (median of three widths in a
      // row, steps of 25, so one lucky bootstrap does not end it early).
      const widths: number[] = [];
      let need = 0;
      for (let n = 50; n <= study.length && need === 0; n += 25) {
        widths.push(widthWith(study, n));
        if (widths.length >= 3 && [...widths.slice(-3)].sort((a, b) => a - b)[1]! <= target) need = n - 25;
      }
      expect(need).toBeGreaterThan(400);
      // The projection from the raters so far, about half the need.
      const early = computeConvergence(study.slice(0, 300), target, (n) => deriveRng(seed, `c${n}`));
      const projected = early.ratios.find((r) => r.ratio === 'generated_vs_control')!;
      expect(projected.reached).toBe(false);
      return Math.abs(projected.projectedRaters! - need) / need;
    });
    // A study whose first raters happen to give a higher ratio projects high (width grows with the
    // ratio): most, not all, studies land within 25 %. Which ones depends on the bootstrap's
    // stream: with the rounds drawn in two halves (2026-11-28) 6 of 8 did (errors 0.28 and 0.31 for
    // the other two), with one stream 7 (one at 0.46).
    expect(errors.filter((e) => e < 0.25).length).toBeGreaterThanOrEqual(6);
    expect([...errors].sort((a, b) => a - b)[4]!).toBeLessThan(0.1);
  }, 60_000);

  it('says when the target is reached', () => {
    const raters = simulateRaters(400, createRng(4));
    const c = computeConvergence(raters, 5, (n) => deriveRng(4, `c${n}`));
    const r = c.ratios.find((x) => x.ratio === 'generated_vs_control')!;
    expect(r.reached).toBe(true);
    expect(r.width).toBeLessThanOrEqual(5);
    expect(r.projectedRaters).toBeLessThanOrEqual(400);
    expect(r.points.at(-1)!.raters).toBe(400);
  });
});
