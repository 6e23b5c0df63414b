import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeSlicedMetrics, type SliceableAnswer } from '../../src/core/metric-slices.js';
import type { OptionKind } from '../../src/core/option-kinds.js';
import { createRng } from '../../src/core/rng.js';
import { changeBatchStatus, createBatchFromDataset, type Batch } from '../../src/db/batches.js';
import { toJsonlText } from '../helpers/datasets.js';
import { createOpenBatch } from '../helpers/rater.js';
import { simulateRaters } from '../helpers/simulate.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { TEST_ACTOR } from '../helpers/actor.js';

const P = { generated: 0.75, category: 0.45, category_topic: 0.5, control: 0.12, control_topic: 0.15, other: 0.08 };
let t: TestApp;
let batch: Batch;

/** Phrases with commas, quotes and newlines: the CSV must carry them intact. */
function awkwardDataset(): string {
  const topics = ['Health', 'Sports, and "Games"'];
  const categories = ['Clarity', 'Accuracy', 'Humor', 'Concise'];
  return toJsonlText(
    Array.from({ length: 120 }, (_, i) => ({
      id: `aw-${i}`,
      prompt: `Prompt ${i}`,
      response_a: 'A',
      response_b: 'B',
      winner: i % 2 ? 'model_a' : 'model_b',
      topic_category: topics[i % 2],
      preferences: [0, 1].map((k) => ({
        category: categories[(i + k) % 4],
        granular: [`says "hi", then\nwaves ${i}-${k}`, `plain, short ${i}-${k}\r\nline`],
      })),
    })),
  );
}

beforeAll(async () => {
  t = await createTestApp();
  batch = await createOpenBatch(t.db, { name: 'results', questions: 20, raters: 40, seed: 5, completionCode: 'DONE1' }, awkwardDataset());
  const rng = createRng(11);
  await simulateRaters(t.db, batch, 30, P, rng);
  // Two raters stop half way: their 20 answers count only with includePartial.
  await simulateRaters(t.db, batch, 2, P, rng, { answers: 10 });
}, 300_000);
afterAll(async () => {
  await t?.drop();
});

describe('GET /api/v1/batches/:id/metrics', () => {
  it('counts completed sessions only, unless asked to include partial ones', async () => {
    const res = await request(t.app).get(`/api/v1/batches/${batch.id}/metrics`).set(t.auth);
    expect(res.status).toBe(200);
    expect(res.body.overall.n).toEqual({ answers: 600, raters: 30 });
    const partial = await request(t.app).get(`/api/v1/batches/${batch.id}/metrics?includePartial=true`).set(t.auth);
    expect(partial.body.overall.n).toEqual({ answers: 620, raters: 32 });
  });

  it('gives every rate and ratio with an interval around it, the generated option well above control', async () => {
    const res = await request(t.app).get(`/api/v1/batches/${batch.id}/metrics`).set(t.auth);
    const { rates, ratios } = res.body.overall;
    expect(rates.R1.estimate).toBeGreaterThan(0.65);
    expect(rates.R1.estimate).toBeLessThan(0.85);
    for (const f of [...Object.values(rates), ...Object.values(ratios)] as { estimate: number; ci: { low: number; high: number } }[]) {
      expect(f.ci.low).toBeLessThanOrEqual(f.estimate);
      expect(f.ci.high).toBeGreaterThanOrEqual(f.estimate);
    }
    expect(ratios.generated_vs_control.ci.low).toBeGreaterThan(1);
  });

  it('slices by topic, by sampled category and by evaluator', async () => {
    for (const by of ['topic', 'category', 'evaluator']) {
      const res = await request(t.app).get(`/api/v1/batches/${batch.id}/metrics?by=${by}&rounds=200`).set(t.auth);
      expect(res.status).toBe(200);
      const total = res.body.slices.reduce((n: number, s: { metrics: { n: { answers: number } } }) => n + s.metrics.n.answers, 0);
      expect(total).toBe(600);
    }
    const topics = await request(t.app).get(`/api/v1/batches/${batch.id}/metrics?by=topic&rounds=200`).set(t.auth);
    expect(topics.body.slices.map((s: { key: string }) => s.key).sort()).toEqual(['Health', 'Sports, and "Games"']);
    const evaluators = await request(t.app).get(`/api/v1/batches/${batch.id}/metrics?by=evaluator&rounds=200`).set(t.auth);
    expect(evaluators.body.slices.map((s: { key: string }) => s.key)).toEqual(['human']);
  });

  it('gives the same numbers for the same seed and different ones for another', async () => {
    const a = await request(t.app).get(`/api/v1/batches/${batch.id}/metrics?seed=3`).set(t.auth);
    const b = await request(t.app).get(`/api/v1/batches/${batch.id}/metrics?seed=3`).set(t.auth);
    const c = await request(t.app).get(`/api/v1/batches/${batch.id}/metrics?seed=4`).set(t.auth);
    expect(a.body).toEqual(b.body);
    // Intervals are percentiles of discrete values, so one figure may coincide; all of them will not.
    expect(c.body.overall).not.toEqual(a.body.overall);
    expect(c.body.overall.rates.R1.estimate).toBe(a.body.overall.rates.R1.estimate);
  });

  it('computes metrics across batches', async () => {
    const res = await request(t.app).get(`/api/v1/metrics?batches=${batch.id},${batch.id}&by=batch&rounds=200`).set(t.auth);
    expect(res.status).toBe(200);
    expect(res.body.slices.map((s: { key: string }) => s.key)).toEqual([batch.id]);
  });

  it('answers 400 for an unknown slice', async () => {
    const res = await request(t.app).get(`/api/v1/batches/${batch.id}/metrics?by=colour`).set(t.auth);
    expect(res.status).toBe(400);
  });
});

