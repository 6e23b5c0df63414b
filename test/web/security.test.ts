import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/db/api-tokens.js';
import type { Batch } from '../../src/db/batches.js';
import { anonymous, csrfFrom, makeAccount, PASSWORD, signIn, type ConsoleSession, signInAdminAndResearcher } from '../helpers/console.js';
import { createOpenBatch, optionIdsOf, questionNumberOf, Rater, participantOf } from '../helpers/rater.js';
import { listRoutes, type RouteInfo } from '../helpers/routes.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { TEST_ACTOR } from '../helpers/actor.js';

let t: TestApp;
let batch: Batch;
let ids: Record<string, string>;
let admin: ConsoleSession;
let researcher: ConsoleSession;
let researcherToken: string;

beforeAll(async () => {
  t = await createTestApp();
  batch = await createOpenBatch(t.db, {}, 200);
  ({ admin, researcher } = await signInAdminAndResearcher(t.app, t.db.prisma));
  const reader = await t.db.prisma.account.findUniqueOrThrow({ where: { email: 'reader@example.org' } });
  researcherToken = (await createApiToken(t.db.prisma, { name: 'reader token', accountId: reader.id }, TEST_ACTOR)).token;
  ids = await rowsToVisit(batch);
});

/** Ids of rows the enumerated routes can name: the batch, its dataset, one participant of it, a token. */
async function rowsToVisit(of: Batch): Promise<Record<string, string>> {
  const rater = new Rater(t.app, of);
  await rater.consentAndStart();
  const participant = await participantOf(t.db.prisma, rater);
  const spare = await createApiToken(t.db.prisma, { name: 'spare token to revoke', accountId: null }, TEST_ACTOR);
  return { batch: of.id, dataset: of.datasetId, participant: participant.id, token: spare.row.id };
}
afterAll(async () => {
  await t?.drop();
});

/** A concrete URL for a route pattern, with ids of rows that exist. */
function urlFor(route: RouteInfo, rows = ids): string {
  return route.path
    .replace(/\/datasets\/:id/, `/datasets/${rows.dataset}`)
    .replace(/\/tokens\/:id/, `/tokens/${rows.token}`)
    .replace(':participantId', rows.participant as string)
    .replace(/:id|:batchId/, rows.batch as string);
}

const PUBLIC = new Set(['GET /console/sign-in', 'POST /console/sign-in', 'POST /console/sign-out']);
const isChange = (r: RouteInfo) => r.method !== 'GET';
const consoleRoutes = () => listRoutes(t.app).filter((r) => r.path.startsWith('/console') && !PUBLIC.has(`${r.method} ${r.path}`));
const apiRoutes = () => listRoutes(t.app).filter((r) => r.path.startsWith('/api/v1'));

