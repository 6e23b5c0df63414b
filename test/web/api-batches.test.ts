import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPTION_KINDS } from '../../src/core/option-kinds.js';
import { createRng } from '../../src/core/rng.js';
import { generateSyntheticDataset, toJsonl } from '../../src/core/synthetic-dataset.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  const res = await request(t.app)
    .post('/api/v1/datasets?name=synthetic')
    .set(t.auth)
    .type('text/plain')
    .send(toJsonl(generateSyntheticDataset(200, createRng(3))));
  expect(res.status).toBe(201);
});
afterAll(async () => {
  await t?.drop();
});

const settings = { dataset: 'synthetic', name: 'pilot', questions: 20, raters: 5, seed: 9, completionCode: 'ABC123' };

describe('batches API', () => {
  let batchId = '';

  it('creates a draft batch with frozen tasks and gives the participant URL', async () => {
    const res = await request(t.app).post('/api/v1/batches').set(t.auth).send(settings);
    expect(res.status).toBe(201);
    expect(res.body.batch).toMatchObject({ name: 'pilot', status: 'draft', questions: 20, raters: 5, seed: 9, preferredSide: 'first', ratingsPerTask: null });
    batchId = res.body.batch.id;
    expect(res.body.participantUrl).toMatch(new RegExp(`/s/${batchId}\\?PROLIFIC_PID=\\{\\{%PROLIFIC_PID%\\}\\}&STUDY_ID=\\{\\{%STUDY_ID%\\}\\}&SESSION_ID=\\{\\{%SESSION_ID%\\}\\}$`));
    expect(res.body.batch.generationReport.made).toBe(100);
  });

  it('returns the frozen tasks with their options {id, kind, text}', async () => {
    const res = await request(t.app).get(`/api/v1/batches/${batchId}/tasks`).set(t.auth);
    expect(res.status).toBe(200);
    expect(res.body.tasks).toHaveLength(100);
    for (const task of res.body.tasks) expect(task.options.map((o: { kind: string }) => o.kind)).toEqual([...OPTION_KINDS]);
  });

  it('keeps a batch\'s tasks when its dataset changes later', async () => {
    const before = await request(t.app).get(`/api/v1/batches/${batchId}/tasks`).set(t.auth);
    await t.db.prisma.$executeRaw`
      UPDATE datapoints SET preferences = (SELECT jsonb_agg(jsonb_set(p, '{granular}', '["changed"]')) FROM jsonb_array_elements(preferences) AS p)`;
    const after = await request(t.app).get(`/api/v1/batches/${batchId}/tasks`).set(t.auth);
    expect(after.body).toEqual(before.body);
  });

  it('opens and closes a batch, and refuses an impossible transition', async () => {
    expect((await request(t.app).post(`/api/v1/batches/${batchId}/close`).set(t.auth)).status).toBe(409);
    const opened = await request(t.app).post(`/api/v1/batches/${batchId}/open`).set(t.auth);
    expect(opened.body.batch.status).toBe('open');
    const closed = await request(t.app).post(`/api/v1/batches/${batchId}/close`).set(t.auth);
    expect(closed.body.batch.status).toBe('closed');
  });

  it('reports settings and progress counts', async () => {
    const res = await request(t.app).get(`/api/v1/batches/${batchId}`).set(t.auth);
    expect(res.status).toBe(200);
    expect(res.body.progress).toMatchObject({ tasks: 100, answers: 0, participants: { entered: 0 } });
  });

  it('names every invalid field, with 422 (the body parsed but does not validate)', async () => {
    const res = await request(t.app).post('/api/v1/batches').set(t.auth).send({ ...settings, name: 'x2', questions: 0, completionCode: 'no spaces!', preferredSide: 'left' });
    expect(res.status).toBe(422);
    const problems: string[] = res.body.error.details.problems;
    expect(problems.map((p) => p.split(':')[0])).toEqual(['body.questions', 'body.completionCode', 'body.preferredSide']);
    const { seed: _seed, ...withoutSeed } = settings;
    const noSeed = await request(t.app).post('/api/v1/batches').set(t.auth).send({ ...withoutSeed, name: 'x3' });
    expect(noSeed.status).toBe(422);
    expect(noSeed.body.error.details.problems).toEqual(['body.seed: must be a whole number from 0 to 2147483647, e.g. 42']);
  });

  it('refuses a batch the dataset cannot fill', async () => {
    const tiny = await request(t.app).post('/api/v1/datasets?name=tiny').set(t.auth).type('text/plain').send(toJsonl(generateSyntheticDataset(20, createRng(4))));
    expect(tiny.status).toBe(201);
    const res2 = await request(t.app).post('/api/v1/batches').set(t.auth).send({ ...settings, dataset: 'tiny', name: 'tiny batch', questions: 30 });
    expect(res2.status).toBe(422);
    expect(res2.body.error.code).toBe('too_few_tasks');
  });

  it("records the category draw and returns the category table, with 'uniform' (SPEC 2) by default", async () => {
    // A dataset of its own: an earlier test rewrote every phrase of 'synthetic'.
    const dataset = await request(t.app).post('/api/v1/datasets?name=draws').set(t.auth).type('text/plain').send(toJsonl(generateSyntheticDataset(200, createRng(5))));
    expect(dataset.status).toBe(201);
    const usable = await request(t.app).post('/api/v1/batches').set(t.auth).send({ ...settings, dataset: 'draws', name: 'usable draw', categoryDraw: 'usable' });
    expect(usable.status).toBe(201);
    expect(usable.body.batch.categoryDraw).toBe('usable');
    expect(usable.body.report.categoryDraw).toBe('usable');
    const categories: { category: string; taskShare: number; expectedShare: number; warning: string | null }[] = usable.body.report.categories;
    expect(categories.length).toBeGreaterThan(5);
    expect(categories.reduce((sum, c) => sum + c.taskShare, 0)).toBeCloseTo(1, 9);
    expect(categories.reduce((sum, c) => sum + c.expectedShare, 0)).toBeCloseTo(1, 9);
    const uniform = await request(t.app).get(`/api/v1/batches/${batchId}`).set(t.auth);
    expect(uniform.body.batch.categoryDraw).toBe('uniform');
    expect(uniform.body.batch.generationReport.categories.length).toBeGreaterThan(5);
    const tasks = await request(t.app).get(`/api/v1/batches/${usable.body.batch.id}/tasks?format=csv`).set(t.auth).buffer(true);
    expect(tasks.text.split('\r\n')[0]?.split(',').at(-1)).toBe('category_draw');
    expect(tasks.text.split('\r\n')[1]?.split(',').at(-1)).toBe('usable');
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await request(t.app).post('/api/v1/batches').set(t.auth).set('Content-Type', 'application/json').send('{"name": ');
    expect(res.status).toBe(400);
  });

  it('refuses an unknown category draw with what to send instead', async () => {
    const res = await request(t.app).post('/api/v1/batches').set(t.auth).send({ ...settings, name: 'bad draw', categoryDraw: 'random' });
    expect(res.status).toBe(422);
    expect(res.body.error.details.problems).toEqual([expect.stringMatching(/^body\.categoryDraw: must be uniform \(SPEC 2, the default\) or usable/)]);
  });

  it('refuses batch routes without a token', async () => {
    expect((await request(t.app).get(`/api/v1/batches/${batchId}/tasks`)).status).toBe(401);
    expect((await request(t.app).post('/api/v1/batches').send(settings)).status).toBe(401);
  });
});
