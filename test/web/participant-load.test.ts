import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeBatchStatus, getBatchProgress } from '../../src/db/batches.js';
import { addressOf, createOpenBatch, questionNumberOf, Rater } from '../helpers/rater.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { TEST_ACTOR } from '../helpers/actor.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.drop();
});

describe('raters arriving together', () => {
  it('seats exactly the cap out of 200 simultaneous raters, one participant each, with balanced tasks', async () => {
    const batch = await createOpenBatch(t.db, { raters: 150, questions: 20 }, 400);
    const raters = Array.from({ length: 200 }, (_, i) => new Rater(t.app, batch, addressOf(i + 1)));
    const pages = await Promise.all(raters.map((r) => r.consentAndStart()));
    const seated = pages.filter((p) => questionNumberOf(p) === 1).length;
    const full = pages.filter((p) => p.includes('This study is full')).length;
    expect([seated, full]).toEqual([150, 50]);

    const row = await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } });
    expect(row.placesTaken).toBe(150);
    expect(await t.db.prisma.participant.count({ where: { batchId: batch.id } })).toBe(150);
    // Every seated rater has 20 distinct tasks; loads match the assignments and differ by at most 1.
    const assignments = await t.db.prisma.assignment.findMany({ where: { participant: { batchId: batch.id } }, select: { participantId: true, taskId: true } });
    expect(assignments).toHaveLength(150 * 20);
    expect(new Set(assignments.map((a) => `${a.participantId}/${a.taskId}`)).size).toBe(150 * 20);
    const tasks = await t.db.prisma.task.findMany({ where: { batchId: batch.id }, select: { id: true, load: true } });
    const assigned = new Map<string, number>();
    for (const a of assignments) assigned.set(a.taskId, (assigned.get(a.taskId) ?? 0) + 1);
    for (const task of tasks) expect(task.load).toBe(assigned.get(task.id) ?? 0);
    const loads = tasks.map((task) => task.load);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
    expect(t.logged).toEqual([]);
  }, 300_000);

  it('keeps loads within 1 when a crowd starts at once on a batch barely larger than a session', async () => {
    // Few tasks for many raters: most Starts find the least-loaded rows locked and must wait for
    // them, the case where queued raters once all took the same rows.
    const batch = await createOpenBatch(t.db, { raters: 80, questions: 20 }, 60);
    const raters = Array.from({ length: 80 }, (_, i) => new Rater(t.app, batch, addressOf(5000 + i)));
    const pages = await Promise.all(raters.map((r) => r.consentAndStart()));
    expect(pages.filter((p) => questionNumberOf(p) === 1)).toHaveLength(80);
    const loads = (await t.db.prisma.task.findMany({ where: { batchId: batch.id }, select: { load: true } })).map((task) => task.load);
    expect(loads.reduce((a, b) => a + b, 0)).toBe(80 * 20);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
    expect(t.logged).toEqual([]);
  }, 300_000);

  it('makes one participant of 20 simultaneous entries with the same PROLIFIC_PID, taking one place', async () => {
    const batch = await createOpenBatch(t.db, { raters: 5 }, 120);
    const first = new Rater(t.app, batch, addressOf(1));
    const same = Array.from({ length: 20 }, (_, i) => {
      const r = new Rater(t.app, batch, addressOf(i + 2));
      Object.assign(r.ids, first.ids);
      return r;
    });
    await Promise.all(same.map((r) => r.enter()));
    expect(await t.db.prisma.participant.count({ where: { batchId: batch.id } })).toBe(1);
    expect((await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } })).placesTaken).toBe(1);
  });

  it('gives back the place of a rater who declines', async () => {
    const batch = await createOpenBatch(t.db, { raters: 1 }, 120);
    const rater = new Rater(t.app, batch);
    const consent = await rater.enter();
    await rater.post('consent', { csrf: /name="csrf" value="([^"]*)"/.exec(consent)?.[1] ?? '', decision: 'decline' });
    expect((await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } })).placesTaken).toBe(0);
    expect(questionNumberOf(await new Rater(t.app, batch).consentAndStart())).toBe(1);
  });
});

