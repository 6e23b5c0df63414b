// Metrics on PostgreSQL are computed in worker threads kept between computations
// (results/metrics.ts): the figures are those computed in the server's thread from the same
// snapshot, a computation that fails leaves the worker answering the next ones, and two at once
// each get their own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drain } from '../../src/core/steps.js';
import { overallStream } from '../../src/core/metric-slices.js';
import type { Batch } from '../../src/db/batches.js';
import { openWorkerConnection, readSharedSnapshot, readSnapshot } from '../../src/db/sql-runner.js';
import { computeBatchMetrics, mergedSteps, readMetricsInputs, sliceSteps, startMetricsInputs, type MetricsQuery } from '../../src/results/metrics.js';
import { createRng } from '../../src/core/rng.js';
import { createOpenBatch } from '../helpers/rater.js';
import { simulateRaters } from '../helpers/simulate.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { serverUrl } from '../helpers/test-database.js';

describe.skipIf(!serverUrl)('metrics in kept worker threads (PostgreSQL)', () => {
  let t: TestApp;
  let batch: Batch;
  /** Raters who tick the generated reason always and the category one half the time: few classes. */
  let alike: Batch;
  beforeAll(async () => {
    t = await createTestApp();
    batch = await createOpenBatch(t.db, { name: 'kept', questions: 10, raters: 30, seed: 9, completionCode: 'KEPT01' }, 200);
    await simulateRaters(t.db, batch, 30, { generated: 0.7, category: 0.5, category_topic: 0.4, control: 0.2, control_topic: 0.2, other: 0.1 }, createRng(9));
    // 50 raters in at most three classes (0, 1 or 2 category ticks): one holds 17 or more, whatever the draws.
    alike = await createOpenBatch(t.db, { name: 'alike', questions: 2, raters: 50, seed: 8, completionCode: 'ALIKE1' }, 200);
    await simulateRaters(t.db, alike, 50, { generated: 1, category: 0.5, category_topic: 0, control: 0, control_topic: 0, other: 0 }, createRng(8));
  });
  afterAll(async () => {
    await t?.drop();
  });

  const query = (seed: number, by: MetricsQuery['by'] = null, of = batch): MetricsQuery => ({ batches: [of], by, seed, rounds: 200, includePartial: false });

  /** The same figures computed here, in this thread, from one snapshot. */
  /** The resolved query that readMetricsInputs and startMetricsInputs take (query()'s settings). */
  const resolved = (seed: number, by: MetricsQuery['by'] = null, of = batch) => ({ batches: [of], by, seed, options: { rounds: 200, level: 0.95 }, includePartial: false, mode: 'applied' as const });
  async function computedHere(seed: number, by: MetricsQuery['by'] = null, of = batch) {
    const q = resolved(seed, by, of);
    const inputs = await readSnapshot(t.db.sql, async (tx) => {
      const pending = await readMetricsInputs(tx, q);
      return { ...pending, slices: await pending.slices };
    });
    return {
      overall: drain(mergedSteps(inputs.overallRows, overallStream(seed), q.options)),
      slices: sliceSteps(inputs.slices, q).map(([key, steps]) => ({ key, metrics: drain(steps) })),
    };
  }

  it('gives the figures computed in the server thread, overall and by topic', async () => {
    const figures = await computeBatchMetrics(t.db.sql, query(1, 'topic'));
    const here = await computedHere(1, 'topic');
    expect(figures.overall).toEqual(here.overall);
    expect(figures.slices).toEqual(here.slices);
    expect(figures.slices.length).toBeGreaterThan(1);
  });

  it('counts the raters as classes in SQL when the bootstrap draws by class, with the same figures', async () => {
    // What the worker reads, with its two connections: classes for the alike raters (a class of
    // 16 or more), rows for the varied ones.
    const { sql, close } = openWorkerConnection(t.db.sql.connectionString!, 'test', 2);
    try {
      const read = (of: Batch) =>
        readSharedSnapshot(sql, async (first, second) => {
          const inputs = startMetricsInputs(first, resolved(1, 'topic', of), second);
          await inputs.slices;
          return inputs.totals;
        });
      const classes = (await read(alike)).overallClasses;
      expect(classes?.reduce((n, c) => n + c.size, 0)).toBe(50);
      expect(Math.max(...classes!.map((c) => c.size))).toBeGreaterThanOrEqual(16);
      expect((await read(batch)).overallClasses).toBeUndefined();
    } finally {
      await close();
    }
    for (const by of [null, 'topic'] as const) {
      const figures = await computeBatchMetrics(t.db.sql, query(11, by, alike));
      const here = await computedHere(11, by, alike);
      expect(figures.overall).toEqual(here.overall);
      expect(figures.slices).toEqual(here.slices);
      expect(figures.overall.n).toEqual({ answers: 100, raters: 50 });
    }
  });

  it('answers the next computation after one that failed (a database that does not exist)', async () => {
    const missing = new URL(t.db.sql.connectionString!);
    missing.pathname = '/prefbasis_no_such_database';
    await expect(computeBatchMetrics({ ...t.db.sql, connectionString: missing.toString() }, query(2))).rejects.toMatchObject({ code: '3D000' });
    const figures = await computeBatchMetrics(t.db.sql, query(3));
    expect(figures.overall).toEqual((await computedHere(3)).overall);
  });

  it('computes two at once, each its own figures, and again with the workers kept', async () => {
    for (const seeds of [[4, 5], [6, 7]]) {
      const [a, b] = await Promise.all(seeds.map((seed) => computeBatchMetrics(t.db.sql, query(seed))));
      expect(a!.overall).toEqual((await computedHere(seeds[0]!)).overall);
      expect(b!.overall).toEqual((await computedHere(seeds[1]!)).overall);
      // Two seeds give two sets of intervals (so the checks above can tell crossed answers apart).
      // Not R1's alone: 30 raters × 10 answers put R1 on a grid of 1/300, where two seeds'
      // percentiles matched in one CI run (0.62-0.6967 both).
      expect(a!.overall).not.toEqual(b!.overall);
    }
  });
});
