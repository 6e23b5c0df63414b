// Nothing a researcher asks for freezes the raters' pages (issue 10.2): while metrics, charts and
// an export of a 100,000-answer batch run in this process, the event loop is never held for long.
// Runs alone (vitest.event-loop.config.ts), after the other tests, so their load does not count.
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { generateSyntheticDataset, toJsonl } from '../../src/core/synthetic-dataset.js';
import type { Batch } from '../../src/db/batches.js';
import { seedFinishedRaters } from '../../scripts/bench/lib/seed-answers.js';
import { serve, type Served } from '../helpers/browser.js';
import { makeAccount, signIn } from '../helpers/console.js';
import { createOpenBatch } from '../helpers/rater.js';
import { serverUrl } from '../helpers/test-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const RATERS = 5_000;

// The embedded database runs inside this process by design (WebAssembly): only PostgreSQL says
// anything about the server's own event loop.
describe.skipIf(!serverUrl)('the event loop while results are computed (PostgreSQL)', () => {
  let t: TestApp;
  let batch: Batch;
  let served: Served;
  beforeAll(async () => {
    t = await createTestApp();
    served = await serve(t.app);
    batch = await createOpenBatch(t.db, { name: 'loop', questions: 20, raters: RATERS, seed: 3, completionCode: 'L00P1', ratingsPerTask: 40 }, 3_000);
    const client = new pg.Client({ connectionString: t.url ?? '' });
    await client.connect();
    await seedFinishedRaters(client, batch.id, RATERS);
    await client.end();
  }, 300_000);
  afterAll(async () => {
    await served?.close();
    await t?.drop();
  });

  /**
   * Downloads over a real socket, counting lines and keeping nothing: a researcher's client is
   * another process, so this one measures the server, not a client buffering 80 MB.
   */
  const downloadLines = (path: string) =>
    new Promise<{ status: number; lines: number }>((resolve, reject) => {
      const req = http.get(`${served.url}${path}`, { headers: t.auth }, (res) => {
        let lines = 0;
        res.on('data', (chunk: Buffer) => {
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, lines }));
        res.on('error', reject);
      });
      req.on('error', reject);
    });

  it('keeps p99 under 100 ms and the longest delay under 1 s through metrics by topic, the console page with its charts, and the answers export', async () => {
    await makeAccount(t.db.prisma, 'loop@example.org', 'researcher');
    const researcher = await signIn(t.app, 'loop@example.org');
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const metrics = await request(t.app).get(`/api/v1/batches/${batch.id}/metrics?by=topic&rounds=1000`).set(t.auth);
    const page = await researcher.agent.get(`/console/batches/${batch.id}/results`);
    const charts = await Promise.all(['ratios', 'r1'].map((c) => researcher.agent.get(`/console/batches/${batch.id}/charts/${c}.svg`)));
    const csv = await downloadLines(`/api/v1/batches/${batch.id}/answers?format=csv`);
    delay.disable();
    expect([metrics.status, page.status, ...charts.map((c) => c.status), csv.status]).toEqual([200, 200, 200, 200, 200]);
    expect(metrics.body.overall.n.answers).toBe(RATERS * 20);
    expect(csv.lines).toBe(RATERS * 20 + 1);
    const p99 = delay.percentile(99) / 1e6;
    const max = delay.max / 1e6;
    console.log(`event loop: p99 ${p99.toFixed(0)} ms, max ${max.toFixed(0)} ms`);
    expect(p99).toBeLessThan(100);
    expect(max).toBeLessThan(1000);
  }, 300_000);

  it('keeps p99 under 100 ms and the longest delay under 1 s through a dataset import, its summary and the tasks export', async () => {
    // 4,000 datapoints: 4.9 MB, under the test app's 5 MB upload limit.
    const text = toJsonl(generateSyntheticDataset(4_000, createRng(9)));
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const imported = await request(t.app).post('/api/v1/datasets?name=loop-import').set(t.auth).type('text/plain').send(text);
    const summary = await request(t.app).get('/api/v1/datasets/loop-import/summary').set(t.auth);
    const tasks = await downloadLines(`/api/v1/batches/${batch.id}/tasks?format=csv`);
    delay.disable();
    expect([imported.status, summary.status, tasks.status]).toEqual([201, 200, 200]);
    expect(summary.body.summary.datapoints).toBe(4_000);
    const p99 = delay.percentile(99) / 1e6;
    const max = delay.max / 1e6;
    console.log(`event loop (import, summary, tasks): p99 ${p99.toFixed(0)} ms, max ${max.toFixed(0)} ms`);
    expect(p99).toBeLessThan(100);
    expect(max).toBeLessThan(1000);
  }, 300_000);
});
