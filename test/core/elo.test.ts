import { describe, expect, it } from 'vitest';
import { computeElo, defaultAnchor, drainPElo, ELO_PENALTY, type AnnotatedBattle, type Battle } from '../../src/core/elo.js';
import { createRng, deriveRng } from '../../src/core/rng.js';
import { generateSyntheticDataset } from '../../src/core/synthetic-dataset.js';

const synthetic: AnnotatedBattle[] = generateSyntheticDataset(4000, createRng(11)).map((d) => ({
  modelA: d.model_a,
  modelB: d.model_b,
  winner: d.winner,
  categories: d.preferences.map((p) => p.category),
}));

/**
 * An independent fit: logistic regression of "model_a won" on a ±1 design row per battle (anchor
 * column left out), by iteratively reweighted least squares with Gaussian elimination, on the same
 * penalised objective. Returns Elo ratings by model.
 */
function logisticRegressionElo(battles: readonly Battle[], anchor: string, penalty: number): Map<string, number> {
  const models = [...new Set(battles.flatMap((b) => [b.modelA, b.modelB]))].filter((m) => m !== anchor).sort();
  const col = new Map(models.map((m, i) => [m, i]));
  const p = models.length;
  const beta = new Array<number>(p).fill(0);
  for (let iter = 0; iter < 100; iter++) {
    const xtwx = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? penalty : 0)));
    const score = beta.map((b) => -penalty * b);
    for (const b of battles) {
      const x = new Array<number>(p).fill(0);
      if (col.has(b.modelA)) x[col.get(b.modelA)!] = 1;
      if (col.has(b.modelB)) x[col.get(b.modelB)!] = -1;
      const eta = x.reduce((s, xi, i) => s + xi * beta[i]!, 0);
      const mu = 1 / (1 + Math.exp(-eta));
      const y = b.winner === 'model_a' ? 1 : 0;
      for (let i = 0; i < p; i++) {
        score[i]! += x[i]! * (y - mu);
        for (let j = 0; j < p; j++) xtwx[i]![j]! += x[i]! * mu * (1 - mu) * x[j]!;
      }
    }
    const step = gaussianSolve(xtwx, score);
    step.forEach((s, i) => (beta[i]! += s));
    if (Math.max(...step.map(Math.abs)) < 1e-13) break;
  }
  const elo = new Map<string, number>([[anchor, 1000]]);
  models.forEach((m, i) => elo.set(m, 1000 + (400 / Math.LN10) * beta[i]!));
  return elo;
}

function gaussianSolve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    const pivot = m.slice(c).reduce((best, row, i) => (Math.abs(row[c]!) > Math.abs(m[best]![c]!) ? c + i : best), c);
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) x[r] = (m[r]![n]! - m[r]!.slice(r + 1, n).reduce((s, v, k) => s + v * x[r + 1 + k]!, 0)) / m[r]![r]!;
  return x;
}

const few = { rounds: 50, level: 0.95, minBattles: 20 };

