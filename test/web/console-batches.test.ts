// The console's batch pages: the create form's category draw and the batch's category table.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { generateSyntheticDataset, toJsonl } from '../../src/core/synthetic-dataset.js';
import { csrfFrom, makeAccount, signIn, type ConsoleSession } from '../helpers/console.js';
import { createOpenBatch, Rater } from '../helpers/rater.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let admin: ConsoleSession;
beforeAll(async () => {
  t = await createTestApp();
  const res = await request(t.app).post('/api/v1/datasets?name=synthetic').set(t.auth).type('text/plain').send(toJsonl(generateSyntheticDataset(200, createRng(3))));
  expect(res.status).toBe(201);
  await makeAccount(t.db.prisma, 'admin@example.org', 'admin');
  admin = await signIn(t.app, 'admin@example.org');
});
afterAll(async () => {
  await t?.drop();
});

const form = { dataset: 'synthetic', questions: '20', raters: '5', seed: '9', completionCode: 'ABC123', ratingsPerTask: '', preferredSide: 'first' };

describe('console batch creation', () => {
  it("creates a batch with the 'usable' category draw and shows each category's share of tasks next to the dataset", async () => {
    const token = await admin.csrf();
    const created = await admin.agent.post('/console/batches').type('form').send({ ...form, _csrf: token, name: 'usable', categoryDraw: 'usable' });
    expect(created.status).toBe(303);
    const page = await admin.agent.get(created.headers.location as string);
    expect(page.status).toBe(200);
    expect(page.text).toContain('category draw usable');
    const table = /<table id="categories">([\s\S]*?)<\/table>/.exec(page.text)?.[1] ?? '';
    expect((table.match(/<tr/g) ?? []).length).toBeGreaterThan(5);
    expect(table).toMatch(/<td class="num">\d+\.\d %<\/td>/);
  });

  it('offers the draw on the form and keeps what was typed when the draw is not one it knows', async () => {
    expect((await admin.agent.get('/console/batches/new')).text).toContain('name="categoryDraw"');
    const token = await admin.csrf();
    const res = await admin.agent.post('/console/batches').type('form').send({ ...form, _csrf: token, name: 'bad draw', categoryDraw: 'sideways' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('must be uniform (SPEC 2, the default) or usable');
    expect(res.text).toContain('value="bad draw"');
  });
});

describe('console batch lifecycle', () => {
  const buttons = (html: string) => [...html.matchAll(/name="action" value="(\w+)"/g)].map((m) => m[1]);

  it('asks before closing, saying how many raters are mid-session, and then offers no more transitions', async () => {
    const batch = await createOpenBatch(t.db, { raters: 3 }, 120);
    await new Rater(t.app, batch).consentAndStart();
    expect(buttons((await admin.agent.get(`/console/batches/${batch.id}`)).text)).toEqual(['pause', 'close']);

    const token = await admin.csrf();
    const ask = await admin.agent.post(`/console/batches/${batch.id}/status`).type('form').send({ _csrf: token, action: 'close' });
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('1 rater is in the middle of a session');
    expect((await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } })).status).toBe('open');

    const confirmed = await admin.agent.post(`/console/batches/${batch.id}/status`).type('form').send({ _csrf: csrfFrom(ask.text), action: 'close', confirm: 'yes' });
    expect(confirmed.status).toBe(303);
    expect((await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } })).status).toBe('closed');
    const page = (await admin.agent.get(`/console/batches/${batch.id}`)).text;
    expect(buttons(page)).toEqual([]);
    expect(page).toContain('This batch is closed');
  });
});