describe('access to every console and API route (enumerated from the routers)', () => {
  it('finds the routes to test', () => {
    expect(consoleRoutes().length).toBeGreaterThanOrEqual(20);
    expect(apiRoutes().length).toBeGreaterThanOrEqual(15);
    expect(consoleRoutes().filter(isChange).length).toBeGreaterThanOrEqual(5);
  });

  it('redirects an unauthenticated visitor of a console page to sign-in', async () => {
    for (const route of consoleRoutes().filter((r) => !isChange(r))) {
      const res = await request(t.app).get(urlFor(route));
      expect([route.path, res.status, res.headers.location]).toEqual([route.path, 303, expect.stringMatching(/^\/console\/sign-in\?next=/)]);
    }
  });

  it('refuses an unauthenticated console change with 401, even with a valid CSRF token', async () => {
    const anon = await anonymous(t.app);
    for (const route of consoleRoutes().filter(isChange)) {
      const token = await anon.csrf(); // before post(): the agent attaches cookies when the request is made
      const res = await anon.agent.post(urlFor(route)).type('form').send({ _csrf: token });
      expect([route.path, res.status]).toEqual([route.path, 401]);
    }
  });

  it('refuses every API route without a token with 401', async () => {
    for (const route of apiRoutes()) {
      const res = await request(t.app)[route.method === 'GET' ? 'get' : 'post'](urlFor(route));
      expect([route.method, route.path, res.status]).toEqual([route.method, route.path, 401]);
    }
  });

  it('refuses a researcher every console change with 403, but their own API tokens', async () => {
    // DECISIONS: a researcher creates and revokes their own read-only tokens (tested in console-access).
    const ownTokens = (r: RouteInfo) => r.path.startsWith('/console/my/');
    expect(consoleRoutes().filter(isChange).filter(ownTokens).length).toBe(2);
    for (const route of consoleRoutes().filter(isChange).filter((r) => !ownTokens(r))) {
      const token = await researcher.csrf();
      const res = await researcher.agent.post(urlFor(route)).type('form').send({ _csrf: token, action: 'close', name: 'x' });
      expect([route.path, res.status]).toEqual([route.path, 403]);
    }
    expect((await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } })).status).toBe('open');
  });

  it('refuses a researcher\'s token every API change with 403', async () => {
    for (const route of apiRoutes().filter(isChange)) {
      const res = await request(t.app).post(urlFor(route)).set('Authorization', `Bearer ${researcherToken}`).send({});
      expect([route.path, res.status]).toEqual([route.path, 403]);
    }
  });

  it('lets a researcher read results and exports', async () => {
    for (const path of [`/console/batches/${batch.id}/results`, `/console/batches/${batch.id}/export?what=answers`, `/console/batches/${batch.id}/charts/ratios.svg`]) {
      expect((await researcher.agent.get(path)).status).toBe(200);
    }
    expect((await request(t.app).get(`/api/v1/batches/${batch.id}/metrics`).set('Authorization', `Bearer ${researcherToken}`)).status).toBe(200);
  });

  // These two change what they visit (pause the batch, return the participant, revoke the token):
  // each visits rows of its own, so no other test sees those changes.
  it('lets an admin use every console route (no 401, 403 or 500)', async () => {
    const own = await rowsToVisit(await createOpenBatch(t.db, {}, 120));
    for (const route of consoleRoutes()) {
      const token = await admin.csrf();
      const res = isChange(route)
        ? await admin.agent.post(urlFor(route, own)).type('form').send({ _csrf: token, action: 'pause', name: 'admin token' })
        : await admin.agent.get(urlFor(route, own));
      expect([route.method, route.path, [401, 403, 500].includes(res.status)]).toEqual([route.method, route.path, false]);
    }
    expect(t.logged).toEqual([]);
  });

  it('lets an admin token use every API route (no 401, 403 or 500)', async () => {
    const own = await rowsToVisit(await createOpenBatch(t.db, {}, 120));
    for (const route of apiRoutes()) {
      const res = route.method === 'GET'
        ? await request(t.app).get(urlFor(route, own)).set(t.auth).query({ seed: 1, batches: own.batch })
        : await request(t.app).post(urlFor(route, own)).set(t.auth).send({});
      expect([route.method, route.path, [401, 403, 500].includes(res.status)]).toEqual([route.method, route.path, false]);
    }
    expect(t.logged).toEqual([]);
  });
});

describe('CSRF', () => {
  it('refuses a console form post without a CSRF token with 403', async () => {
    const res = await admin.agent.post('/console/admin/tokens').type('form').send({ name: 'sneaky' });
    expect(res.status).toBe(403);
    expect(await t.db.prisma.apiToken.count({ where: { name: 'sneaky' } })).toBe(0);
  });

  it('refuses a console form post with a wrong CSRF token with 403', async () => {
    const res = await admin.agent.post('/console/admin/tokens').type('form').send({ name: 'sneaky', _csrf: 'forged-token' });
    expect(res.status).toBe(403);
  });

  it('refuses a token taken from another session', async () => {
    const foreign = await researcher.csrf();
    const res = await admin.agent.post('/console/admin/tokens').type('form').send({ name: 'sneaky', _csrf: foreign });
    expect(res.status).toBe(403);
  });

  it('refuses a participant form post without its token with 403', async () => {
    const rater = new Rater(t.app, batch);
    const page = await rater.consentAndStart();
    const res = await rater.post('answer', { position: '0', option: optionIdsOf(page).slice(0, 1) });
    expect(res.status).toBe(403);
  });
});

