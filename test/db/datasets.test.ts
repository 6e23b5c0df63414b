import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDatasetText, listAnnotatedDatapoints } from '../../src/db/datasets.js';
import { datasetLine, toJsonlText } from '../helpers/datasets.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

describe('importDatasetText', () => {
  it('stores text exactly, whatever quotes, backslashes, braces, newlines or emoji it holds', async () => {
    const awkward = ['say "hi", \\n not a newline', '{a,b} NULL', 'line\nbreak\ttab', 'émoji 🚀 <script>x</script>', "it's"];
    const text = toJsonlText([
      datasetLine(1, { prompt: awkward.join(' | '), response_a: '  keep\n  indent\n', preferences: [{ category: 'Clarity', granular: awkward }] }),
    ]);
    const outcome = await importDatasetText(t.db.prisma, { name: 'awkward', text });
    expect(outcome.status).toBe('created');
    if (outcome.status !== 'created') return;
    const [dp] = await listAnnotatedDatapoints(t.db.prisma, outcome.dataset.id);
    expect(dp?.preferences).toEqual([{ category: 'Clarity', granular: awkward }]);
    const row = await t.db.prisma.datapoint.findFirstOrThrow({ where: { datasetId: outcome.dataset.id } });
    expect(row).toMatchObject({ prompt: awkward.join(' | '), responseA: '  keep\n  indent\n', winner: 'model_a', lineNumber: 1, sourceId: 't-1' });
  });

  it('keeps datapoints in file order with their annotations in file order', async () => {
    const text = toJsonlText(Array.from({ length: 30 }, (_, i) => datasetLine(i)));
    const outcome = await importDatasetText(t.db.prisma, { name: 'ordered', text });
    if (outcome.status !== 'created') throw new Error(outcome.status);
    const datapoints = await listAnnotatedDatapoints(t.db.prisma, outcome.dataset.id);
    expect(datapoints.map((d) => d.sourceId)).toEqual(Array.from({ length: 30 }, (_, i) => `t-${i}`));
    expect(datapoints[3]?.preferences.map((p) => p.category)).toEqual(['Clarity', 'Humor']);
  });
});
