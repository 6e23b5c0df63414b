import { describe, expect, it } from 'vitest';
import { parseDatasetJsonl } from '../../src/core/dataset-format.js';
import { summarizeDataset } from '../../src/core/dataset-summary.js';
import { arenaSampleText, readmeCounts } from '../helpers/shared-data.js';

function sampleSummary() {
  const parsed = parseDatasetJsonl(arenaSampleText());
  if (!parsed.ok) throw new Error('sample must parse');
  return summarizeDataset(parsed.datapoints);
}

describe('summarizeDataset', () => {
  it('counts every preference category of the sample as data/README.md does', () => {
    const summary = sampleSummary();
    const counts = new Map(summary.categories.map((c) => [c.category, c.datapoints]));
    expect(counts).toEqual(readmeCounts().categories);
  });

  it('counts every topic category of the sample as data/README.md does', () => {
    const summary = sampleSummary();
    const counts = new Map(summary.topics.map((t) => [t.topicCategory, t.datapoints]));
    expect(counts).toEqual(readmeCounts().topics);
  });

  it('gives percentages of datapoints and the most prevalent topics of a category', () => {
    const summary = summarizeDataset([
      { topicCategory: 'A', preferences: [{ category: 'X', granular: ['p1', 'P1.'] }] },
      { topicCategory: 'A', preferences: [{ category: 'Y', granular: ['p2'] }] },
      { topicCategory: 'B', preferences: [{ category: 'x', granular: ['p3'] }, { category: 'Y', granular: ['p4'] }] },
      { topicCategory: 'b', preferences: [{ category: 'X', granular: ['p5'] }] },
    ]);
    const x = summary.categories.find((c) => c.category === 'X');
    // 'p1' and 'P1.' are one phrase after normalisation; 'x' and 'X' are one category.
    expect(x).toMatchObject({ datapoints: 3, percent: 75, distinctGranular: 3 });
    expect(x?.mostPrevalentIn).toEqual([
      { topicCategory: 'B', percent: 100, datapoints: 2, of: 2 },
      { topicCategory: 'A', percent: 50, datapoints: 1, of: 2 },
    ]);
    const a = summary.topics.find((t) => t.topicCategory === 'A');
    // Y: 50 % in A against 50 % overall (no over-representation); X: 50 % against 75 %.
    expect(a).toMatchObject({ datapoints: 2, percent: 50, mostDistinctive: [] });
    const b = summary.topics.find((t) => t.topicCategory === 'B');
    expect(b?.mostDistinctive).toEqual([{ category: 'X', percentInTopic: 100, overallPercent: 75, deltaPoints: 25 }]);
  });
});
