import { describe, expect, it } from 'vitest';
import { categoryCoverage } from '../../src/core/category-coverage.js';
import { parseDatasetJsonl } from '../../src/core/dataset-format.js';
import { createRng } from '../../src/core/rng.js';
import { generateTasks } from '../../src/core/task-generation.js';
import type { AnnotatedDatapoint } from '../../src/core/task-pools.js';
import { arenaSampleText } from '../helpers/shared-data.js';

function sample(): AnnotatedDatapoint[] {
  const parsed = parseDatasetJsonl(arenaSampleText());
  if (!parsed.ok) throw new Error('the shared sample does not parse');
  return parsed.datapoints.map((d) => ({ id: d.sourceId, topicCategory: d.topicCategory, preferences: d.preferences }));
}

describe('categoryCoverage', () => {
  it("puts each category's share of tasks next to its prevalence and its expected share of draws", () => {
    const datapoints: AnnotatedDatapoint[] = [
      { id: 'd1', topicCategory: 'T', preferences: [{ category: 'Alpha', granular: ['a'] }, { category: 'Beta', granular: ['b'] }] },
      { id: 'd2', topicCategory: 'T', preferences: [{ category: 'alpha ', granular: ['c'] }] },
    ];
    expect(categoryCoverage(datapoints, [{ sampledCategory: 'Alpha' }, { sampledCategory: 'ALPHA' }])).toEqual([
      // Alpha: drawn with probability 1/2 from d1 and 1 from d2 → 75 % of draws; 100 % of tasks.
      { category: 'Alpha', datapoints: 2, prevalence: 1, expectedShare: 0.75, taskShare: 1, warning: 'shifted' },
      { category: 'Beta', datapoints: 1, prevalence: 0.5, expectedShare: 0.25, taskShare: 0, warning: 'lost' },
    ]);
  });

  it('flags nothing when the tasks follow the draws within 5 points', () => {
    const datapoints: AnnotatedDatapoint[] = Array.from({ length: 20 }, (_, i) => ({ id: `d${i}`, topicCategory: 'T', preferences: [{ category: i < 10 ? 'A' : 'B', granular: ['x'] }] }));
    const tasks = [...Array.from({ length: 54 }, () => ({ sampledCategory: 'A' })), ...Array.from({ length: 46 }, () => ({ sampledCategory: 'B' }))];
    expect(categoryCoverage(datapoints, tasks).map((c) => c.warning)).toEqual([null, null]);
  });

  it('reports what independent checking found on the real sample: Clarity over-represented, rare categories lost', () => {
    const { report } = generateTasks(sample(), createRng(3));
    const clarity = report.categories.find((c) => c.category === 'Clarity');
    expect(clarity?.expectedShare).toBeCloseTo(0.22, 2);
    expect(clarity?.warning).toBe('shifted');
    expect(report.categories.find((c) => c.category === 'Helpfulness')?.warning).toBe('lost');
    expect(report.categories.find((c) => c.category === 'Customization')?.warning).toBe('lost');
  });
});

describe("generateTasks with categoryDraw 'usable'", () => {
  it('leaves the default draw (SPEC 2) unchanged', () => {
    const datapoints = sample();
    expect(generateTasks(datapoints, createRng(5), { categoryDraw: 'uniform' })).toEqual(generateTasks(datapoints, createRng(5)));
  });

  it('skips a datapoint for an empty G3 only when none of its categories has same-topic phrases elsewhere', () => {
    const datapoints = sample();
    const hasUsable = (d: AnnotatedDatapoint) =>
      d.preferences.some((p) =>
        datapoints.some((o) => o.id !== d.id && o.topicCategory.trim().toLowerCase() === d.topicCategory.trim().toLowerCase() && o.preferences.some((q) => q.category.trim().toLowerCase() === p.category.trim().toLowerCase())),
      );
    const unusable = datapoints.filter((d) => !hasUsable(d)).length;
    const uniform = generateTasks(datapoints, createRng(1)).report;
    const usable = generateTasks(datapoints, createRng(1), { categoryDraw: 'usable' }).report;
    expect(usable.categoryDraw).toBe('usable');
    expect(usable.skippedByReason['empty-category-topic-pool']).toBe(unusable);
    expect(uniform.skippedByReason['empty-category-topic-pool']).toBeGreaterThan(unusable);
    expect(usable.made).toBeGreaterThan(uniform.made);
  });
});
