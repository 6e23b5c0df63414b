import { describe, expect, it } from 'vitest';
import { chiSquareSurvival, computePositionBias, equalRatesTest, SLOTTED_KINDS, type SlotCounts } from '../../src/core/position-bias.js';
import { createRng, shuffled, type Rng } from '../../src/core/rng.js';

/** Raters answering `questions` questions with options in random slots; `tick(kind, slot)` is P(ticked). */
function simulate(raters: number, questions: number, tick: (kind: string, slot: number, preferredFirst: boolean) => number, rng: Rng, sides = false): SlotCounts[] {
  const rows: SlotCounts[] = [];
  for (let r = 0; r < raters; r++) {
    for (let q = 0; q < questions; q++) {
      const preferredFirst = !sides || rng.next() < 0.5;
      shuffled([...SLOTTED_KINDS], rng).forEach((kind, i) => {
        rows.push({ raterId: `r${r}`, preferredFirst, slot: i + 1, kind, shown: 1, selected: rng.next() < tick(kind, i + 1, preferredFirst) ? 1 : 0 });
      });
    }
  }
  return rows;
}

const options = { rounds: 200, level: 0.95 };

describe('position bias', () => {
  it('computes χ² tail probabilities', () => {
    // df 4 has a closed form: e^{−x/2}(1 + x/2).
    for (const x of [0.5, 3, 9.49, 20]) expect(chiSquareSurvival(x, 4)).toBeCloseTo(Math.exp(-x / 2) * (1 + x / 2), 12);
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 9);
    expect(chiSquareSurvival(0, 3)).toBe(1);
  });

  it('tests a hand-made table', () => {
    // 2 of 10 vs 8 of 10: p = 0.5, each cell's (O − E)² / E = 9 / 5, four cells: 7.2.
    const t = equalRatesTest([{ shown: 10, selected: 2 }, { shown: 10, selected: 8 }])!;
    expect(t.statistic).toBeCloseTo(7.2, 12);
    expect(t.df).toBe(1);
  });

  it('finds no bias when slots do not matter, and counts every option once', () => {
    const rows = simulate(150, 20, (kind) => (kind === 'generated' ? 0.6 : 0.2), createRng(1));
    const bias = computePositionBias(rows, createRng(2), options);
    expect(bias.raters).toBe(150);
    expect(bias.bySlot.map((s) => s.shown)).toEqual([3000, 3000, 3000, 3000, 3000]);
    expect(bias.bySlot.reduce((s, c) => s + c.selected, 0)).toBe(rows.reduce((s, r) => s + r.selected, 0));
    expect(bias.equalRates!.pValue).toBeGreaterThan(0.01);
    const generated = bias.byKind.find((k) => k.kind === 'generated')!;
    for (const s of generated.bySlot) {
      expect(s.ci!.low).toBeLessThan(0.6);
      expect(s.ci!.high).toBeGreaterThan(0.6);
    }
    expect(bias.bySide).toBeNull();
  });

  it('finds a first-slot bias, overall and per kind', () => {
    const rows = simulate(150, 20, (_, slot) => (slot === 1 ? 0.5 : 0.3), createRng(3));
    const bias = computePositionBias(rows, createRng(4), options);
    expect(bias.equalRates!.pValue).toBeLessThan(1e-6);
    expect(bias.bySlot[0]!.ci!.low).toBeGreaterThan(bias.bySlot[1]!.ci!.high!);
    for (const k of bias.byKind) expect(k.bySlot[0]!.rate!).toBeGreaterThan(k.bySlot[4]!.rate!);
  });

  it('compares the sides the preferred response was shown on when the batch randomises them', () => {
    const rows = simulate(150, 20, (kind, _, first) => (kind === 'generated' ? (first ? 0.7 : 0.5) : 0.2), createRng(5), true);
    const bias = computePositionBias(rows, createRng(6), options);
    const generated = bias.bySide!.find((s) => s.kind === 'generated')!;
    expect(generated.difference.estimate!).toBeGreaterThan(0.1);
    expect(generated.difference.ci!.low).toBeGreaterThan(0);
    const control = bias.bySide!.find((s) => s.kind === 'control')!;
    expect(control.difference.ci!.low).toBeLessThan(0);
    expect(control.difference.ci!.high).toBeGreaterThan(0);
    expect(bias.bySide![0]!.kind).toBe('all');
  });
});
