// Two server processes on one PostgreSQL database, as behind a load balancer: one place counter, one
// rate limit, one form secret.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/db/accounts.js';
import { csrfFrom, PASSWORD } from '../helpers/console.js';
import { addressOf, createOpenBatch, prolificId, questionNumberOf, Rater } from '../helpers/rater.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { createTestDatabase, serverUrl, type TestDatabase } from '../helpers/test-database.js';
import { TEST_ACTOR } from '../helpers/actor.js';

let t: TestDatabase;
let servers: ServerProcess[] = [];
beforeAll(async () => {
  if (!serverUrl) return;
  t = await createTestDatabase();
  // Neither process gets PREFBASIS_SECRET: they must agree through the database.
  servers = await Promise.all([0, 1].map(() => startServerProcess({ DATABASE_URL: t.url as string, NODE_ENV: 'production', PREFBASIS_SECRET: '' })));
}, 180_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await t?.drop();
});

describe.skipIf(!serverUrl)('two server processes on one database', () => {
  it('seats exactly the cap of 200 raters split over both, with no duplicates and balanced tasks', async () => {
    const batch = await createOpenBatch(t.db, { raters: 150, questions: 20 }, 400);
    const raters = Array.from({ length: 200 }, (_, i) => new Rater((servers[i % 2] as ServerProcess).url, batch, addressOf(i + 1)));
    const pages = await Promise.all(raters.map((r) => r.consentAndStart()));
    expect(pages.filter((p) => questionNumberOf(p) === 1)).toHaveLength(150);
    expect(pages.filter((p) => p.includes('This study is full'))).toHaveLength(50);
    expect(await t.db.prisma.participant.count({ where: { batchId: batch.id } })).toBe(150);
    expect((await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } })).placesTaken).toBe(150);
    const assignments = await t.db.prisma.assignment.findMany({ where: { participant: { batchId: batch.id } }, select: { participantId: true, taskId: true } });
    expect(new Set(assignments.map((a) => `${a.participantId}/${a.taskId}`)).size).toBe(150 * 20);
    const loads = (await t.db.prisma.task.findMany({ where: { batchId: batch.id }, select: { load: true } })).map((x) => x.load);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
    // A rater who started on one process carries on on the other (same Prolific submission).
    const movers = raters.filter((_, i) => questionNumberOf(pages[i] as string) === 1).slice(0, 4);
    for (const mover of movers) {
      const other = servers.find((s) => s.url !== mover.app) as ServerProcess;
      const again = new Rater(other.url, batch, addressOf(1000));
      Object.assign(again.ids, mover.ids);
      expect(questionNumberOf(await again.enter())).toBe(1);
    }
    expect(await t.db.prisma.participant.count({ where: { batchId: batch.id } })).toBe(150);
  }, 300_000);

  it('shares the entry rate limit: 60 entries on one process, the 61st on the other is refused', async () => {
    const batch = await createOpenBatch(t.db, { raters: 500 }, 120);
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const enter = (url: string) => request(url).get(`/s/${batch.id}`).set('X-Forwarded-For', '192.0.2.77').query({ PROLIFIC_PID: prolificId(), STUDY_ID: prolificId(), SESSION_ID: prolificId() });
    for (let i = 0; i < 60; i++) expect((await enter(a.url)).status).toBe(303);
    expect((await enter(b.url)).status).toBe(429);
  }, 120_000);

  it('accepts a console form rendered by one process when it is posted to the other', async () => {
    const created = await createAccount(t.db.prisma, { email: 'two@example.org', password: PASSWORD, role: 'admin' }, TEST_ACTOR);
    if (!created.ok) throw new Error(created.reason);
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const page = await request(a.url).get('/console/sign-in');
    const cookies = (page.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const res = await request(b.url).post('/console/sign-in').set('Cookie', cookies).type('form').send({ _csrf: csrfFrom(page.text), email: 'two@example.org', password: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/console/batches');
  });
});
