import { describe, expect, it } from 'vitest';
import { computeMetrics, metricsSteps, quantile, type MetricAnswer, type RaterTotals } from '../../src/core/metrics.js';
import { drain } from '../../src/core/steps.js';
import type { OptionKind } from '../../src/core/option-kinds.js';
import { createRng } from '../../src/core/rng.js';

const answer = (raterId: string, ...selectedKinds: OptionKind[]): MetricAnswer => ({ raterId, selectedKinds });

// Rater A answered 3 questions, rater B 2.
const FIXTURE = [
  answer('A', 'generated', 'category'),
  answer('A', 'generated'),
  answer('A', 'other'),
  answer('B', 'generated', 'control_topic'),
  answer('B', 'category_topic', 'control'),
];

describe('computeMetrics on a hand-computed batch', () => {
  const m = computeMetrics(FIXTURE, createRng(1));

  it('counts answers and raters', () => {
    expect(m.n).toEqual({ answers: 5, raters: 2 });
  });

  it('gives R1-R6 as the share of answers selecting each kind', () => {
    // R1: A1, A2, B1 select generated → 3/5. Every other kind is selected once → 1/5.
    expect(Object.fromEntries(Object.entries(m.rates).map(([k, v]) => [k, v.estimate]))).toEqual({ R1: 0.6, R2: 0.2, R3: 0.2, R4: 0.2, R5: 0.2, R6: 0.2 });
  });

  it('gives the four ratios', () => {
    expect(m.ratios.generated_vs_control.estimate).toBeCloseTo(3, 12); // R1/R4 = 0.6/0.2
    expect(m.ratios.generated_vs_control_topic.estimate).toBeCloseTo(3, 12); // R1/R5
    expect(m.ratios.category_vs_control.estimate).toBeCloseTo(1, 12); // R2/R4
    expect(m.ratios.category_vs_control_topic.estimate).toBeCloseTo(1, 12); // R3/R5
  });

  it('resamples raters, not answers: the interval spans the three possible rater samples', () => {
    // Two raters give three distinct resamples: AA (R1 4/6), AB (3/5), BB (1/2).
    expect(m.rates.R1.ci).toEqual({ low: 0.5, high: 4 / 6 });
    // R1/R4: AA has R4 = 0 (+∞, about a quarter of the rounds), AB gives (3/5)/(1/5) = 3, BB gives
    // (1/2)/(1/2) = 1. More than 2.5 % of the rounds are unbounded: so is the upper bound.
    expect(m.ratios.generated_vs_control.ci?.low).toBeCloseTo(1, 12);
    expect(m.ratios.generated_vs_control.ci?.high).toBeNull();
    expect(m.ratios.generated_vs_control.ci?.highUnbounded).toBe(true);
    expect(m.ratios.generated_vs_control.undefinedRounds).toBeGreaterThan(150);
    expect(m.ratios.generated_vs_control.note).toMatch(/upper bound unbounded: \d+ of 1000 bootstrap rounds had R4 = 0/);
    expect(JSON.stringify(m)).not.toMatch(/Infinity|NaN/);
  });

  it('keeps a finite upper bound when zero-denominator rounds are rare, and an unbounded one when they are common', () => {
    // 10 of 200 raters ticked control: a round misses all of them with probability (190/200)^200 ≈ 0.00004.
    const many = Array.from({ length: 200 }, (_, i) => (i % 20 === 0 ? answer(`r${i}`, 'generated', 'control') : answer(`r${i}`, 'generated')));
    const rare = computeMetrics(many, createRng(4));
    const ratio = rare.ratios.generated_vs_control;
    expect(ratio.undefinedRounds).toBe(0);
    expect(ratio.ci?.highUnbounded).toBe(false);
    expect(ratio.ci?.high).toBeGreaterThan(ratio.estimate ?? Infinity);
    // 1 of 60 raters ticked control: a round misses them with probability (59/60)^60 ≈ 36 %.
    const few = computeMetrics(Array.from({ length: 60 }, (_, i) => (i === 0 ? answer('r0', 'generated', 'control') : answer(`r${i}`, 'generated'))), createRng(4));
    expect(few.ratios.generated_vs_control.undefinedRounds).toBeGreaterThan(250);
    expect(few.ratios.generated_vs_control.ci?.high).toBeNull();
  });
});

