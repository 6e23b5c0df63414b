import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { generateSyntheticDataset, toJsonl } from '../../src/core/synthetic-dataset.js';
import { createBatchFromDataset } from '../../src/db/batches.js';
import { hashText, importDatasetText, listAnnotatedDatapoints } from '../../src/db/datasets.js';
import { createHash } from 'node:crypto';
import { datasetLine, toJsonlText } from '../helpers/datasets.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { TEST_ACTOR } from '../helpers/actor.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

describe('hashText', () => {
  it('gives the SHA-256 of the whole text even when a slice boundary falls inside an emoji', async () => {
    for (const text of ['', 'short', 'x'.repeat(3_999_999) + '🚀' + 'tail', 'é'.repeat(9_000_001)]) {
      expect(await hashText(text)).toBe(createHash('sha256').update(text).digest('hex'));
    }
  });
});

describe('importDatasetText', () => {
  it('stores text exactly, whatever quotes, backslashes, braces, newlines or emoji it holds', async () => {
    const awkward = ['say "hi", \\n not a newline', '{a,b} NULL', 'line\nbreak\ttab', 'émoji 🚀 <script>x</script>', "it's"];
    const text = toJsonlText([
      datasetLine(1, { prompt: awkward.join(' | '), response_a: '  keep\n  indent\n', preferences: [{ category: 'Clarity', granular: awkward }] }),
    ]);
    const outcome = await importDatasetText(t.db.sql, { name: 'awkward', text }, TEST_ACTOR);
    expect(outcome.status).toBe('created');
    if (outcome.status !== 'created') return;
    const [dp] = await listAnnotatedDatapoints(t.db.prisma, outcome.dataset.id);
    expect(dp?.preferences).toEqual([{ category: 'Clarity', granular: awkward }]);
    const row = await t.db.prisma.datapoint.findFirstOrThrow({ where: { datasetId: outcome.dataset.id } });
    expect(row).toMatchObject({ prompt: awkward.join(' | '), responseA: '  keep\n  indent\n', winner: 'model_a', lineNumber: 1, sourceId: 't-1' });
  });

  it('keeps datapoints in file order with their annotations in file order', async () => {
    const text = toJsonlText(Array.from({ length: 30 }, (_, i) => datasetLine(i)));
    const outcome = await importDatasetText(t.db.sql, { name: 'ordered', text }, TEST_ACTOR);
    if (outcome.status !== 'created') throw new Error(outcome.status);
    const datapoints = await listAnnotatedDatapoints(t.db.prisma, outcome.dataset.id);
    expect(datapoints.map((d) => d.sourceId)).toEqual(Array.from({ length: 30 }, (_, i) => `t-${i}`));
    expect(datapoints[3]?.preferences.map((p) => p.category)).toEqual(['Clarity', 'Humor']);
  });

  it('imports a dataset past 32,766 datapoints and then lists it and freezes a batch from it (no query-parameter limit)', async () => {
    const outcome = await importDatasetText(t.db.sql, { name: 'large', text: toJsonl(generateSyntheticDataset(33_000, createRng(1))) }, TEST_ACTOR);
    if (outcome.status !== 'created') throw new Error(outcome.status);
    const datapoints = await listAnnotatedDatapoints(t.db.prisma, outcome.dataset.id);
    expect(datapoints).toHaveLength(33_000);
    expect(datapoints.every((d) => d.preferences.length > 0)).toBe(true);
    const batch = await createBatchFromDataset(t.db.prisma, { dataset: 'large', name: 'large', questions: 20, raters: 5, seed: 1, completionCode: 'LARGE1', ratingsPerTask: null, preferredSide: 'first' }, TEST_ACTOR);
    expect(batch.ok).toBe(true);
  }, 120_000);

  it('refuses a NUL character, an over-long id and half a surrogate pair with line-numbered problems, writing nothing', async () => {
    const text = toJsonlText([
      datasetLine(1, { prompt: 'a\u0000b' }),
      datasetLine(2, { id: 'x'.repeat(3000) }),
      datasetLine(3),
      datasetLine(4, { id: 'cut \ud83d', preferences: [{ category: 'Clarity', granular: ['ok 🚀', 'half \ude80'] }] }),
    ]);
    const outcome = await importDatasetText(t.db.sql, { name: 'bad-bytes', text }, TEST_ACTOR);
    expect(outcome.status).toBe('invalid');
    if (outcome.status !== 'invalid') return;
    expect(outcome.errors.map((e) => `${e.line}:${e.field}`)).toEqual(['1:prompt', '2:id', '4:id', '4:preferences.0.granular.1']);
    expect(outcome.errors[0]?.message).toMatch(/NUL/);
    expect(outcome.errors[1]?.message).toMatch(/at most 500 characters/);
    expect(outcome.errors[2]?.message).toMatch(/half of a character/);
    expect(await t.db.prisma.dataset.count({ where: { name: 'bad-bytes' } })).toBe(0);
  });

  it('rolls back a file whose problems come after thousands of stored lines, counts them all, and imports it once corrected', async () => {
    const good = toJsonl(generateSyntheticDataset(3_500, createRng(5))).split('\n');
    const broken = [...good];
    broken[2_999] = '{"id": "late", "prompt": "no responses"}';
    broken[3_399] = 'not json';
    const datapointsBefore = await t.db.prisma.datapoint.count();
    const outcome = await importDatasetText(t.db.sql, { name: 'late-problem', text: broken.join('\n') }, TEST_ACTOR);
    expect(outcome.status).toBe('invalid');
    if (outcome.status !== 'invalid') return;
    expect(new Set(outcome.errors.map((e) => e.line))).toEqual(new Set([3_000, 3_400]));
    expect(await t.db.prisma.dataset.count({ where: { name: 'late-problem' } })).toBe(0);
    expect(await t.db.prisma.datapoint.count()).toBe(datapointsBefore);
    const progress: [number, number][] = [];
    const fixed = await importDatasetText(t.db.sql, { name: 'late-problem', text: good.join('\n') }, TEST_ACTOR, (done, total) => progress.push([done, total]));
    if (fixed.status !== 'created') throw new Error(fixed.status);
    expect(fixed.dataset.datapointCount).toBe(3_500);
    expect(await t.db.prisma.datapoint.count({ where: { datasetId: fixed.dataset.id } })).toBe(3_500);
    expect(progress.at(-1)).toEqual([3_500, 3_500]);
    expect(progress.map(([done]) => done)).toEqual([...progress.map(([done]) => done)].sort((a, b) => a - b));
    const audit = await t.db.prisma.auditEvent.findMany({ where: { datasetId: fixed.dataset.id } });
    expect(audit.map((e) => [e.action, e.details])).toEqual([['dataset.import', { name: 'late-problem', datapoints: 3_500 }]]);
  }, 60_000);
});
