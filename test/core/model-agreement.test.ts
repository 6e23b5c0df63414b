// Human majority against an LLM evaluator, by hand on a small example.
import { describe, expect, it } from 'vitest';
import { modelAgreement } from '../../src/core/model-agreement.js';
import { kindBit } from '../../src/core/option-kinds.js';

const g = kindBit('generated');
const c = kindBit('category');
const o = kindBit('other');

describe('modelAgreement', () => {
  it('compares the humans\' majority with the model per kind, task by task, with kappa per kind', () => {
    const result = modelAgreement([
      // Humans: generated 3/3, category 1/3 → majority {generated}; model {generated}: all six agree.
      { taskId: 't1', human: [g | c, g, g], model: [g] },
      // Humans {generated, category} (2/3 each); model {generated}: category differs → 5/6.
      { taskId: 't2', human: [g | c, g | c, o], model: [g] },
      // Humans {other} (2/2); model repeats: {generated}, {generated, other} → generated 2/2, other 1/2 (no majority).
      { taskId: 't3', human: [o, o], model: [g, g | o] },
      // No human answer: left out.
      { taskId: 't4', human: [], model: [g] },
    ]);
    expect(result.tasks).toBe(3);
    expect(result.mostDisagreeing.map((t) => [t.taskId, t.agreement, t.disagreeOn])).toEqual([
      ['t3', 4 / 6, ['generated', 'other']],
      ['t2', 5 / 6, ['category']],
      ['t1', 1, []],
    ]);
    expect(result.meanAgreement).toBeCloseTo((1 + 5 / 6 + 4 / 6) / 3, 12);
    const generated = result.kappa.find((k) => k.kind === 'generated');
    // Humans yes on t1, t2; model yes on all three: po = 2/3, pe = 2/3·1 + 1/3·0 = 2/3 → kappa 0.
    expect(generated).toEqual({ kind: 'generated', kappa: 0, humanRate: 2 / 3, modelRate: 1 });
    // Nobody ever ticks "control": chance agreement is total, kappa undefined.
    expect(result.kappa.find((k) => k.kind === 'control')?.kappa).toBeNull();
  });

  it('has nothing to say without a task both answered', () => {
    expect(modelAgreement([{ taskId: 't', human: [g], model: [] }])).toMatchObject({ tasks: 0, meanAgreement: null, mostDisagreeing: [] });
  });
});
