import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arenaSampleText, readmeCounts } from '../helpers/shared-data.js';
import { datasetLine, toJsonlText } from '../helpers/datasets.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.drop();
});

async function tableCounts() {
  const prisma = t.db.prisma;
  return {
    datasets: await prisma.dataset.count(),
    datapoints: await prisma.datapoint.count(),
    annotations: Number((await prisma.$queryRaw<{ n: bigint }[]>`SELECT coalesce(sum(jsonb_array_length(preferences)), 0) AS n FROM datapoints`)[0]!.n),
  };
}

describe('API access', () => {
  it('refuses a request without a token with 401 and a JSON error', async () => {
    const res = await request(t.app).get('/api/v1/datasets');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('refuses a wrong token with 401', async () => {
    const res = await request(t.app).get('/api/v1/datasets').set('Authorization', 'Bearer pb_not-a-real-token');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_token');
  });

  it('refuses an import without a token and writes nothing', async () => {
    const res = await request(t.app).post('/api/v1/datasets?name=x').type('text/plain').send(toJsonlText([datasetLine(1)]));
    expect(res.status).toBe(401);
    expect((await tableCounts()).datasets).toBe(0);
  });
});

describe('POST /api/v1/datasets', () => {
  it('imports the arena sample with every datapoint and annotation', async () => {
    const res = await request(t.app)
      .post('/api/v1/datasets?name=arena-sample')
      .set(t.auth)
      .type('application/x-ndjson')
      .send(arenaSampleText());
    expect(res.status).toBe(201);
    expect(res.body.dataset).toMatchObject({ name: 'arena-sample', datapoints: 100 });
    const counts = await tableCounts();
    expect(counts).toEqual({ datasets: 1, datapoints: 100, annotations: 206 });
  });

  it('says a re-import is already imported and changes nothing', async () => {
    const before = await tableCounts();
    const res = await request(t.app).post('/api/v1/datasets?name=again').set(t.auth).type('text/plain').send(arenaSampleText());
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('already-imported');
    expect(res.body.dataset.name).toBe('arena-sample');
    expect(await tableCounts()).toEqual(before);
  });

  it('reports all 5 errors of a bad file with line numbers and leaves the database unchanged', async () => {
    const before = await tableCounts();
    const text = toJsonlText([
      datasetLine(1),
      datasetLine(2, { winner: 'tie' }),
      datasetLine(3, { topic_category: '' }),
      '{"id": "broken",',
      datasetLine(5, { preferences: [{ category: 'Clarity', granular: [] }] }),
      datasetLine(6, { response_b: 42 }),
      datasetLine(7),
    ]);
    const res = await request(t.app).post('/api/v1/datasets?name=bad').set(t.auth).type('text/plain').send(text);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_dataset');
    expect(res.body.error.details.errorCount).toBe(5);
    expect(res.body.error.details.errors.map((e: string) => e.split(':').slice(0, 2).join(':'))).toEqual([
      'line 2: winner',
      'line 3: topic_category',
      'line 4: (line)',
      'line 5: preferences.0.granular',
      'line 6: response_b',
    ]);
    expect(await tableCounts()).toEqual(before);
  });

  it('refuses a name that is taken with 409', async () => {
    const res = await request(t.app).post('/api/v1/datasets?name=arena-sample').set(t.auth).type('text/plain').send(toJsonlText([datasetLine(1)]));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('name_taken');
  });

  it('refuses a body over the upload limit with 413', async () => {
    const res = await request(t.app).post('/api/v1/datasets?name=big').set(t.auth).type('text/plain').send('x'.repeat(6 * 1024 * 1024));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });
});

describe('GET /api/v1/datasets/:id/summary', () => {
  it('gives the counts of data/README.md for the sample', async () => {
    const res = await request(t.app).get('/api/v1/datasets/arena-sample/summary').set(t.auth);
    expect(res.status).toBe(200);
    const { categories, topics } = readmeCounts();
    expect(new Map(res.body.summary.categories.map((c: { category: string; datapoints: number }) => [c.category, c.datapoints]))).toEqual(categories);
    expect(new Map(res.body.summary.topics.map((c: { topicCategory: string; datapoints: number }) => [c.topicCategory, c.datapoints]))).toEqual(topics);
  });

  it('answers 404 with a JSON error for an unknown dataset', async () => {
    const res = await request(t.app).get('/api/v1/datasets/nope/summary').set(t.auth);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('dataset_not_found');
  });
});

describe('GET /api/v1/datasets/:id/tasks', () => {
  it('generates the same tasks for the same seed, with a report', async () => {
    const a = await request(t.app).get('/api/v1/datasets/arena-sample/tasks?seed=11').set(t.auth);
    const b = await request(t.app).get('/api/v1/datasets/arena-sample/tasks?seed=11').set(t.auth);
    expect(a.status).toBe(200);
    expect(a.body.report.made).toBe(a.body.tasks.length);
    expect(a.body.report.made + a.body.report.skipped).toBe(100);
    expect(a.text).toBe(b.text);
  });

  it('requires a seed', async () => {
    const res = await request(t.app).get('/api/v1/datasets/arena-sample/tasks').set(t.auth);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^query\.seed:/);
  });
});

it('logs no server error during these tests', () => {
  expect(t.logged).toEqual([]);
});