describe('who may resume a session', () => {
  it('does not open a session to someone who only knows the PROLIFIC_PID', async () => {
    const batch = await createOpenBatch(t.db, {}, 120);
    const owner = new Rater(t.app, batch);
    await owner.consentAndStart();
    const intruder = new Rater(t.app, batch);
    intruder.ids.PROLIFIC_PID = owner.ids.PROLIFIC_PID;
    const res = await intruder.agent.get(`/s/${batch.id}`).query(intruder.ids);
    expect(res.status).toBe(403);
    expect(res.text).toContain('already taking part');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('resumes on another device with the same SESSION_ID, in any letter case', async () => {
    const batch = await createOpenBatch(t.db, {}, 120);
    const owner = new Rater(t.app, batch);
    const page = await owner.consentAndStart();
    await owner.answer(page);
    const phone = new Rater(t.app, batch);
    phone.ids.PROLIFIC_PID = owner.ids.PROLIFIC_PID.toUpperCase();
    phone.ids.STUDY_ID = owner.ids.STUDY_ID;
    phone.ids.SESSION_ID = owner.ids.SESSION_ID.toUpperCase();
    expect(questionNumberOf(await phone.enter())).toBe(2);
    expect(await t.db.prisma.participant.count({ where: { batchId: batch.id } })).toBe(1);
  });

  it('stores PROLIFIC_PIDs in lower case, so ABC… and abc… are one participant', async () => {
    const batch = await createOpenBatch(t.db, {}, 120);
    const upper = new Rater(t.app, batch);
    upper.ids.PROLIFIC_PID = upper.ids.PROLIFIC_PID.toUpperCase();
    await upper.enter();
    const row = await t.db.prisma.participant.findFirstOrThrow({ where: { batchId: batch.id } });
    expect(row.prolificPid).toBe(upper.ids.PROLIFIC_PID.toLowerCase());
    const lower = new Rater(t.app, batch);
    Object.assign(lower.ids, upper.ids, { PROLIFIC_PID: upper.ids.PROLIFIC_PID.toLowerCase() });
    await lower.enter();
    expect(await t.db.prisma.participant.count({ where: { batchId: batch.id } })).toBe(1);
  });
});

describe('closed and malformed', () => {
  it('writes nothing when someone enters a closed batch', async () => {
    const batch = await createOpenBatch(t.db, {}, 120);
    const closed = await changeBatchStatus(t.db.prisma, batch, 'closed', new Date(), TEST_ACTOR);
    if (!closed.ok) throw new Error('close failed');
    const page = await new Rater(t.app, batch).enter();
    expect(page).toContain('This study is closed');
    expect(await t.db.prisma.participant.count({ where: { batchId: batch.id } })).toBe(0);
    expect((await getBatchProgress(t.db.prisma, batch.id)).participants.entered).toBe(0);
    expect((await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } })).placesTaken).toBe(0);
  });

  it.each(['/s/%00', '/s/%ff%fe', '/s/abc%00/session', '/api/v1/batches/%00', '/console/batches/%00', '/s/%E0%A4%A'])('answers %s with a 4xx page', async (path) => {
    const res = await request(t.app).get(path).set(t.auth);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('answers an answer position of 2^31 or more with a 4xx page', async () => {
    const batch = await createOpenBatch(t.db, {}, 120);
    const rater = new Rater(t.app, batch);
    const page = await rater.consentAndStart();
    const csrf = /name="csrf" value="([^"]*)"/.exec(page)?.[1] ?? '';
    for (const position of [String(2 ** 31), '99999999999999999999', '-1', '1e400']) {
      const res = await rater.post('answer', { csrf, position, option: 'x' });
      expect(res.status).toBe(400);
    }
    expect(t.logged).toEqual([]);
  });
});
