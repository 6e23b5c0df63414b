import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderOptions, planQuestion, planQuestions, tasksNeeded } from '../../src/core/assignment.js';
import { createRng } from '../../src/core/rng.js';

const kinds = ['generated', 'category', 'category_topic', 'control', 'control_topic', 'other'];
const taskArb = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 30 }).map((ids) =>
  ids.map((taskId) => ({ taskId, options: kinds.map((kind) => ({ id: `${taskId}/${kind}`, kind })) })),
);

describe('planQuestions', () => {
  it('gives every task once, each with all its options and `other` last', () => {
    fc.assert(
      fc.property(taskArb, fc.nat(), fc.constantFrom('first' as const, 'random' as const), (tasks, seed, side) => {
        const planned = planQuestions(tasks, side, createRng(seed));
        expect(planned.map((q) => q.taskId).sort()).toEqual(tasks.map((t) => t.taskId).sort());
        for (const q of planned) {
          expect([...q.optionOrder].sort()).toEqual(kinds.map((k) => `${q.taskId}/${k}`).sort());
          expect(q.optionOrder.at(-1)).toBe(`${q.taskId}/other`);
          if (side === 'first') expect(q.preferredFirst).toBe(true);
        }
      }),
    );
  });

  it('does not depend on the order the rows arrived in', () => {
    fc.assert(
      fc.property(taskArb, fc.nat(), (tasks, seed) => {
        const reversed = [...tasks].reverse().map((t) => ({ ...t, options: [...t.options].reverse() }));
        expect(planQuestions(reversed, 'random', createRng(seed))).toEqual(planQuestions(tasks, 'random', createRng(seed)));
      }),
    );
  });

  it('shows the preferred response second about half the time with preferred-side random', () => {
    const tasks = Array.from({ length: 2000 }, (_, i) => ({ taskId: `t${i}`, options: kinds.map((kind) => ({ id: `t${i}/${kind}`, kind })) }));
    const second = planQuestions(tasks, 'random', createRng(7)).filter((q) => !q.preferredFirst).length;
    expect(second).toBeGreaterThan(900);
    expect(second).toBeLessThan(1100);
  });

  it('refuses a task without an `other` option', () => {
    expect(() => planQuestion({ taskId: 't', options: [{ id: 'a', kind: 'generated' }] }, 'first', createRng(1))).toThrow(/other/);
  });
});

describe('orderOptions', () => {
  it('keeps every option once and `other` last', () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        const order = orderOptions(['a', 'b', 'other', 'c', 'd', 'e'], 'other', createRng(seed));
        expect(order).toHaveLength(6);
        expect(order[5]).toBe('other');
        expect([...order].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'other']);
      }),
    );
  });

  it('shows each option first about equally often', () => {
    const firsts = new Map<string, number>();
    for (let seed = 0; seed < 5000; seed++) {
      const first = orderOptions(['a', 'b', 'c', 'd', 'e', 'o'], 'o', createRng(seed))[0] as string;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    for (const n of firsts.values()) expect(Math.abs(n / 5000 - 0.2)).toBeLessThan(0.03);
  });
});

describe('tasksNeeded', () => {
  it('is raters × questions / ratings per task, rounded up', () => {
    expect(tasksNeeded({ raters: 50, questions: 20, ratingsPerTask: null })).toBe(1000);
    expect(tasksNeeded({ raters: 50, questions: 20, ratingsPerTask: 3 })).toBe(334);
  });
});
