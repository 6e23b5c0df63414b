// Analyses over the API (issue 14): agreement, position bias, convergence and pElo, each checked
// against the core computed on data read here another way (Prisma rows, the dataset file itself).
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeAgreement } from '../../src/core/agreement.js';
import { computeElo, defaultAnchor } from '../../src/core/elo.js';
import { createRng, deriveRng } from '../../src/core/rng.js';
import { generateSyntheticDataset, toJsonl } from '../../src/core/synthetic-dataset.js';
import type { Batch } from '../../src/db/batches.js';
import { createOpenBatch } from '../helpers/rater.js';
import { simulateRaters } from '../helpers/simulate.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const ATTENTIVE = { generated: 0.7, category: 0.45, category_topic: 0.5, control: 0.12, control_topic: 0.15, other: 0.08 };
const TICK_EVERYTHING = { generated: 1, category: 1, category_topic: 1, control: 1, control_topic: 1, other: 1 };
const lines = generateSyntheticDataset(600, createRng('analysis'));

let t: TestApp;
let batch: Batch;
beforeAll(async () => {
  t = await createTestApp();
  batch = await createOpenBatch(t.db, { raters: 36, ratingsPerTask: 2, preferredSide: 'random' }, toJsonl(lines));
  await simulateRaters(t.db, batch, 30, ATTENTIVE, createRng(31));
  await simulateRaters(t.db, batch, 6, TICK_EVERYTHING, createRng(32), { checks: 'fail' });
});
afterAll(async () => {
  await t?.drop();
});

const get = async (path: string) => {
  const res = await request(t.app).get(path).set(t.auth);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res;
};

/** The counted raters' answers read through Prisma: finished, not failing two checks. */
async function countedAnswers(withExcluded = false) {
  const answers = await t.db.prisma.answer.findMany({
    where: { participant: { batchId: batch.id, completedAt: { not: null } } },
    select: { taskId: true, participantId: true, selectedKinds: true, participant: { select: { attentionChecks: { select: { passed: true } } } } },
  });
  return answers.filter((a) => withExcluded || a.participant.attentionChecks.filter((c) => c.passed === false).length < 2);
}

describe('agreement', () => {
  it('counts only tasks rated twice and agrees with the core on the answers read another way', async () => {
    const { body } = await get(`/api/v1/batches/${batch.id}/agreement?rounds=200`);
    const byTask = new Map<string, number[]>();
    for (const a of await countedAnswers()) byTask.set(a.taskId, [...(byTask.get(a.taskId) ?? []), a.selectedKinds]);
    const expected = computeAgreement([...byTask].map(([taskId, selections]) => ({ taskId, selections })), deriveRng(batch.seed, 'agreement'), { rounds: 200, level: 0.95 });
    expect(body.exclusions).toMatchObject({ mode: 'applied', excludedRaters: 6 });
    expect(body.overall.tasks).toEqual(expected.tasks);
    expect(body.overall.tasks.counted).toBeGreaterThan(100);
    expect(body.overall.alphaMasi.estimate).toBeCloseTo(expected.alphaMasi.estimate!, 12);
    expect(body.overall.pairAgreement.estimate).toBeCloseTo(expected.pairAgreement.estimate!, 12);
    // Raters ticking independently: α near 0, and its interval says so.
    expect(body.overall.alphaMasi.ci.low).toBeLessThan(0.1);
    expect(body.overall.alphaByKind.generated.estimate).toBeLessThan(0.2);
  });

  it('counts everyone with exclusions=none and splits by topic', async () => {
    const none = (await get(`/api/v1/batches/${batch.id}/agreement?rounds=100&exclusions=none`)).body;
    expect(none.overall.ratings).toBe((await countedAnswers(true)).filter((a, _, all) => all.filter((b) => b.taskId === a.taskId).length >= 2).length);
    // Six raters who tick everything agree with each other perfectly: agreement rises.
    expect(none.overall.pairAgreement.estimate).toBeGreaterThan(0);
    const byTopic = (await get(`/api/v1/batches/${batch.id}/agreement?rounds=100&by=topic`)).body;
    expect(byTopic.slices.length).toBeGreaterThan(1);
    expect(byTopic.slices.reduce((s: number, x: { agreement: { tasks: { counted: number } } }) => s + x.agreement.tasks.counted, 0)).toBe(byTopic.overall.tasks.counted);
  });

  it('downloads a long CSV with one figure per row', async () => {
    const res = await get(`/api/v1/batches/${batch.id}/agreement?rounds=100&format=csv`);
    expect(res.headers['content-type']).toContain('text/csv');
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.figure)).toEqual(['alpha_masi', 'alpha_jaccard', 'pair_agreement', 'alpha_generated', 'alpha_category', 'alpha_category_topic', 'alpha_control', 'alpha_control_topic', 'alpha_other']);
    expect(rows[0]).toMatchObject({ slice_by: 'overall', exclusions: 'applied' });
  });
});

