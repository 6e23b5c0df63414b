// The console's admin router (/console/admin: tokens, accounts, audit log), its forms' field
// errors, and the batch each /console/batches/:id route is given.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '../../src/db/batches.js';
import { signInAdminAndResearcher, type ConsoleSession } from '../helpers/console.js';
import { createOpenBatch } from '../helpers/rater.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let admin: ConsoleSession;
let researcher: ConsoleSession;
let batch: Batch;
beforeAll(async () => {
  t = await createTestApp();
  ({ admin, researcher } = await signInAdminAndResearcher(t.app, t.db.prisma));
  batch = await createOpenBatch(t.db, { raters: 5 }, 120);
});
afterAll(async () => {
  await t?.drop();
});

describe('/console/admin', () => {
  it('is for admins only, even to read; a researcher gets 403 on every page of it', async () => {
    for (const page of ['/console/admin/tokens', '/console/admin/accounts', '/console/admin/audit']) {
      expect([page, (await admin.agent.get(page)).status]).toEqual([page, 200]);
      expect([page, (await researcher.agent.get(page)).status]).toEqual([page, 403]);
    }
  });

  it('lets a researcher still reach pages outside it, and gives an unknown console page 404, not 403', async () => {
    expect((await researcher.agent.get('/console/batches')).status).toBe(200);
    expect((await researcher.agent.get('/console/no-such-page')).status).toBe(404);
  });

  it('shows each account field\'s problem beside it and keeps what was typed, creating nothing', async () => {
    const token = await admin.csrf(); // before post(): the agent attaches cookies when the request is made
    const res = await admin.agent.post('/console/admin/accounts').type('form').send({ _csrf: token, email: 'new.person@example.org', role: 'owner', password: 'short' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('value="new.person@example.org"');
    expect(res.text).toContain('Choose a role: researcher or admin.');
    expect(res.text).toMatch(/password needs at least \d+ characters/);
    expect(await t.db.prisma.account.count({ where: { email: 'new.person@example.org' } })).toBe(0);
  });

  it('says an email is taken beside the email field (409)', async () => {
    const token = await admin.csrf(); // before post(): the agent attaches cookies when the request is made
    const res = await admin.agent.post('/console/admin/accounts').type('form').send({ _csrf: token, email: 'reader@example.org', role: 'admin', password: 'a long enough password' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('An account with this email exists.');
  });

  it('revokes a token by id and refuses a path that cannot be an id with 400', async () => {
    const token = await admin.csrf(); // before post(): the agent attaches cookies when the request is made
    const bad = await admin.agent.post('/console/admin/tokens/bad%20id/revoke').type('form').send({ _csrf: token });
    expect(bad.status).toBe(400);
  });
});

describe('the batch of a /console/batches/:id route', () => {
  it('is found once for the route and its results and review pages, and is a 404 page when it does not exist', async () => {
    for (const suffix of ['', '/participants', '/results', '/review']) {
      expect([suffix, (await researcher.agent.get(`/console/batches/${batch.id}${suffix}`)).status]).toEqual([suffix, 200]);
      const missing = await researcher.agent.get(`/console/batches/b_doesnotexist${suffix}`);
      expect([suffix, missing.status]).toEqual([suffix, 404]);
      expect(missing.text).toContain('No batch with id');
    }
  });

  it('refuses an unknown lifecycle action with 400 naming the known ones, and changes nothing', async () => {
    const token = await admin.csrf(); // before post(): the agent attaches cookies when the request is made
    const res = await admin.agent.post(`/console/batches/${batch.id}/status`).type('form').send({ _csrf: token, action: 'delete' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('open, pause, close');
    expect((await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } })).status).toBe('open');
  });
});

describe('/console/my/tokens', () => {
  it("lets a researcher create a read-only token of their own, use it to read, and revoke it; never another's", async () => {
    expect((await researcher.agent.get('/console/my/tokens')).text).toContain('No tokens yet.');
    const created = await researcher.agent.post('/console/my/tokens').type('form').send({ _csrf: await researcher.csrf(), name: 'laptop' });
    expect(created.status).toBe(201);
    const token = /<code class="wrap" id="new-token">([^<]+)<\/code>/.exec(created.text)?.[1] ?? '';
    expect(token).toMatch(/^pb_/);
    const api = (path: string) => request(t.app).get(path).set('Authorization', `Bearer ${token}`);
    expect((await api(`/api/v1/batches/${batch.id}/metrics?rounds=100`)).status).toBe(200);
    expect((await request(t.app).post(`/api/v1/batches/${batch.id}/timeouts`).set('Authorization', `Bearer ${token}`)).status).toBe(403);
    // The admin's own tokens are not on the researcher's page, and cannot be revoked from it.
    await admin.agent.post('/console/my/tokens').type('form').send({ _csrf: await admin.csrf(), name: 'admin-own' });
    const adminsToken = await t.db.prisma.apiToken.findFirstOrThrow({ where: { name: 'admin-own' } });
    const mine = await researcher.agent.get('/console/my/tokens');
    expect(mine.text).toContain('laptop');
    expect(mine.text).not.toContain('admin-own');
    expect((await researcher.agent.post(`/console/my/tokens/${adminsToken.id}/revoke`).type('form').send({ _csrf: await researcher.csrf() })).status).toBe(404);
    expect((await t.db.prisma.apiToken.findUniqueOrThrow({ where: { id: adminsToken.id } })).revokedAt).toBeNull();
    const own = await t.db.prisma.apiToken.findFirstOrThrow({ where: { name: 'laptop' } });
    expect((await researcher.agent.post(`/console/my/tokens/${own.id}/revoke`).type('form').send({ _csrf: await researcher.csrf() })).status).toBe(303);
    expect((await api(`/api/v1/batches/${batch.id}/metrics?rounds=100`)).status).toBe(401);
  });
});

describe('what a researcher is offered', () => {
  it('refuses the new-batch form up front instead of after it was filled in, and hides the actions they cannot take', async () => {
    expect((await researcher.agent.get('/console/batches/new')).status).toBe(403);
    expect((await researcher.agent.get('/console/batches')).text).not.toContain('href="/console/batches/new"');
    const page = (await researcher.agent.get(`/console/batches/${batch.id}`)).text;
    expect(page).not.toContain('name="action"');
    expect(page).not.toContain(`action="/console/batches/${batch.id}/timeouts"`);
  });

  it('says so when a table is empty', async () => {
    const fresh = await createOpenBatch(t.db, { raters: 5 }, 120);
    expect((await researcher.agent.get(`/console/batches/${fresh.id}/participants`)).text).toContain('Nobody has entered this batch yet.');
    expect((await researcher.agent.get(`/console/batches/${fresh.id}/review`)).text).toContain('No rater from Prolific has completed this batch yet');
  });

  it("shows on the batch page the datapoints skipped and how often tasks will be rated when there are fewer than asked", async () => {
    // 120 datapoints cannot give 50 raters × 20 questions one task each.
    const short = await createOpenBatch(t.db, { raters: 50 }, 120);
    const page = (await researcher.agent.get(`/console/batches/${short.id}`)).text;
    expect(page).toMatch(/The dataset gives \d+ tasks where 1000 were asked for \(50 raters × 20 questions\): each task will be rated about [\d.]+ times/);
    expect(page).toMatch(/<li>Skipped \d+ datapoints?: /);
  });
});
