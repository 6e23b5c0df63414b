import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECK_WORDINGS, checkInstruction, checkPassed, defaultAttentionChecks, maxAttentionChecks, planAttentionChecks } from '../../src/core/attention-checks.js';
import type { PlannedQuestion } from '../../src/core/assignment.js';
import { createRng } from '../../src/core/rng.js';

const questions = (n: number): PlannedQuestion[] =>
  Array.from({ length: n }, (_, i) => ({ taskId: `t${i}`, optionOrder: [`t${i}a`, `t${i}b`, `t${i}c`, `t${i}d`, `t${i}e`, `t${i}o`], preferredFirst: i % 2 === 0 }));

describe('planAttentionChecks', () => {
  it('places k checks at distinct positions, never first, after at least three questions when there is room, never after the last', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 0, max: 5 }), fc.integer(), (n, k0, seed) => {
        const k = Math.min(k0, maxAttentionChecks(n));
        const checks = planAttentionChecks(questions(n), k, createRng(seed));
        const slots = checks.map((c) => c.beforePosition);
        expect(slots).toHaveLength(k);
        expect(new Set(slots).size).toBe(k);
        expect([...slots].sort((a, b) => a - b)).toEqual(slots);
        for (const slot of slots) {
          expect(slot).toBeGreaterThanOrEqual(n - k >= 3 ? 3 : 1);
          expect(slot).toBeLessThanOrEqual(n - 1);
        }
      }),
    );
  });

  it('repeats the question just before it, with the same options reshuffled (other still last) and one of them as the target', () => {
    const qs = questions(20);
    for (const c of planAttentionChecks(qs, 2, createRng(7))) {
      const source = qs[c.beforePosition - 1] as PlannedQuestion;
      expect(c.sourceTaskId).toBe(source.taskId);
      expect([...c.optionOrder].sort()).toEqual([...source.optionOrder].sort());
      expect(c.optionOrder.at(-1)).toBe(source.optionOrder.at(-1));
      expect(source.optionOrder).toContain(c.targetOptionId);
      expect(c.preferredFirst).toBe(source.preferredFirst);
    }
  });

  it('gives the same plan for the same seed and varies the wording within a session', () => {
    const a = planAttentionChecks(questions(20), 3, createRng(11));
    expect(planAttentionChecks(questions(20), 3, createRng(11))).toEqual(a);
    expect(new Set(a.map((c) => c.wording)).size).toBe(3);
  });

  it('refuses more checks than fit between the first and the last question', () => {
    expect(() => planAttentionChecks(questions(3), 3, createRng(1))).toThrow(/do not fit/);
    expect(maxAttentionChecks(1)).toBe(0);
    expect(defaultAttentionChecks(20)).toBe(2);
    expect(defaultAttentionChecks(2)).toBe(1);
    expect(defaultAttentionChecks(1)).toBe(0);
  });
});

describe('checkInstruction and checkPassed', () => {
  it('quotes the target option in every wording', () => {
    for (let w = 0; w < CHECK_WORDINGS.length; w++) expect(checkInstruction(w, 'Other reason(s)')).toContain('“Other reason(s)”');
  });

  it('passes exactly the target ticked alone', () => {
    expect(checkPassed(['x'], 'x')).toBe(true);
    expect(checkPassed(['x', 'x'], 'x')).toBe(true);
    expect(checkPassed(['x', 'y'], 'x')).toBe(false);
    expect(checkPassed(['y'], 'x')).toBe(false);
    expect(checkPassed([], 'x')).toBe(false);
  });
});