describe('zero denominators', () => {
  const m = computeMetrics([answer('A', 'generated'), answer('B', 'generated', 'category')], createRng(2));

  it('gives null ratios with a reason, never Infinity or NaN', () => {
    expect(m.ratios.generated_vs_control.estimate).toBeNull();
    expect(m.ratios.generated_vs_control.ci).toBeNull();
    expect(m.ratios.generated_vs_control.note).toBe('R4 is 0: no answer ticked the control reason (a category the datapoint lacks)');
    const json = JSON.stringify(m);
    expect(json).not.toMatch(/Infinity|NaN/);
    expect(JSON.parse(json).ratios.category_vs_control_topic.estimate).toBeNull();
  });

  it('gives null rates and ratios for no answers at all', () => {
    const empty = computeMetrics([], createRng(3));
    expect(empty.n).toEqual({ answers: 0, raters: 0 });
    expect(empty.rates.R1).toEqual({ estimate: null, ci: null });
    expect(empty.ratios.generated_vs_control.note).toBe('no answers');
  });
});

describe('reproducibility', () => {
  const study = simulateStudy(createRng(5), 30, 20, { generated: 0.7, category: 0.4, category_topic: 0.45, control: 0.1, control_topic: 0.12, other: 0.08 });

  it('gives identical intervals for the same seed, whatever the answer order', () => {
    const a = computeMetrics(study, createRng(99));
    const b = computeMetrics([...study].reverse(), createRng(99));
    expect(b).toEqual(a);
  });

  it('gives intervals that contain the point estimate', () => {
    const m = computeMetrics(study, createRng(7));
    for (const f of [...Object.values(m.rates), ...Object.values(m.ratios)]) {
      expect(f.ci).not.toBeNull();
      expect(f.ci!.low).toBeLessThanOrEqual(f.estimate!);
      expect(f.ci!.high).toBeGreaterThanOrEqual(f.estimate!);
    }
  });

  it('gives different intervals for a different seed', () => {
    expect(computeMetrics(study, createRng(1)).rates.R1.ci).not.toEqual(computeMetrics(study, createRng(2)).rates.R1.ci);
  });
});

describe('coverage of the 95 % interval', () => {
  it('covers the true R1 in 92-98 % of 200 simulated studies of 50 raters × 20 answers', () => {
    const trueR1 = 0.72;
    const rng = createRng(2025);
    let covered = 0;
    const studies = 200;
    for (let s = 0; s < studies; s++) {
      // Raters differ in how often they tick the generated reason (mean 0.72), so answers cluster.
      const answers = simulateStudy(rng, 50, 20, { generated: trueR1, category: 0.4, category_topic: 0.45, control: 0.1, control_topic: 0.12, other: 0.08 }, 0.1);
      const ci = computeMetrics(answers, createRng(s)).rates.R1.ci!;
      if (ci.low <= trueR1 && trueR1 <= ci.high) covered++;
    }
    expect(covered / studies).toBeGreaterThanOrEqual(0.92);
    expect(covered / studies).toBeLessThanOrEqual(0.98);
  });
});

it('quantile interpolates between order statistics', () => {
  expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
  expect(quantile([1, 2, 3, 4], 0)).toBe(1);
  expect(quantile([1, 2, 3, 4], 1)).toBe(4);
});