describe('exports', () => {
  let csvRows: Record<string, string>[];
  beforeAll(async () => {
    const res = await request(t.app).get(`/api/v1/batches/${batch.id}/answers?format=csv`).set(t.auth).buffer(true).parse((r, done) => {
      let body = '';
      r.on('data', (c: Buffer) => (body += c.toString()));
      r.on('end', () => done(null, body));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    csvRows = parse(res.body as string, { columns: true });
  });

  it('exports one CSV row per answered question, partial sessions included and marked', () => {
    expect(csvRows).toHaveLength(620);
    expect(csvRows.filter((r) => r.participant_status === 'completed')).toHaveLength(600);
    expect(new Set(csvRows.map((r) => r.category_draw))).toEqual(new Set(['uniform']));
  });

  it('keeps commas, quotes and newlines in phrases intact (RFC 4180)', async () => {
    const texts = new Set(csvRows.flatMap((r) => [1, 2, 3, 4, 5, 6].map((i) => r[`option_${i}_text`] as string)));
    const stored = new Set((await t.db.prisma.taskOption.findMany({ where: { task: { batchId: batch.id } }, select: { text: true } })).map((o) => o.text));
    for (const text of texts) expect(stored.has(text)).toBe(true);
    expect([...texts].some((x) => x.includes('"hi",') && x.includes('\n'))).toBe(true);
    expect([...texts].some((x) => x.includes('\r\n'))).toBe(true);
  });

  it('lets a researcher recompute the API metrics exactly from the CSV', async () => {
    const answers: SliceableAnswer[] = csvRows
      .filter((r) => r.participant_status === 'completed')
      .map((r) => ({
        raterId: r.participant_id as string,
        selectedKinds: (r.selected_kinds as string).split(' ') as OptionKind[],
        batchId: r.batch_id as string,
        topicCategory: r.topic_category as string,
        sampledCategory: r.sampled_category as string,
        evaluator: r.evaluator as string,
      }));
    for (const by of [null, 'topic', 'category'] as const) {
      const api = await request(t.app).get(`/api/v1/batches/${batch.id}/metrics${by ? `?by=${by}` : ''}`).set(t.auth);
      const recomputed = JSON.parse(JSON.stringify(computeSlicedMetrics(answers, by, batch.seed)));
      expect({ by: api.body.by, seed: api.body.seed, overall: api.body.overall, slices: api.body.slices }).toEqual(recomputed);
    }
  });

  it('exports the same answers as JSON Lines', async () => {
    const res = await request(t.app).get(`/api/v1/batches/${batch.id}/answers?format=jsonl`).set(t.auth).buffer(true).parse((r, done) => {
      let body = '';
      r.on('data', (c: Buffer) => (body += c.toString()));
      r.on('end', () => done(null, body));
    });
    const lines = (res.body as string).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(620);
    expect(lines[0].options).toHaveLength(6);
    expect(lines[0].options[5].kind).toBe('other');
    expect(lines.map((l) => l.taskId)).toEqual(csvRows.map((r) => r.task_id));
  });

  it('exports tasks and metrics as CSV', async () => {
    const tasks = await request(t.app).get(`/api/v1/batches/${batch.id}/tasks?format=csv`).set(t.auth).buffer(true);
    const taskRows = parse(tasks.text, { columns: true });
    expect(taskRows.length).toBe(await t.db.prisma.task.count({ where: { batchId: batch.id } }));
    const metrics = await request(t.app).get(`/api/v1/batches/${batch.id}/metrics?format=csv&by=topic`).set(t.auth).buffer(true);
    const metricRows = parse(metrics.text, { columns: true });
    expect(metricRows).toHaveLength(3 * 10);
    expect(metricRows[0]).toMatchObject({ slice_by: 'overall', slice: 'all', figure: 'R1' });
  });

  it('exports the side each question showed the preferred response on, as the rater saw it', async () => {
    const created = await createBatchFromDataset(t.db.prisma, { dataset: batch.datasetId, name: 'random sides', questions: 20, raters: 4, seed: 6, completionCode: 'DONE1', ratingsPerTask: null, preferredSide: 'random' }, TEST_ACTOR);
    if (!created.ok) throw new Error(created.reason);
    const opened = await changeBatchStatus(t.db.prisma, created.batch, 'open', new Date(), TEST_ACTOR);
    if (!opened.ok) throw new Error('open failed');
    await simulateRaters(t.db, opened.batch, 2, P, createRng(12));
    const res = await request(t.app).get(`/api/v1/batches/${opened.batch.id}/answers?format=csv`).set(t.auth).buffer(true);
    const rows: Record<string, string>[] = parse(res.text, { columns: true });
    const assignments = await t.db.prisma.assignment.findMany({ where: { participant: { batchId: opened.batch.id } } });
    const sideOf = new Map(assignments.map((a) => [`${a.participantId}:${a.position}`, String(a.preferredFirst)]));
    expect(rows).toHaveLength(40);
    for (const r of rows) expect(r.preferred_shown_first).toBe(sideOf.get(`${r.participant_id}:${Number(r.question_number) - 1}`));
    expect(new Set(rows.map((r) => r.preferred_shown_first))).toEqual(new Set(['true', 'false']));
  });

  it('exports the times of every answer as the database holds them, to the millisecond', async () => {
    const res = await request(t.app).get(`/api/v1/batches/${batch.id}/answers?format=csv`).set(t.auth).buffer(true);
    const rows: Record<string, string>[] = parse(res.text, { columns: true });
    const answers = await t.db.prisma.answer.findMany({ where: { participant: { batchId: batch.id } }, include: { participant: { select: { completedAt: true } } } });
    const byKey = new Map(answers.map((a) => [`${a.participantId}:${a.position + 1}`, a]));
    expect(rows).toHaveLength(answers.length);
    for (const r of rows) {
      const a = byKey.get(`${r.participant_id}:${r.question_number}`);
      expect([r.shown_at, r.answered_at, Number(r.seconds_spent), r.completed_at]).toEqual([
        a?.shownAt.toISOString(), a?.answeredAt.toISOString(), ((a?.answeredAt.getTime() ?? 0) - (a?.shownAt.getTime() ?? 0)) / 1000, a?.participant.completedAt?.toISOString() ?? '',
      ]);
    }
  });

  it('refuses exports without a token', async () => {
    expect((await request(t.app).get(`/api/v1/batches/${batch.id}/answers`)).status).toBe(401);
  });
});
