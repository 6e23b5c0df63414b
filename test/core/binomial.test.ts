import { describe, expect, it } from 'vitest';
import { binomialDraw, logFactorials, multinomialDraw, prepareMultinomial } from '../../src/core/binomial.js';
import { createRng } from '../../src/core/rng.js';

/** Pearson's chi-square of observed counts against Binomial(n, p), in bins that each expect at least 5. */
function chiSquare(observed: Map<number, number>, n: number, p: number, draws: number): { chi2: number; df: number } {
  const lnF = logFactorials(n);
  const expectedAt = (k: number) => draws * Math.exp((lnF[n] as number) - (lnF[k] as number) - (lnF[n - k] as number) + k * Math.log(p) + (n - k) * Math.log1p(-p));
  const bins: { expected: number; seen: number }[] = [];
  let open = { expected: 0, seen: 0 };
  for (let k = 0; k <= n; k++) {
    open.expected += expectedAt(k);
    open.seen += observed.get(k) ?? 0;
    if (open.expected >= 5) {
      bins.push(open);
      open = { expected: 0, seen: 0 };
    }
  }
  // What is left of the upper tail joins the last bin.
  const last = bins[bins.length - 1]!;
  last.expected += open.expected;
  last.seen += open.seen;
  return { chi2: bins.reduce((s, b) => s + (b.seen - b.expected) ** 2 / b.expected, 0), df: bins.length - 1 };
}

describe('binomialDraw', () => {
  // Every regime: inversion (n·p < 10), transformed rejection, p > 0.5 (drawn as n − Binomial(n, 1 − p)).
  it.each([
    [20, 0.3],
    [1000, 0.004],
    [60, 0.5],
    [100, 0.2],
    [22_600, 0.31],
    [5000, 0.7],
    [300, 0.97],
  ])('Binomial(%i, %f): counts fit the distribution (chi-square)', (n, p) => {
    const rng = createRng(`${n}:${p}`);
    const lnF = logFactorials(n);
    const draws = 100_000;
    const observed = new Map<number, number>();
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < draws; i++) {
      const k = binomialDraw(rng, n, p, lnF);
      if (!(Number.isInteger(k) && k >= 0 && k <= n)) outside++;
      observed.set(k, (observed.get(k) ?? 0) + 1);
      sum += k;
    }
    expect(outside).toBe(0);
    const { chi2, df } = chiSquare(observed, n, p, draws);
    // Five standard deviations of a chi-square with df degrees of freedom above its mean.
    expect(chi2).toBeLessThan(df + 5 * Math.sqrt(2 * df));
    expect(Math.abs(sum / draws - n * p)).toBeLessThan(5 * Math.sqrt((n * p * (1 - p)) / draws));
  });

  it('gives the certain outcomes without drawing', () => {
    const lnF = logFactorials(10);
    const rng = createRng(1);
    expect([binomialDraw(rng, 10, 0, lnF), binomialDraw(rng, 10, 1, lnF), binomialDraw(rng, 0, 0.5, lnF)]).toEqual([0, 10, 0]);
  });
});

describe('multinomialDraw', () => {
  it('draws as many as there are slots, each class as often as drawing slots one by one would', () => {
    // A large class, middling ones and a long tail of ones: the binomials and the one-by-one tail both run.
    const sizes = Int32Array.from([5000, 1200, 700, 300, 90, 40, ...Array(300).fill(1)]);
    const m = prepareMultinomial(sizes);
    const total = sizes.reduce((s, x) => s + x, 0);
    const rng = createRng('multinomial');
    const out = new Int32Array(sizes.length);
    const rounds = 4000;
    const sums = new Float64Array(sizes.length);
    let tailSum = 0;
    for (let r = 0; r < rounds; r++) {
      multinomialDraw(rng, m, out);
      expect(out.reduce((s, x) => s + x, 0)).toBe(total);
      out.forEach((x, i) => (sums[i] = (sums[i] as number) + x));
      for (let i = 6; i < sizes.length; i++) tailSum += out[i] as number;
    }
    // Each class's count is Binomial(total, size / total): mean = size, sd = sqrt(size (1 − size/total)).
    sizes.forEach((size, i) => {
      const sd = Math.sqrt(size * (1 - size / total));
      expect(Math.abs((sums[i] as number) / rounds - size)).toBeLessThan((5 * sd) / Math.sqrt(rounds));
    });
    const tailSd = Math.sqrt(300 * (1 - 300 / total));
    expect(Math.abs(tailSum / rounds - 300)).toBeLessThan((5 * tailSd) / Math.sqrt(rounds));
  });
});
