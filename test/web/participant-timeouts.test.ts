// Abandoned places come back by themselves (issue 11.1): raters past the batch's maximum time are
// timed out, their place and unanswered tasks go to new raters, and their answers stay.
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../src/db/audit.js';
import { timeOutAbandonedParticipants } from '../../src/db/timeouts.js';
import { startTimeoutSweep } from '../../src/jobs/timeout-sweep.js';
import { addressOf, createOpenBatch, Rater, questionNumberOf, participantOf } from '../helpers/rater.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.drop();
});

const minutesLater = (minutes: number) => new Date(Date.now() + minutes * 60_000);
const totalLoad = async (batchId: string) => (await t.db.prisma.task.aggregate({ where: { batchId }, _sum: { load: true } }))._sum.load ?? 0;

describe('participant timeouts', () => {
  it("gives a timed-out rater's place and unanswered tasks to the next rater and keeps their answers", async () => {
    const batch = await createOpenBatch(t.db, { raters: 1, maxMinutes: 30 }, 120);
    const gone = new Rater(t.app, batch);
    let page = await gone.consentAndStart();
    page = await gone.answer(page);
    page = await gone.answer(page);
    expect(questionNumberOf(page)).toBe(3);
    expect(await new Rater(t.app, batch).enter()).toContain('This study is full');
    expect(await totalLoad(batch.id)).toBe(20);

    expect(await timeOutAbandonedParticipants(t.db.sql, minutesLater(29), CLI_ACTOR, { batchId: batch.id })).toEqual([]);
    const timedOut = await timeOutAbandonedParticipants(t.db.sql, minutesLater(31), CLI_ACTOR, { batchId: batch.id });
    const participant = await participantOf(t.db.prisma, gone);
    expect(timedOut).toEqual([{ participantId: participant.id, batchId: batch.id }]);
    expect(participant.status).toBe('timed_out');
    expect(participant.timedOutAt).toBeInstanceOf(Date);
    expect(await t.db.prisma.answer.count({ where: { participantId: participant.id } })).toBe(2);
    expect(await totalLoad(batch.id)).toBe(2);
    expect((await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } })).placesTaken).toBe(0);
    const audit = await t.db.prisma.auditEvent.findMany({ where: { batchId: batch.id, action: 'participant.timed_out' } });
    expect(audit.map((e) => (e.details as { participantId: string }).participantId)).toEqual([participant.id]);

    const next = new Rater(t.app, batch);
    expect(questionNumberOf(await next.consentAndStart())).toBe(1);
    expect(await totalLoad(batch.id)).toBe(22);
    const timedOutPage = await gone.session();
    expect(timedOutPage).toContain('Your time for this study ran out');
    expect(timedOutPage).toContain('30 minutes');
    // Their old form does nothing now.
    expect((await gone.post('answer', { csrf: /name="csrf" value="([^"]*)"/.exec(page)?.[1] ?? '', position: '2', option: 'x' })).status).toBe(303);
    expect(await t.db.prisma.answer.count({ where: { participantId: participant.id } })).toBe(2);
    // The export keeps their two answers and says they timed out, and when.
    const rows = parse((await request(t.app).get(`/api/v1/batches/${batch.id}/answers?format=csv`).set(t.auth)).text, { columns: true }) as Record<string, string>[];
    const theirs = rows.filter((r) => r.participant_id === participant.id);
    expect(theirs.map((r) => [r.question_number, r.participant_status, r.timed_out_at, r.completed_at])).toEqual([
      ['1', 'timed_out', participant.timedOutAt?.toISOString(), ''],
      ['2', 'timed_out', participant.timedOutAt?.toISOString(), ''],
    ]);
  });

  it('leaves raters within their time and finished raters alone, and a second sweep changes nothing', async () => {
    const batch = await createOpenBatch(t.db, { raters: 5, maxMinutes: 10 }, 150);
    const done = new Rater(t.app, batch);
    await done.consentAndStart();
    await done.completeAll();
    const consenting = new Rater(t.app, batch);
    await consenting.enter();
    const gone = await timeOutAbandonedParticipants(t.db.sql, minutesLater(11), CLI_ACTOR, { batchId: batch.id });
    expect(gone).toEqual([{ participantId: (await participantOf(t.db.prisma, consenting)).id, batchId: batch.id }]);
    expect((await participantOf(t.db.prisma, done)).status).toBe('completed');
    expect(await timeOutAbandonedParticipants(t.db.sql, minutesLater(11), CLI_ACTOR, { batchId: batch.id })).toEqual([]);
    expect((await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } })).placesTaken).toBe(1);
  });

  it('times each rater out once when sweeps of several processes run at the same time', async () => {
    const batch = await createOpenBatch(t.db, { raters: 20, maxMinutes: 5, questions: 10, ratingsPerTask: 3 }, 120);
    const raters = Array.from({ length: 12 }, () => new Rater(t.app, batch));
    for (const r of raters) await r.consentAndStart();
    const sweeps = await Promise.all(Array.from({ length: 4 }, () => timeOutAbandonedParticipants(t.db.sql, minutesLater(6), CLI_ACTOR)));
    const ids = sweeps.flat().map((p) => p.participantId);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    expect((await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } })).placesTaken).toBe(0);
    // Tasks held by several timed-out raters at once go back by as many as they held.
    expect(await totalLoad(batch.id)).toBe(0);
  });

  it('keeps every task load equal to its assignments still held when sweeps run while raters start', async () => {
    const batch = await createOpenBatch(t.db, { raters: 40, maxMinutes: 5, questions: 10, ratingsPerTask: 4 }, 120);
    // Addresses of their own: the entry limit (60 a minute per address) is not what this tests.
    const raters = Array.from({ length: 30 }, (_, i) => new Rater(t.app, batch, addressOf(700 + i)));
    await Promise.all(raters.map((r) => r.enter()));
    // Raters consent and start while sweeps (whose clock is past everyone's time) run alongside.
    const sweeps = Array.from({ length: 6 }, (_, i) => new Promise((resolve) => setTimeout(resolve, i * 15)).then(() => timeOutAbandonedParticipants(t.db.sql, minutesLater(6), CLI_ACTOR, { batchId: batch.id })));
    await Promise.all([...raters.map((r) => r.consentAndStart()), ...sweeps]);
    const tasks = await t.db.prisma.task.findMany({ where: { batchId: batch.id }, select: { id: true, load: true } });
    const held = await t.db.prisma.assignment.findMany({ where: { participant: { batchId: batch.id, status: { in: ['consenting', 'active', 'completed'] } } }, select: { taskId: true } });
    const answered = await t.db.prisma.answer.findMany({ where: { participant: { batchId: batch.id, status: { in: ['timed_out', 'returned'] } } }, select: { taskId: true } });
    const expected = new Map<string, number>();
    for (const { taskId } of [...held, ...answered]) expected.set(taskId, (expected.get(taskId) ?? 0) + 1);
    for (const task of tasks) expect(task.load).toBe(expected.get(task.id) ?? 0);
    const row = await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } });
    expect(row.placesTaken).toBe(await t.db.prisma.participant.count({ where: { batchId: batch.id, status: { in: ['consenting', 'active', 'completed'] } } }));
  });

  it('runs on a schedule inside the server', async () => {
    const batch = await createOpenBatch(t.db, { raters: 2, maxMinutes: 5 }, 120);
    const rater = new Rater(t.app, batch);
    await rater.enter();
    const messages: string[] = [];
    const sweep = startTimeoutSweep(t.db.sql, { everyMs: 20, log: (m) => messages.push(m), now: () => minutesLater(6) });
    try {
      await expect.poll(async () => (await participantOf(t.db.prisma, rater)).status, { timeout: 5_000 }).toBe('timed_out');
    } finally {
      sweep.stop();
    }
    expect(messages.some((m) => /timed out \d+ participant/.test(m))).toBe(true);
  });

  it('times out on demand through the API', async () => {
    const batch = await createOpenBatch(t.db, { raters: 2, maxMinutes: 5 }, 120);
    const res = await request(t.app).post(`/api/v1/batches/${batch.id}/timeouts`).set(t.auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ timedOut: [] });
  });
});
