import { describe, expect, it } from 'vitest';
import { kindBit } from '../../src/core/option-kinds.js';
import { selfConsistency } from '../../src/core/self-consistency.js';

describe('selfConsistency', () => {
  it('is the share of (task, kind) decisions two runs agree on, over the tasks both answered', () => {
    const g = kindBit('generated');
    const c = kindBit('category');
    const a = new Map([['t1', g | c], ['t2', g], ['t3', 0]]);
    const b = new Map([['t1', g], ['t2', g], ['t4', g]]);
    // t1: 5 of 6 kinds agree; t2: 6 of 6; t3 and t4 were answered by one run only.
    expect(selfConsistency(a, b)).toEqual({ tasks: 2, agreement: 11 / 12 });
    expect(selfConsistency(a, new Map())).toEqual({ tasks: 0, agreement: null });
  });
});