describe('position bias', () => {
  it('counts five slotted options per answer and every tick but "other"', async () => {
    const { body } = await get(`/api/v1/batches/${batch.id}/position-bias?rounds=100`);
    const answers = await countedAnswers();
    expect(body.raters).toBe(30);
    expect(body.bySlot.map((s: { shown: number }) => s.shown)).toEqual([1, 2, 3, 4, 5].map(() => answers.length));
    const ticks = answers.reduce((s, a) => s + [0, 1, 2, 3, 4].filter((k) => (a.selectedKinds >> k) & 1).length, 0);
    expect(body.bySlot.reduce((s: number, x: { selected: number }) => s + x.selected, 0)).toBe(ticks);
    // Simulated raters ignore the slot: no evidence of a bias.
    expect(body.equalRates.pValue).toBeGreaterThan(0.001);
    // The batch shows the preferred response on a random side: both sides are compared.
    expect(body.preferredSide).toBe('random');
    expect(body.bySide.map((s: { kind: string }) => s.kind)).toEqual(['all', 'generated', 'category', 'category_topic', 'control', 'control_topic']);
    const csv = parse((await get(`/api/v1/batches/${batch.id}/position-bias?rounds=100&format=csv`)).text, { columns: true }) as Record<string, string>[];
    expect(csv.filter((r) => r.table === 'equal_rates_test')).toHaveLength(6);
    const difference = csv.find((r) => r.table === 'by_side' && r.kind === 'generated' && r.preferred_side === 'first_minus_second')!;
    const generated = body.bySide.find((s: { kind: string }) => s.kind === 'generated');
    expect(Number(difference.rate)).toBeCloseTo(generated.difference.estimate, 12);
    expect(Number(difference.ci_low)).toBeCloseTo(generated.difference.ci.low, 12);
  });
});

describe('convergence', () => {
  it('follows the counted raters in the order they finished and projects a target width', async () => {
    const { body } = await get(`/api/v1/batches/${batch.id}/convergence?width=0.5&rounds=100`);
    expect(body.raters).toBe(30);
    expect(body.targetWidth).toBe(0.5);
    for (const r of body.ratios) {
      expect(r.points.at(-1).raters).toBe(30);
      expect(r.points.map((p: { raters: number }) => p.raters)).toEqual([...r.points.map((p: { raters: number }) => p.raters)].sort((a, b) => a - b));
    }
    const gen = body.ratios.find((r: { ratio: string }) => r.ratio === 'generated_vs_control');
    expect(gen.projectedRaters).toBeGreaterThan(0);
    // "Width now" is the results' own interval (same raters, stream and rounds).
    const metrics = (await get(`/api/v1/batches/${batch.id}/metrics`)).body;
    const ci = metrics.overall.ratios.generated_vs_control.ci;
    expect(gen.width).toBeCloseTo(ci.high - ci.low, 12);
    for (const width of ['-1', '1e-300', 'abc']) {
      const bad = await request(t.app).get(`/api/v1/batches/${batch.id}/convergence?width=${width}`).set(t.auth);
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('query.width');
    }
  });
});

describe('pElo', () => {
  it('rates the dataset\'s battles as the core does on the file itself, anchored on the model with most battles', async () => {
    const { body } = await get(`/api/v1/datasets/${batch.datasetId}/elo?rounds=100&category=Clarity`);
    const battles = lines.map((l) => ({ modelA: l.model_a, modelB: l.model_b, winner: l.winner, categories: l.preferences.map((p) => p.category) }));
    const anchor = defaultAnchor(battles)!;
    expect(body.anchor).toBe(anchor);
    expect(body.subsets.map((s: { category: string | null }) => s.category)).toEqual([null, 'Clarity']);
    const overall = computeElo(battles, anchor, deriveRng(1, 'elo:overall'), { rounds: 100, level: 0.95, minBattles: 20 });
    expect(body.subsets[0].ranked).toEqual(overall.ranked);
    const clarity = computeElo(battles.filter((b) => b.categories.includes('Clarity')), anchor, deriveRng(1, 'elo:category:clarity'), { rounds: 100, level: 0.95, minBattles: 20 });
    expect(body.subsets[1].ranked).toEqual(clarity.ranked);
  });

  it('re-anchors on request and says which models and categories exist when asked for another', async () => {
    const { body } = await get(`/api/v1/datasets/${batch.datasetId}/elo?rounds=100&anchor=palm-2&category=Clarity`);
    expect(body.subsets[0].ranked.find((m: { model: string }) => m.model === 'palm-2').rating).toBe(1000);
    const anchor = await request(t.app).get(`/api/v1/datasets/${batch.datasetId}/elo?anchor=gpt-5`).set(t.auth);
    expect(anchor.status).toBe(400);
    expect(anchor.body.error.message).toMatch(/query\.anchor: "gpt-5" is not in this dataset; its models are: .*gpt-4/);
    const category = await request(t.app).get(`/api/v1/datasets/${batch.datasetId}/elo?category=Nope`).set(t.auth);
    expect(category.status).toBe(400);
    expect(category.body.error.message).toContain('its categories are: ');
    const csv = parse((await get(`/api/v1/datasets/${batch.datasetId}/elo?rounds=100&category=Clarity&format=csv`)).text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(csv[0]!)).toEqual(['subset', 'model', 'battles', 'rating', 'rating_low', 'rating_high', 'rank', 'rank_low', 'rank_high', 'status', 'bound', 'anchor', 'bootstrap_rounds', 'seed']);
    expect(new Set(csv.map((r) => r.subset))).toEqual(new Set(['overall', 'Clarity']));
  });

  it('needs a token like every API route', async () => {
    expect((await request(t.app).get(`/api/v1/datasets/${batch.datasetId}/elo`)).status).toBe(401);
    expect((await request(t.app).get(`/api/v1/batches/${batch.id}/agreement`)).status).toBe(401);
  });
});
