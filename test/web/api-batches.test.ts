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
    await t.db.prisma.preferenceAnnotation.updateMany({ data: { granular: ['changed'] } });
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

  it('names every invalid field', async () => {
    const res = await request(t.app).post('/api/v1/batches').set(t.auth).send({ ...settings, name: 'x2', questions: 0, completionCode: 'no spaces!', preferredSide: 'left' });
    expect(res.status).toBe(400);
    const problems: string[] = res.body.error.details.problems;
    expect(problems.map((p) => p.split(':')[0])).toEqual(['body.questions', 'body.completionCode', 'body.preferredSide']);
  });

  it('refuses a batch the dataset cannot fill', async () => {
    const tiny = await request(t.app).post('/api/v1/datasets?name=tiny').set(t.auth).type('text/plain').send(toJsonl(generateSyntheticDataset(20, createRng(4))));
    expect(tiny.status).toBe(201);
    const res2 = await request(t.app).post('/api/v1/batches').set(t.auth).send({ ...settings, dataset: 'tiny', name: 'tiny batch', questions: 30 });
    expect(res2.status).toBe(422);
    expect(res2.body.error.code).toBe('too_few_tasks');
  });

  it('refuses batch routes without a token', async () => {
    expect((await request(t.app).get(`/api/v1/batches/${batchId}/tasks`)).status).toBe(401);
    expect((await request(t.app).post('/api/v1/batches').send(settings)).status).toBe(401);
  });
});