describe('pElo (Bradley–Terry on the Elo scale)', () => {
  it('agrees with an independent logistic regression to 1e-6 Elo, overall and on one category', () => {
    const anchor = defaultAnchor(synthetic)!;
    for (const battles of [synthetic, synthetic.filter((b) => b.categories.includes('Concise'))]) {
      const ours = computeElo(battles, anchor, createRng(1), few);
      const theirs = logisticRegressionElo(battles, anchor, ELO_PENALTY);
      expect(ours.ranked.length).toBe(theirs.size);
      for (const r of ours.ranked) expect(Math.abs(r.rating - theirs.get(r.model)!)).toBeLessThan(1e-6);
    }
  });

  it('moves a fit that exists by less than 0.1 Elo (the penalty only matters under separation)', () => {
    const anchor = defaultAnchor(synthetic)!;
    const ours = computeElo(synthetic, anchor, createRng(1), few);
    const plain = logisticRegressionElo(synthetic, anchor, 0);
    for (const r of ours.ranked) expect(Math.abs(r.rating - plain.get(r.model)!)).toBeLessThan(0.1);
  });

  it('fixes the anchor at 1000 with a zero-width interval, and ranks by rating', () => {
    const result = computeElo(synthetic, 'vicuna-13b', createRng(2), few);
    const anchor = result.ranked.find((r) => r.model === 'vicuna-13b')!;
    expect(anchor.rating).toBe(1000);
    expect(anchor.ci).toEqual({ low: 1000, high: 1000 });
    const ratings = result.ranked.map((r) => r.rating);
    expect(ratings).toEqual([...ratings].sort((a, b) => b - a));
    expect(result.ranked.map((r) => r.rank)).toEqual(result.ranked.map((_, i) => i + 1));
    for (const r of result.ranked) {
      expect(r.ci.low).toBeLessThanOrEqual(r.rating + 1e-9);
      expect(r.ci.high).toBeGreaterThanOrEqual(r.rating - 1e-9);
      expect(Number.isInteger(r.rankCi.low) && Number.isInteger(r.rankCi.high)).toBe(true);
      expect(r.rankCi.low).toBeLessThanOrEqual(r.rank);
      expect(r.rankCi.high).toBeGreaterThanOrEqual(r.rank);
    }
  });

  it('finds the generator\'s strongest model on top overall', () => {
    const result = computeElo(synthetic, defaultAnchor(synthetic)!, createRng(3), few);
    expect(result.ranked.every((r) => r.bound === null)).toBe(true);
    expect(result.ranked[0]!.model).toBe('gpt-4');
    expect(result.ranked.at(-1)!.model).toBe('chatglm-6b');
  });

  it('stays finite when a model wins every battle (perfect separation)', () => {
    const battles: Battle[] = [];
    for (let i = 0; i < 30; i++) battles.push({ modelA: 'strong', modelB: 'mid', winner: 'model_a' }, { modelA: 'mid', modelB: 'weak', winner: i % 3 ? 'model_a' : 'model_b' });
    const result = computeElo(battles, 'mid', createRng(4), few);
    const strong = result.ranked.find((r) => r.model === 'strong')!;
    expect(Number.isFinite(strong.rating)).toBe(true);
    expect(strong.rating).toBeGreaterThan(2000);
    expect(strong.rank).toBe(1);
    // Its rating is only a bound: it won every battle, so the likelihood has no finite maximum.
    expect(strong.bound).toBe('lower');
    expect(result.ranked.find((r) => r.model === 'mid')!.bound).toBeNull();
  });

  it('lists apart models with fewer than 20 battles and models with no battles linking them to the anchor', () => {
    const battles: Battle[] = [];
    for (let i = 0; i < 25; i++) battles.push({ modelA: 'a', modelB: 'b', winner: i % 2 ? 'model_a' : 'model_b' }, { modelA: 'c', modelB: 'd', winner: i % 2 ? 'model_a' : 'model_b' });
    for (let i = 0; i < 5; i++) battles.push({ modelA: 'a', modelB: 'rare', winner: 'model_a' });
    const result = computeElo(battles, 'a', createRng(5), few);
    expect(result.ranked.map((r) => r.model).sort()).toEqual(['a', 'b']);
    expect(result.apart).toEqual([
      { model: 'c', battles: 25, reason: 'no battles linking it to the anchor' },
      { model: 'd', battles: 25, reason: 'no battles linking it to the anchor' },
      { model: 'rare', battles: 5, reason: 'too few battles' },
    ]);
    // The anchor's own battles count among those left: 25 against b (rare's 5 are dropped).
    expect(result.ranked.find((r) => r.model === 'a')!.battles).toBe(25);
  });

  it('ranks nobody in a subset where the anchor has too few battles', () => {
    const battles: Battle[] = Array.from({ length: 30 }, (_, i) => ({ modelA: 'b', modelB: 'c', winner: i % 2 ? 'model_a' : 'model_b' }));
    battles.push({ modelA: 'a', modelB: 'b', winner: 'model_a' });
    const result = computeElo(battles, 'a', createRng(6), few);
    expect(result.ranked).toEqual([]);
    expect(result.apart.find((m) => m.model === 'b')!.reason).toBe('the anchor has too few battles here');
    expect(result.apart.find((m) => m.model === 'a')!.reason).toBe('too few battles');
  });

  it('takes a category in any case or spacing as one, named by one of its spellings', () => {
    const mixed = synthetic.map((b, i) => ({ ...b, categories: b.categories.map((c) => (c === 'Clarity' && i % 2 ? ' clarity ' : c)) }));
    const result = drainPElo(mixed, { ...few, anchor: null, categories: null }, (s) => deriveRng(8, s));
    expect(result.subsets.filter((s) => s.category?.toLowerCase() === 'clarity').map((s) => s.category)).toEqual(['Clarity']);
    const asked = drainPElo(mixed, { ...few, anchor: null, categories: ['CLARITY'] }, (s) => deriveRng(8, s));
    expect(asked.subsets[1]!.battles).toBe(result.subsets.find((s) => s.category === 'Clarity')!.battles);
  });

  it('gives the same result for the same seed, and rates every category against the same anchor', () => {
    const query = { ...few, anchor: null, categories: ['Concise', 'Clarity'] };
    const one = drainPElo(synthetic, query, (s) => deriveRng(7, s));
    const two = drainPElo(synthetic, query, (s) => deriveRng(7, s));
    expect(one).toEqual(two);
    expect(one.subsets.map((s) => s.category)).toEqual([null, 'Concise', 'Clarity']);
    for (const subset of one.subsets) expect(subset.ranked.find((r) => r.model === one.anchor)?.rating).toBe(1000);
    // The generator's per-category strengths show: Concise does not rank the models as overall does.
    expect(one.subsets[1]!.ranked.map((r) => r.model)).not.toEqual(one.subsets[0]!.ranked.map((r) => r.model));
  });
});
