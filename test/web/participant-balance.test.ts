import { afterAll, beforeAll, expect, it } from 'vitest';
import { getBatchProgress } from '../../src/db/batches.js';
import { createOpenBatch, Rater } from '../helpers/rater.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.drop();
});

it('keeps ratings per task within 1 of each other after 50 raters finish (50 × 20 on 334 tasks)', async () => {
  const batch = await createOpenBatch(t.db, { raters: 50, questions: 20, ratingsPerTask: 3 }, 500);
  const raters = Array.from({ length: 50 }, () => new Rater(t.app, batch));
  // Five at a time, interleaved, as real raters arrive.
  for (let i = 0; i < raters.length; i += 5) {
    const pages = await Promise.all(raters.slice(i, i + 5).map((r) => r.completeAll()));
    for (const page of pages) expect(page).toContain('C0MPLETE');
  }
  const progress = await getBatchProgress(t.db.prisma, batch.id);
  expect(progress.tasks).toBe(334);
  expect(progress.answers).toBe(1000);
  expect(progress.participants.completed).toBe(50);
  expect(progress.ratingsPerTask.max - progress.ratingsPerTask.min).toBeLessThanOrEqual(1);
  expect(progress.ratingsPerTask).toEqual({ min: 2, max: 3 });
}, 300_000);
