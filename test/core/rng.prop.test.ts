import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';

describe('Rng.fill', () => {
  it('gives exactly the numbers next() would, in order, and leaves the stream where next() would', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 20 }), (seed, n, before) => {
        const a = createRng(seed);
        const b = createRng(seed);
        for (let i = 0; i < before; i++) expect(a.next()).toBe(b.next());
        const block = new Float64Array(n);
        a.fill(block);
        expect([...block]).toEqual(Array.from({ length: n }, () => b.next()));
        expect(a.next()).toBe(b.next());
      }),
    );
  });
});
