import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_DATASET_NAME, ensureDemo, ensureDemoAdmin } from '../../src/demo.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ loadDemo: true });
});
afterAll(async () => {
  await t?.drop();
});

it('loads the demo once: a dataset and an open study, and a console admin with a random password', async () => {
  const first = await ensureDemo(t.db);
  expect(first.loaded).toBe(true);
  expect(first.batch?.status).toBe('open');
  expect((await ensureDemo(t.db)).loaded).toBe(false);
  const admin = await ensureDemoAdmin(t.db.prisma);
  expect(admin?.password).toMatch(/^[\w-]{16}$/);
  expect(await ensureDemoAdmin(t.db.prisma)).toBeNull();
});

it('links the demo study from the start page and lets a visitor enter it, without listing any data', async () => {
  const home = await request(t.app).get('/');
  expect(home.status).toBe(200);
  expect(home.text).not.toContain(DEMO_DATASET_NAME);
  const link = /href="(\/s\/[^"]+)"/.exec(home.text)?.[1]?.replaceAll('&amp;', '&');
  expect(link).toBeDefined();
  const entry = await request(t.app).get(link as string);
  expect(entry.status).toBe(303);
  expect(entry.headers.location).toMatch(/\/session$/);
});
