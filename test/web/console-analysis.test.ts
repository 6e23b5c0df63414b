// The console's analysis pages (issue 14): agreement, position bias and convergence with their
// charts, the batch page's live convergence and agreement plan, and a dataset's pElo ranking.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import type { Batch } from '../../src/db/batches.js';
import { makeAccount, signIn, type ConsoleSession } from '../helpers/console.js';
import { createOpenBatch } from '../helpers/rater.js';
import { simulateRaters } from '../helpers/simulate.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let researcher: ConsoleSession;
let batch: Batch;
beforeAll(async () => {
  t = await createTestApp();
  batch = await createOpenBatch(t.db, { raters: 12, ratingsPerTask: 2, preferredSide: 'random' }, 300);
  await simulateRaters(t.db, batch, 12, { generated: 0.7, category: 0.4, category_topic: 0.4, control: 0.15, control_topic: 0.15, other: 0.05 }, createRng(8));
  await makeAccount(t.db.prisma, 'researcher@example.org', 'researcher');
  researcher = await signIn(t.app, 'researcher@example.org');
});
afterAll(async () => {
  await t?.drop();
});

/** Rows (header included) of the table with this id. */
const tableRows = (html: string, id: string) => new RegExp(`<table id="${id}"[^>]*>([\\s\\S]*?)</table>`).exec(html)?.[1]?.match(/<tr/g)?.length ?? 0;

describe('batch analysis page', () => {
  it('shows agreement, position bias and convergence with their charts, exclusions stated', async () => {
    const page = await researcher.agent.get(`/console/batches/${batch.id}/analysis`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Exclusions applied');
    expect(page.text).toMatch(/\d+ of \d+ rated tasks have two or more ratings/);
    expect(tableRows(page.text, 'agreement-table')).toBe(1 + 3 + 6);
    expect(tableRows(page.text, 'position-bias-table')).toBe(1 + 1 + 5);
    expect(tableRows(page.text, 'position-bias-sides')).toBe(1 + 6);
    expect(tableRows(page.text, 'convergence')).toBe(1 + 4);
    for (const chart of ['agreement', 'position-bias', 'convergence']) {
      expect(page.text).toContain(`/console/batches/${batch.id}/charts/${chart}.svg`);
      const svg = await researcher.agent.get(`/console/batches/${batch.id}/charts/${chart}.svg?exclusions=none`).buffer(true);
      expect(svg.status).toBe(200);
      expect(svg.headers['content-type']).toContain('image/svg+xml');
      expect(String(svg.body)).toContain('no exclusions applied');
    }
    const byTopic = await researcher.agent.get(`/console/batches/${batch.id}/analysis?by=topic&width=0.2`);
    expect(tableRows(byTopic.text, 'agreement-slices')).toBeGreaterThan(2);
    expect(byTopic.text).toContain('Raters needed for 0.2');
  });

  it('puts the agreement plan and a live convergence table on the batch page', async () => {
    const page = await researcher.agent.get(`/console/batches/${batch.id}`);
    expect(page.text).toMatch(/\d+ of \d+ tasks will be rated twice or more/);
    expect(page.text).toContain(`data-url="/console/batches/${batch.id}/convergence.json`);
    // The Project form's width is used, shown back and polled with.
    const projected = (await researcher.agent.get(`/console/batches/${batch.id}?width=2`)).text;
    expect(projected).toContain('Raters needed for 2');
    expect(projected).toContain(`convergence.json?exclusions=applied&amp;width=2`);
    const live = await researcher.agent.get(`/console/batches/${batch.id}/convergence.json?width=0.5`);
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ raters: 12, targetWidth: 0.5 });
    expect(live.body.ratios).toHaveLength(4);
  });

  it('is behind sign-in', async () => {
    const res = await request(t.app).get(`/console/batches/${batch.id}/analysis`);
    expect(res.status).toBe(303);
  });
});

describe('results page explains itself', () => {
  it('says what each figure means, links the metrics guide, offers a log scale, and warns below 10 raters', async () => {
    const page = (await researcher.agent.get(`/console/batches/${batch.id}/results`)).text;
    expect(page).toContain('What the figures mean');
    expect(page).toContain('share of answers that ticked the generated reason');
    expect(page).toContain('how many times more often the generated reason is ticked than a control reason');
    expect(page).toContain('href="/console/docs/metrics"');
    expect(page).toContain('(240 answers, 12 raters)');
    // Twelve raters overall: no warning there (a topic's slice with fewer raters gets one).
    const overall = page.indexOf('<caption>All answers');
    expect(page.slice(page.indexOf('<h1>'), overall)).not.toContain('not meaningful yet');
    const guide = await researcher.agent.get('/console/docs/metrics');
    expect(guide.status).toBe(200);
    expect(guide.text).toContain('<h1>PrefBasis metrics</h1>');
    expect((await researcher.agent.get('/console/docs/secrets')).status).toBe(400);
    const log = await researcher.agent.get(`/console/batches/${batch.id}/charts/ratios.svg?scale=log`).buffer(true);
    expect(String(log.body)).toContain('log scale');
    expect(page).toContain('scale=log');

    const small = await createOpenBatch(t.db, { raters: 3 }, 200);
    await simulateRaters(t.db, small, 1, { generated: 0.7, category: 0.4, category_topic: 0.4, control: 0.15, control_topic: 0.15, other: 0.05 }, createRng(9));
    const few = (await researcher.agent.get(`/console/batches/${small.id}/results`)).text;
    expect(few).toContain('Only 1 rater here: the intervals below are not meaningful yet');
    expect(few).toContain('(20 answers, 1 rater)');
  });
});

describe('dataset pElo page', () => {
  it('ranks the models per preference, anchors where asked, and draws a forest plot', async () => {
    const page = await researcher.agent.get(`/console/datasets/${batch.datasetId}/elo`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<a href="[^"]*">Overall<\/a>/);
    expect(tableRows(page.text, 'elo-ranking')).toBeGreaterThan(5);
    expect(tableRows(page.text, 'elo-detail')).toBeGreaterThan(4);
    const anchored = await researcher.agent.get(`/console/datasets/${batch.datasetId}/elo?anchor=palm-2&category=Clarity`);
    expect(anchored.text).toMatch(/<td>palm-2<\/td><td class="num">1000\.0<\/td>/);
    const svg = await researcher.agent.get(`/console/datasets/${batch.datasetId}/elo/forest.svg?category=Clarity`).buffer(true);
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect(String(svg.body)).toContain('pElo · Clarity');
    const unknown = await researcher.agent.get(`/console/datasets/${batch.datasetId}/elo?anchor=nobody`);
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('its models are');
  });
});
