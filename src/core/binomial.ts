// Exact binomial and multinomial draws on a seeded Rng: the bootstrap draws how many raters of each
// class of equal totals a round takes (a multinomial), instead of drawing the raters one by one.
import type { Rng } from './rng.js';

/** ln(k!) for k = 0..n (summed logs: exact enough for a rejection test, and O(n) once). */
export function logFactorials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let k = 2; k <= n; k++) out[k] = (out[k - 1] as number) + Math.log(k);
  return out;
}

/**
 * One draw from Binomial(n, p). `lnFactorial` must reach n (logFactorials(≥ n)).
 * Small means by inversion (about n·p + 1 steps); larger ones by Hörmann's transformed rejection
 * with squeeze (BTRS, 1993), which takes a bounded number of tries whatever n.
 */
export function binomialDraw(rng: Rng, n: number, p: number, lnFactorial: Float64Array): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomialDraw(rng, n, 1 - p, lnFactorial);
  return n * p < 10 ? byInversion(rng, n, p) : byTransformedRejection(rng, n, p, lnFactorial);
}

/** Walks the probability mass function from 0 until it passes a uniform draw. */
function byInversion(rng: Rng, n: number, p: number): number {
  const odds = p / (1 - p);
  // (1 - p)^n ≥ e^-14 here (n·p < 10, p ≤ 0.5): no underflow.
  let mass = Math.pow(1 - p, n);
  let u = rng.next();
  let k = 0;
  while (u > mass && k < n) {
    u -= mass;
    mass *= (odds * (n - k)) / (k + 1);
    k++;
  }
  return k;
}

/** BTRS for p ≤ 0.5 and n·p ≥ 10: accepts k against the exact ratio f(k)/f(mode). */
function byTransformedRejection(rng: Rng, n: number, p: number, lnFactorial: Float64Array): number {
  const q = 1 - p;
  const spq = Math.sqrt(n * p * q);
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const acceptAtOnce = 0.92 - 4.2 / b;
  const alpha = (2.83 + 5.1 / b) * spq;
  const logOdds = Math.log(p / q);
  const mode = Math.floor((n + 1) * p);
  const logModeTerms = (lnFactorial[mode] as number) + (lnFactorial[n - mode] as number);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (!(k >= 0 && k <= n)) continue; // also us = 0: k = ±∞ or NaN
    if (us >= 0.07 && v <= acceptAtOnce) return k;
    const logV = Math.log((v * alpha) / (a / (us * us) + b));
    if (logV <= logModeTerms - (lnFactorial[k] as number) - (lnFactorial[n - k] as number) + (k - mode) * logOdds) return k;
  }
}

/** A multinomial over fixed class sizes, prepared once for many draws (multinomialDraw). */
export interface Multinomial {
  /** Class sizes, largest first. */
  sizes: Int32Array;
  /** The class of each of Σ sizes slots, classes laid out in order. */
  slotClass: Int32Array;
  /** Where class i's slots start. */
  firstSlot: Int32Array;
  lnFactorial: Float64Array;
  /** Room for the draws made one by one. */
  draws: Int32Array;
}

export function prepareMultinomial(sizes: Int32Array): Multinomial {
  const firstSlot = new Int32Array(sizes.length);
  let slots = 0;
  for (let i = 0; i < sizes.length; i++) {
    firstSlot[i] = slots;
    slots += sizes[i] as number;
  }
  const slotClass = new Int32Array(slots);
  for (let i = 0; i < sizes.length; i++) slotClass.fill(i, firstSlot[i] as number, (firstSlot[i] as number) + (sizes[i] as number));
  return { sizes, slotClass, firstSlot, lnFactorial: logFactorials(slots), draws: new Int32Array(slots) };
}

/** A binomial takes about as long as this many single draws (measured: 100-250 ns against 10). */
export const BINOMIAL_COST_IN_DRAWS = 16;

/**
 * How many of Σ sizes draws with replacement fall in each class (a class of size sizes[i] out of
 * Σ sizes), written to `out`. Classes, largest first, take one binomial each on the draws left
 * while that settles at least BINOMIAL_COST_IN_DRAWS draws on average; the draws left then go one
 * by one among the remaining classes' slots. Either way exactly the distribution of drawing one
 * by one; with no class that large, exactly the draws of rng.fillIndices over the slots.
 */
export function multinomialDraw(rng: Rng, m: Multinomial, out: Int32Array): void {
  const { sizes, slotClass, firstSlot, lnFactorial } = m;
  out.fill(0);
  let left = slotClass.length;
  let sizeLeft = left;
  let i = 0;
  for (; i < sizes.length && left > 0; i++) {
    const size = sizes[i] as number;
    if (size * left < BINOMIAL_COST_IN_DRAWS * sizeLeft) break;
    const times = binomialDraw(rng, left, size / sizeLeft, lnFactorial);
    out[i] = times;
    left -= times;
    sizeLeft -= size;
  }
  if (left === 0) return;
  const draws = m.draws.subarray(0, left);
  rng.fillIndices(draws, sizeLeft);
  const from = firstSlot[i] as number;
  for (let k = 0; k < left; k++) {
    const c = slotClass[from + (draws[k] as number)] as number;
    out[c] = (out[c] as number) + 1;
  }
}
