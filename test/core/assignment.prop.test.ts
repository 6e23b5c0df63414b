import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseTasksForRater, orderOptions, tasksNeeded } from '../../src/core/assignment.js';
import { createRng } from '../../src/core/rng.js';

describe('chooseTasksForRater', () => {
  it('gives `count` distinct tasks, all of them among the least loaded', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(5), { minLength: 1, maxLength: 60 }), fc.nat(), fc.nat(), (rawLoads, c, seed) => {
        const loads = rawLoads.map((load, i) => ({ taskId: `t${i}`, load }));
        const count = 1 + (c % loads.length);
        const chosen = chooseTasksForRater(loads, count, createRng(seed));
        expect(new Set(chosen).size).toBe(count);
        const chosenLoads = loads.filter((l) => chosen.includes(l.taskId)).map((l) => l.load);
        const otherLoads = loads.filter((l) => !chosen.includes(l.taskId)).map((l) => l.load);
        if (otherLoads.length) expect(Math.max(...chosenLoads)).toBeLessThanOrEqual(Math.min(...otherLoads));
      }),
    );
  });

  it('keeps ratings per task within 1 of each other after any number of raters', () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 80 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 60 }), fc.nat(), (tasks, questions, raters, seed) => {
        fc.pre(questions <= tasks);
        const loads = new Map(Array.from({ length: tasks }, (_, i) => [`t${i}`, 0]));
        const rng = createRng(seed);
        for (let r = 0; r < raters; r++) {
          const chosen = chooseTasksForRater([...loads].map(([taskId, load]) => ({ taskId, load })), questions, rng);
          for (const id of chosen) loads.set(id, (loads.get(id) ?? 0) + 1);
        }
        const values = [...loads.values()];
        expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('refuses to pick more tasks than exist', () => {
    expect(() => chooseTasksForRater([{ taskId: 'a', load: 0 }], 2, createRng(1))).toThrow(RangeError);
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
