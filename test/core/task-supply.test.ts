import { describe, expect, it } from 'vitest';
import { describeTaskSupply } from '../../src/core/task-supply.js';

const skipped = { 'empty-category-topic-pool': 12, 'empty-control-topic-pool': 1, 'no-distinct-options': 0 };

describe('task supply', () => {
  it('lists the skips by reason, and says how often tasks will be rated when there are fewer than asked', () => {
    const s = describeTaskSupply({ made: 400, skippedByReason: skipped }, { raters: 50, questions: 20, ratingsPerTask: null });
    expect(s.skips).toEqual([
      'Skipped 12 datapoints: no other datapoint of the same topic has the sampled category (G3 empty).',
      'Skipped 1 datapoint: no other datapoint of the same topic has a category the datapoint lacks (G5 empty).',
    ]);
    expect(s.shortfall).toBe('The dataset gives 400 tasks where 1000 were asked for (50 raters × 20 questions): each task will be rated about 2.5 times, more than the 1 asked.');
    expect(describeTaskSupply({ made: 500, skippedByReason: skipped }, { raters: 50, questions: 20, ratingsPerTask: 2 }).shortfall).toBeNull();
    expect(describeTaskSupply({ made: 300, skippedByReason: skipped }, { raters: 50, questions: 20, ratingsPerTask: 2 }).shortfall).toContain('2 ratings each');
  });
});
