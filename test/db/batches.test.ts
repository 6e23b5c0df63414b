// Frozen tasks read page by page for the tasks export: the same tasks, in the same order, with the
// same options as the one-read listing, across page boundaries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBatchTasks, streamBatchTasks, type Batch } from '../../src/db/batches.js';
import { createOpenBatch } from '../helpers/rater.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let t: TestDatabase;
let batch: Batch;
beforeAll(async () => {
  t = await createTestDatabase();
  // 110 raters × 20 questions, each task rated once: more than one page (2,000) of tasks.
  batch = await createOpenBatch(t.db, { raters: 110, questions: 20, ratingsPerTask: 1 }, 2_400);
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

describe('streamBatchTasks', () => {
  it('yields every task once, in position order, equal to listBatchTasks', async () => {
    const pages: number[] = [];
    const streamed = [];
    for await (const page of streamBatchTasks(t.db.sql, batch.id)) {
      pages.push(page.length);
      streamed.push(...page);
    }
    const listed = await listBatchTasks(t.db.prisma, batch.id);
    expect(listed.length).toBeGreaterThan(2_000);
    expect(pages.length).toBeGreaterThan(1);
    expect(streamed).toEqual(listed);
  });
});
