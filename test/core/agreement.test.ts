import { describe, expect, it } from 'vitest';
import { computeAgreement, jaccardDistance, masiDistance, planAgreement } from '../../src/core/agreement.js';
import { createRng } from '../../src/core/rng.js';

// Kind bits: generated = 1, category = 2, other = 32.
const G = 1;
const C = 2;
const GC = G | C;
const O = 32;

/** The hand-computed example of docs/metrics.md ("Agreement"). */
const example = [
  { taskId: 't1', selections: [G, G] },
  { taskId: 't2', selections: [GC, G] },
  { taskId: 't3', selections: [C, G, C] },
  { taskId: 't4', selections: [O] },
];

describe('agreement for multi-select answers', () => {
  it('measures sets with Jaccard and MASI', () => {
    expect(jaccardDistance(GC, G)).toBe(0.5);
    expect(masiDistance(GC, G)).toBeCloseTo(2 / 3, 12);
    expect(masiDistance(G | 4, GC)).toBeCloseTo(1 - (1 / 3) * (1 / 3), 12);
    expect(masiDistance(C, G)).toBe(1);
    expect(masiDistance(G, G)).toBe(0);
  });

  it('matches the hand-computed example', () => {
    const a = computeAgreement(example, createRng(1), { rounds: 200, level: 0.95 });
    expect(a.tasks).toEqual({ rated: 4, counted: 3 });
    expect(a.ratings).toBe(7);
    expect(a.pairs).toBe(5);
    // Pairs: t1 1 of 1 identical, t2 0 of 1, t3 1 of 3.
    expect(a.pairAgreement.estimate).toBeCloseTo(2 / 5, 12);
    // Jaccard: Σ o_u = 0 + 1 + 2 = 3; expected Σ n_c n_k δ = 4 + 16 + 2 = 22; α = 1 − 6 · 3 / 22.
    expect(a.alphaJaccard.estimate).toBeCloseTo(4 / 22, 12);
    // MASI: Σ o_u = 4/3 + 2; expected 16/3 + 16 + 8/3 = 24; α = 1 − 6 · (10/3) / 24.
    expect(a.alphaMasi.estimate).toBeCloseTo(1 / 6, 12);
    // Generated: 5 ticked of 7, Σ o_u = 2: α = 1 − 6 · 2 / (2 · 5 · 2). Category: 1 − 6 · 4 / (2 · 3 · 4).
    expect(a.alphaByKind.generated.estimate).toBeCloseTo(0.4, 12);
    expect(a.alphaByKind.category.estimate).toBeCloseTo(0, 12);
    // Nobody ticked "other" on a counted task: no variation, no α.
    expect(a.alphaByKind.other).toEqual({ estimate: null, ci: null });
    // Three tasks say nothing about the spread: estimates, no intervals, and a note saying why.
    expect(a.alphaMasi.ci).toBeNull();
    expect(a.note).toBe('only 3 tasks rated twice or more: estimates without intervals (they need at least 10)');
  });

  it('is 1 when every rater of every task agrees, and near 0 for raters ticking at random', () => {
    const same = computeAgreement([{ taskId: 'a', selections: [G, G, G] }, { taskId: 'b', selections: [C, C] }], createRng(2), { rounds: 50, level: 0.95 });
    expect(same.alphaMasi.estimate).toBe(1);
    expect(same.pairAgreement.estimate).toBe(1);
    const rng = createRng(3);
    const random = Array.from({ length: 400 }, (_, i) => ({ taskId: `t${i}`, selections: [1 + rng.int(63), 1 + rng.int(63), 1 + rng.int(63)] }));
    const a = computeAgreement(random, createRng(4), { rounds: 200, level: 0.95 });
    expect(Math.abs(a.alphaMasi.estimate!)).toBeLessThan(0.05);
    expect(a.alphaMasi.ci!.low).toBeLessThan(0);
    expect(a.alphaMasi.ci!.high).toBeGreaterThan(0);
  });

  it('gives intervals that contain the estimate and do not depend on the tasks\' order', () => {
    const rng = createRng(5);
    const tasks = Array.from({ length: 100 }, (_, i) => {
      const truth = 1 + rng.int(63);
      return { taskId: `t${String(i).padStart(3, '0')}`, selections: [truth, rng.next() < 0.7 ? truth : 1 + rng.int(63)] };
    });
    const a = computeAgreement(tasks, createRng(6), { rounds: 300, level: 0.95 });
    const b = computeAgreement([...tasks].reverse(), createRng(6), { rounds: 300, level: 0.95 });
    expect(a).toEqual(b);
    for (const f of [a.alphaMasi, a.alphaJaccard, a.pairAgreement]) {
      expect(f.ci!.low).toBeLessThan(f.estimate!);
      expect(f.ci!.high).toBeGreaterThan(f.estimate!);
    }
  });

  it('counts nothing without a task rated twice', () => {
    const a = computeAgreement([{ taskId: 'a', selections: [G] }], createRng(7));
    expect(a.tasks).toEqual({ rated: 1, counted: 0 });
    expect(a.alphaMasi).toEqual({ estimate: null, ci: null });
    expect(a.bootstrap.rounds).toBe(0);
  });
});

describe('planning for agreement at batch creation', () => {
  it('counts the tasks balanced loads rate twice, and warns when too few are', () => {
    // 50 raters × 20 questions over 1,000 tasks: each rated once, none twice.
    expect(planAgreement({ raters: 50, questions: 20, tasks: 1000 })).toMatchObject({ ratings: 1000, doublyRatedTasks: 0 });
    expect(planAgreement({ raters: 50, questions: 20, tasks: 1000 }).warning).toContain('--ratings-per-task 2');
    // 1,000 ratings over 900 tasks: 100 get a second one.
    expect(planAgreement({ raters: 50, questions: 20, tasks: 900 })).toMatchObject({ doublyRatedTasks: 100, warning: null });
    // 2 ratings per task: every task twice.
    expect(planAgreement({ raters: 50, questions: 20, tasks: 500 })).toMatchObject({ doublyRatedTasks: 500, warning: null });
    // A small batch needs every task twice, not 100.
    expect(planAgreement({ raters: 3, questions: 20, tasks: 40 })).toMatchObject({ doublyRatedTasks: 20 });
    expect(planAgreement({ raters: 3, questions: 20, tasks: 40 }).warning).toContain('only 20 of 40');
  });
});