/** Raters answering `perRater` questions; each kind is ticked with its probability (± spread per rater). */
function simulateStudy(rng: ReturnType<typeof createRng>, raters: number, perRater: number, p: Record<OptionKind, number>, spread = 0): MetricAnswer[] {
  const answers: MetricAnswer[] = [];
  for (let r = 0; r < raters; r++) {
    const shift = spread * (2 * rng.next() - 1);
    for (let q = 0; q < perRater; q++) {
      const kinds = (Object.keys(p) as OptionKind[]).filter((k) => rng.next() < (k === 'generated' ? p[k] + shift : p[k]));
      answers.push({ raterId: `r${r}`, selectedKinds: kinds.length ? kinds : ['other'] });
    }
  }
  return answers;
}

describe('bootstrap intervals stay as published', () => {
  // Raters with the paper's human tick rates; intervals pinned from the first implementation
  // (2026-11-27), which drew every rater one by one from one stream. Since 2026-11-28 every
  // bootstrap draws its rounds in two halves (the second from a stream seeded by the first draw, so
  // that two threads can share the work), and when some class of equal totals holds 16 raters or
  // more (3000 × 1) a round draws how many raters of each class it takes (a multinomial). The same
  // distribution, so the intervals moved within bootstrap noise: 3000 × 1 R1 0.7143–0.7442 →
  // 0.7115–0.7430, ratio 2.90–3.52 → 2.91–3.51; 2000 × 20 R1 0.73440–0.74279 → 0.73466–0.74275,
  // ratio 3.083–3.234 → 3.083–3.233; 40 × 2 R1 unchanged, ratio 2.57–13.17 → 2.50–10.94 (500
  // rounds of 40 raters: a wide, noisy tail).
  const ratersOf = (n: number, answers: number): RaterTotals[] => {
    const rng = createRng(n + answers);
    return Array.from({ length: n }, (_, i) => {
      const hits = [0, 0, 0, 0, 0, 0];
      for (let q = 0; q < answers; q++) [0.74, 0.43, 0.48, 0.13, 0.15, 0.08].forEach((p, k) => rng.next() < p && hits[k]!++);
      return { raterId: `r${String(i).padStart(6, '0')}`, answers, hits };
    });
  };
  it.each([
    [2000, 20, { low: 0.734660625, high: 0.74275 }, { low: 3.0826382053828674, high: 3.233289721562095, highUnbounded: false }],
    [3000, 1, { low: 0.7114916666666667, high: 0.743 }, { low: 2.9094530207737757, high: 3.5103015352148605, highUnbounded: false }],
    [40, 2, { low: 0.6875, high: 0.875 }, { low: 2.5, high: 10.941249999999986, highUnbounded: false }],
  ])('%i raters × %i answers', (n, answers, r1, ratio) => {
    const metrics = drain(metricsSteps(ratersOf(n, answers), createRng(9), { rounds: 500, level: 0.95 }));
    expect(metrics.rates.R1.ci).toEqual(r1);
    expect(metrics.ratios.category_vs_control_topic.ci).toEqual(ratio);
  });

  it('a bootstrap by classes matches drawing raters one by one (an independent reference)', () => {
    // One answer each: 3000 raters fall into a few dozen classes, so metricsSteps draws by class.
    const raters = ratersOf(3000, 1);
    const rounds = 4000;
    const rng = createRng('one by one');
    const r1 = Array.from({ length: rounds }, () => {
      let answers = 0;
      let hits = 0;
      for (let k = 0; k < raters.length; k++) {
        const r = raters[rng.int(raters.length)]!;
        answers += r.answers;
        hits += r.hits[0]!;
      }
      return hits / answers;
    }).sort((a, b) => a - b);
    const reference = { low: quantile(r1, 0.025), high: quantile(r1, 0.975) };
    const byClass = drain(metricsSteps(raters, createRng(3), { rounds, level: 0.95 })).rates.R1.ci!;
    // Two Monte Carlo estimates of the same percentiles: they differ by a few hundredths of the
    // width; a wrong resampling distribution (too narrow or too wide, shifted) moves them by more.
    const width = reference.high - reference.low;
    expect(Math.abs(byClass.low - reference.low)).toBeLessThan(0.06 * width);
    expect(Math.abs(byClass.high - reference.high)).toBeLessThan(0.06 * width);
  });
});
