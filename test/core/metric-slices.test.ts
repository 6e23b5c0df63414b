// Metrics per slice (topic, category, evaluator, batch): each slice computed on its own answers.
import { describe, expect, it } from 'vitest';
import { computeSlicedMetrics, type SliceableAnswer } from '../../src/core/metric-slices.js';
import type { OptionKind } from '../../src/core/option-kinds.js';

describe('computeSlicedMetrics', () => {
  const sliceable = (raterId: string, topicCategory: string, kinds: OptionKind[]): SliceableAnswer => ({
    raterId,
    selectedKinds: kinds,
    topicCategory,
    sampledCategory: 'Clarity',
    evaluator: 'human',
    batchId: 'b1',
  });
  const answers = [sliceable('A', 'Health', ['generated']), sliceable('B', 'health ', ['control']), sliceable('B', 'Sports', ['generated', 'control'])];

  it('groups topic names after trimming and case-folding, largest first', () => {
    const result = computeSlicedMetrics(answers, 'topic', 1, { rounds: 50, level: 0.95 });
    expect(result.slices.map((s) => [s.key, s.metrics.n.answers])).toEqual([['Health', 2], ['Sports', 1]]);
    expect(result.slices[0]?.metrics.rates.R1.estimate).toBe(0.5);
    expect(result.overall.n).toEqual({ answers: 3, raters: 2 });
  });

  it('gives a slice the same numbers whatever other slices exist', () => {
    const alone = computeSlicedMetrics(answers.slice(0, 2), 'topic', 1, { rounds: 50, level: 0.95 });
    const withOthers = computeSlicedMetrics(answers, 'topic', 1, { rounds: 50, level: 0.95 });
    expect(alone.slices[0]).toEqual(withOthers.slices[0]);
  });
});