describe('sign-in', () => {
  it('refuses the 11th failed sign-in within a minute, even with the right password, and keeps sessions made before', async () => {
    // An app of its own: its limiter then refuses this address for a minute.
    const limited = await createTestApp();
    try {
      await makeAccount(limited.db.prisma, 'admin@example.org', 'admin');
      const before = await signIn(limited.app, 'admin@example.org');
      const anon = await anonymous(limited.app);
      const token = await anon.csrf();
      for (let i = 1; i <= 10; i++) {
        const res = await anon.agent.post('/console/sign-in').type('form').send({ _csrf: token, email: 'admin@example.org', password: `wrong ${i}` });
        expect([i, res.status]).toEqual([i, 401]);
      }
      const eleventh = await anon.agent.post('/console/sign-in').type('form').send({ _csrf: token, email: 'admin@example.org', password: PASSWORD });
      expect(eleventh.status).toBe(429);
      expect((await before.agent.get('/console/batches')).status).toBe(200);
    } finally {
      await limited.drop();
    }
  });

  it('stores sessions in the database and ends them on sign-out', async () => {
    await makeAccount(t.db.prisma, 'leaver@example.org', 'researcher');
    const leaver = await signIn(t.app, 'leaver@example.org');
    const leaverAccount = await t.db.prisma.account.findUniqueOrThrow({ where: { email: 'leaver@example.org' } });
    expect(await t.db.prisma.accountSession.count({ where: { accountId: leaverAccount.id } })).toBe(1);
    const token = await leaver.csrf(); // before post(): the agent attaches cookies when the request is made
    const res = await leaver.agent.post('/console/sign-out').type('form').send({ _csrf: token });
    expect(res.status).toBe(303);
    expect(await t.db.prisma.accountSession.count({ where: { accountId: leaverAccount.id } })).toBe(0);
    expect((await leaver.agent.get('/console/batches')).status).toBe(303);
    expect((await admin.agent.get('/console/batches')).status).toBe(200);
  });

  it('sets httpOnly, SameSite session cookies and stores only a scrypt hash of the password', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/console/sign-in');
    const csrfCookie = (page.headers['set-cookie'] as unknown as string[]).join(';');
    expect(csrfCookie).toMatch(/pb_csrf=.*HttpOnly.*SameSite=Strict/);
    const res = await agent.post('/console/sign-in').type('form').send({ _csrf: csrfFrom(page.text), email: 'admin@example.org', password: PASSWORD });
    const sessionCookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('pb_session=')) ?? '';
    expect(sessionCookie).toMatch(/HttpOnly/);
    expect(sessionCookie).toMatch(/SameSite=Lax/);
    const account = await t.db.prisma.account.findUniqueOrThrow({ where: { email: 'admin@example.org' } });
    expect(account.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(account.passwordHash).not.toContain(PASSWORD);
  });
});

describe('participant isolation', () => {
  it('gives one rater\'s cookie no way to read or answer another rater\'s session', async () => {
    const a = new Rater(t.app, batch);
    const b = new Rater(t.app, batch);
    const pageA = await a.consentAndStart();
    const pageB = await b.consentAndStart();
    // A posts B's option ids for B's question: the server only ever looks at A's own session.
    const res = await a.post('answer', { csrf: csrfFrom(pageA), position: '0', option: optionIdsOf(pageB).slice(0, 2) });
    expect(res.status).toBe(422);
    const participantB = await participantOf(t.db.prisma, b);
    expect(await t.db.prisma.answer.count({ where: { participantId: participantB.id } })).toBe(0);
    // A's form token does not work with B's cookie either.
    const cross = await b.post('answer', { csrf: csrfFrom(pageA), position: '0', option: optionIdsOf(pageB).slice(0, 1) });
    expect(cross.status).toBe(403);
    expect(questionNumberOf(await b.session())).toBe(1);
    expect(await a.session()).not.toContain(optionIdsOf(pageB)[0]);
  });

  it('does not let a cookie of one batch open another batch', async () => {
    const other = await createOpenBatch(t.db, {}, 120);
    const rater = new Rater(t.app, batch);
    await rater.consentAndStart();
    const participant = await participantOf(t.db.prisma, rater);
    const res = await request(t.app).get(`/s/${other.id}/session`).set('Cookie', `pb_p_${other.id}=${participant.code}`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Please open this study from Prolific');
  });
});

describe('an unexpected error', () => {
  it('shows a 500 page and a JSON envelope with no stack trace or internal message, and logs the error', async () => {
    // An app of its own whose database lost a table: every read or write of the audit log fails.
    const broken = await createTestApp();
    try {
      const { admin: signedIn } = await signInAdminAndResearcher(broken.app, broken.db.prisma);
      const victim = await createOpenBatch(broken.db, {}, 120);
      await broken.db.prisma.$executeRawUnsafe('ALTER TABLE audit_events RENAME TO audit_events_gone');
      const page = await signedIn.agent.get(`/console/batches/${victim.id}`);
      const api = await request(broken.app).post(`/api/v1/batches/${victim.id}/pause`).set(broken.auth);
      for (const res of [page, api]) {
        expect(res.status).toBe(500);
        expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
        expect(res.text).not.toMatch(/audit_events|relation|does not exist|prisma/i);
      }
      // The pause and its audit row were one transaction: neither happened.
      expect((await broken.db.prisma.batch.findUniqueOrThrow({ where: { id: victim.id } })).status).toBe('open');
      expect(page.text).toContain('Something went wrong on our side');
      expect(api.body).toEqual({ error: { code: 'internal_error', message: expect.stringContaining('Something went wrong') } });
      expect(broken.logged).toHaveLength(2);
      expect(String(broken.logged[0])).toMatch(/audit_events/);
    } finally {
      await broken.drop();
    }
  });
});
