// Prolific operations against a local stand-in of Prolific's API (issue 11.1 and 11.4): sync frees
// the places of returned, timed-out and rejected submissions and flags unknown sessions; the review
// approves everyone who did not fail two checks and rejects exactly those who did.
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import type { Batch } from '../../src/db/batches.js';
import { timeOutAbandonedParticipants } from '../../src/db/timeouts.js';
import { CLI_ACTOR } from '../../src/db/audit.js';
import { ProlificClient } from '../../src/prolific/client.js';
import { startProlificSync } from '../../src/jobs/prolific-sync.js';
import { createOpenBatch, prolificId, Rater, participantOf } from '../helpers/rater.js';
import { simulateRaters } from '../helpers/simulate.js';
import { startProlificStandIn, type ProlificStandIn } from '../helpers/prolific-stand-in.js';
import { csrfFrom, makeAccount, signIn } from '../helpers/console.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { TEST_ACTOR } from '../helpers/actor.js';

const P = { generated: 0.75, category: 0.45, category_topic: 0.5, control: 0.12, control_topic: 0.15, other: 0.08 };
const STUDY = 'abcdefabcdefabcdefabcdef';
let standIn: ProlificStandIn;
let t: TestApp;

beforeAll(async () => {
  standIn = await startProlificStandIn();
  const client = new ProlificClient({ baseUrl: standIn.url, token: standIn.token, sleep: async () => {}, backoffMs: 1 });
  t = await createTestApp({ prolific: client });
});
afterAll(async () => {
  await t?.drop();
  await standIn?.close();
});
beforeEach(() => {
  standIn.submissions.length = 0;
  standIn.calls.length = 0;
  Object.assign(standIn.paging, { links: 'absolute', maxPageSize: 1000, nextOnLastPage: false });
  standIn.throttle.retryAfter = '0';
  for (const id of Object.keys(standIn.studies)) delete standIn.studies[id];
});

/** Raters entering with the study's id, each with a submission on the stand-in in `status`. */
async function ratersWithSubmissions(batch: Batch, statuses: string[]): Promise<Rater[]> {
  const raters: Rater[] = [];
  for (const status of statuses) {
    const rater = new Rater(t.app, batch);
    Object.assign(rater.ids, { STUDY_ID: STUDY });
    await rater.consentAndStart();
    standIn.submissions.push({ id: rater.ids.SESSION_ID, participant_id: rater.ids.PROLIFIC_PID, study_id: STUDY, status });
    raters.push(rater);
  }
  return raters;
}


describe('Prolific sync', () => {
  it('takes the study id from the first entry, frees returned, timed-out and rejected places, keeps answers, flags unknown sessions; the next rater gets a freed place', async () => {
    const batch = await createOpenBatch(t.db, { raters: 5 }, 300);
    const [active, returned, timedOut, rejected, awaiting] = await ratersWithSubmissions(batch, ['ACTIVE', 'RETURNED', 'TIMED-OUT', 'REJECTED', 'AWAITING REVIEW']);
    await (returned as Rater).answer(await (returned as Rater).session());
    // A made-up entry: its SESSION_ID is no submission of the study (and the batch is now full).
    standIn.submissions.pop();
    expect((await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } })).prolificStudyId).toBe(STUDY);
    expect(await new Rater(t.app, batch).enter()).toContain('Study full');

    const res = await request(t.app).post(`/api/v1/batches/${batch.id}/prolific/sync`).set(t.auth);
    expect(res.status).toBe(200);
    expect(res.body.matched).toBe(4);
    expect(res.body.freed.map((f: { status: string }) => f.status).sort()).toEqual(['rejected', 'returned', 'timed_out']);
    expect((await participantOf(t.db.prisma, returned as Rater)).status).toBe('returned');
    expect((await participantOf(t.db.prisma, timedOut as Rater)).status).toBe('timed_out');
    expect((await participantOf(t.db.prisma, rejected as Rater)).status).toBe('rejected');
    const kept = await participantOf(t.db.prisma, active as Rater);
    expect([kept.status, kept.prolificStatus]).toEqual(['active', 'ACTIVE']);
    expect((await participantOf(t.db.prisma, returned as Rater)).prolificStatus).toBe('RETURNED');
    const flagged = await participantOf(t.db.prisma, awaiting as Rater);
    expect(flagged.sessionUnknown).toBe(true);
    expect(res.body.unknownSessions).toEqual([flagged.id]);
    expect(await t.db.prisma.answer.count({ where: { participant: { batchId: batch.id, prolificPid: (returned as Rater).ids.PROLIFIC_PID } } })).toBe(1);
    const after = await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } });
    expect(after.placesTaken).toBe(2);
    expect(await new Rater(t.app, batch).consentAndStart()).toMatch(/Question 1 of/);
    const events = await t.db.prisma.auditEvent.findMany({ where: { batchId: batch.id, actor: { not: TEST_ACTOR.name } } });
    expect(events.map((e) => e.action).sort()).toEqual(['batch.prolific_sync', 'participant.rejected', 'participant.returned', 'participant.timed_out']);
  });

  it('shows an entry the sync could not find, still mid-session, on the participants page and in the answers export', async () => {
    const batch = await createOpenBatch(t.db, { raters: 5 }, 300);
    const [real, madeUp] = await ratersWithSubmissions(batch, ['ACTIVE', 'ACTIVE']);
    standIn.submissions.pop();
    await (madeUp as Rater).answer(await (madeUp as Rater).session());
    await request(t.app).post(`/api/v1/batches/${batch.id}/prolific/sync`).set(t.auth).expect(200);
    await makeAccount(t.db.prisma, `r-${batch.id}@example.org`, 'researcher');
    const researcher = await signIn(t.app, `r-${batch.id}@example.org`);
    const page = (await researcher.agent.get(`/console/batches/${batch.id}/participants`)).text;
    const rowOf = (pid: string) => new RegExp(`<tr>\\s*<td><a [^>]*><code>${pid}</code></a>([^\\n]*)`).exec(page)?.[1] ?? '';
    expect(rowOf((madeUp as Rater).ids.PROLIFIC_PID)).toContain('unknown session');
    expect(rowOf((real as Rater).ids.PROLIFIC_PID)).not.toContain('unknown session');
    const csv = (await request(t.app).get(`/api/v1/batches/${batch.id}/answers?format=csv`).set(t.auth)).text;
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.prolific_pid, r.session_unknown])).toEqual([[(madeUp as Rater).ids.PROLIFIC_PID, 'true']]);
  });

  it('follows every page of submissions and rides out a 429 and a 500', async () => {
    const batch = await createOpenBatch(t.db, { raters: 300, questions: 5 }, 1600);
    const raters = await ratersWithSubmissions(batch, Array.from({ length: 3 }, () => 'RETURNED'));
    // 250 other submissions of the study: three pages of 100, ours on the last one.
    const others = Array.from({ length: 250 }, () => ({ id: prolificId(), participant_id: prolificId(), study_id: STUDY, status: 'APPROVED' }));
    standIn.submissions.unshift(...others);
    standIn.failNext(429, 500);
    const res = await request(t.app).post(`/api/v1/batches/${batch.id}/prolific/sync`).set(t.auth);
    expect(res.status).toBe(200);
    expect(res.body.submissions).toBe(253);
    expect(res.body.freed).toHaveLength(3);
    const listCalls = standIn.calls.filter((c) => c.path === '/api/v1/submissions/');
    expect(listCalls.map((c) => c.query.page)).toEqual(['1', '1', '1', '2', '3']);
    for (const r of raters) expect((await participantOf(t.db.prisma, r)).status).toBe('returned');
  });

  it('answers 409 with what to do for a batch without a study id', async () => {
    const batch = await createOpenBatch(t.db, { raters: 5 }, 300);
    const res = await request(t.app).post(`/api/v1/batches/${batch.id}/prolific/sync`).set(t.auth);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/no Prolific study id/);
  });

  it('gives up after five failed tries and says what Prolific answered, changing nothing', async () => {
    const batch = await createOpenBatch(t.db, { raters: 5 }, 300);
    const [rater] = await ratersWithSubmissions(batch, ['RETURNED']);
    standIn.failNext(503, 503, 503, 503, 503);
    const res = await request(t.app).post(`/api/v1/batches/${batch.id}/prolific/sync`).set(t.auth);
    expect(res.status).toBe(502);
    expect(res.body.error.message).toMatch(/Prolific API list submissions failed with 503/);
    expect((await participantOf(t.db.prisma, rater as Rater)).status).toBe('active');
    expect(standIn.calls.filter((c) => c.path === '/api/v1/submissions/')).toHaveLength(5);
    t.logged.splice(0);
  });

  it('never times out a participant Prolific still shows ACTIVE', async () => {
    const batch = await createOpenBatch(t.db, { raters: 5 }, 300);
    const [active, gone] = await ratersWithSubmissions(batch, ['ACTIVE', 'ACTIVE']);
    (standIn.submissions[1] as { status: string }).status = 'AWAITING REVIEW';
    await request(t.app).post(`/api/v1/batches/${batch.id}/prolific/sync`).set(t.auth).expect(200);
    const later = new Date(Date.now() + 61 * 60_000);
    const timedOut = await timeOutAbandonedParticipants(t.db.sql, later, CLI_ACTOR, { batchId: batch.id, keepProlificActive: true });
    expect(timedOut.map((p) => p.participantId)).toEqual([(await participantOf(t.db.prisma, gone as Rater)).id]);
    expect((await participantOf(t.db.prisma, active as Rater)).status).toBe('active');
  });
});

describe('Prolific client paging', () => {
  const client = () => new ProlificClient({ baseUrl: standIn.url, token: standIn.token, sleep: async () => {}, backoffMs: 1 });
  const fill = (n: number) => standIn.submissions.push(...Array.from({ length: n }, () => ({ id: prolificId(), participant_id: prolificId(), study_id: STUDY, status: 'ACTIVE' })));

  it('reads every page when Prolific serves fewer per page than asked, and resolves relative next links against the page', async () => {
    fill(120);
    Object.assign(standIn.paging, { links: 'relative', maxPageSize: 50 });
    const all = await client().listSubmissions(STUDY);
    expect(all).toHaveLength(120);
    expect(standIn.calls.map((c) => c.path)).toEqual(Array(3).fill('/api/v1/submissions/'));
  });

  it('stops after a page shorter than the pages before it, even when it carries a next link', async () => {
    fill(120);
    Object.assign(standIn.paging, { maxPageSize: 50, nextOnLastPage: true });
    expect(await client().listSubmissions(STUDY)).toHaveLength(120);
    expect(standIn.calls.map((c) => c.query.page)).toEqual(['1', '2', '3']);
  });

  it('stops at a next link pointing back to a page already read, and never follows one to another host', async () => {
    fill(150);
    standIn.paging.links = 'self';
    expect(await client().listSubmissions(STUDY)).toHaveLength(100);
    expect(standIn.calls).toHaveLength(1);
    standIn.paging.links = 'other-host';
    await expect(client().listSubmissions(STUDY)).rejects.toThrow(/another host/);
  });
});

describe("Prolific's time for the study", () => {
  it("raises the batch's minutes per rater to Prolific's maximum time when shorter, audited, and never lowers them", async () => {
    const batch = await createOpenBatch(t.db, { raters: 5, maxMinutes: 30, prolificStudyId: STUDY }, 300);
    standIn.studies[STUDY] = { maximum_allowed_time: 75 };
    const res = await request(t.app).post(`/api/v1/batches/${batch.id}/prolific/sync`).set(t.auth).expect(200);
    expect(res.body.maxMinutesRaised).toEqual({ from: 30, to: 75 });
    expect(res.body.message).toContain('from 30 to 75');
    expect((await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } })).maxMinutes).toBe(75);
    expect(await t.db.prisma.auditEvent.count({ where: { batchId: batch.id, action: 'batch.max_minutes' } })).toBe(1);
    standIn.studies[STUDY] = { maximum_allowed_time: 40 };
    expect((await request(t.app).post(`/api/v1/batches/${batch.id}/prolific/sync`).set(t.auth).expect(200)).body.maxMinutesRaised).toBeNull();
    expect((await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } })).maxMinutes).toBe(75);
  });
});

describe('comprehension return flow', () => {
  it('asks Prolific for the return (never a rejection) of a rater wrong twice on the comprehension question, once, audited', async () => {
    const batch = await createOpenBatch(t.db, { raters: 5, comprehensionCheck: true, prolificStudyId: STUDY }, 300);
    const rater = new Rater(t.app, batch);
    Object.assign(rater.ids, { STUDY_ID: STUDY });
    standIn.submissions.push({ id: rater.ids.SESSION_ID, participant_id: rater.ids.PROLIFIC_PID, study_id: STUDY, status: 'ACTIVE' });
    const consent = await rater.enter();
    await rater.post('consent', { csrf: csrfFrom(consent), decision: 'agree' });
    for (const wrong of ['all', 'longest']) await rater.post('start', { csrf: csrfFrom(await rater.session()), understanding: wrong });
    expect(await rater.session()).toContain('your Prolific submissions');
    const stored = await participantOf(t.db.prisma, rater);
    for (let i = 0; i < 100 && (await participantOf(t.db.prisma, rater)).reviewAction !== 'return_requested'; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await participantOf(t.db.prisma, rater)).reviewAction).toBe('return_requested');
    const calls = standIn.calls.filter((c) => c.method === 'POST');
    expect(calls.map((c) => c.path)).toEqual([`/api/v1/submissions/${stored.sessionId}/request-return/`]);
    expect(calls[0]?.body).toEqual({ request_return_reasons: [expect.stringContaining('not rejected')] });
    expect(await t.db.prisma.auditEvent.count({ where: { batchId: batch.id, action: 'participant.review.return_requested' } })).toBe(1);
    // The review never acts on them again.
    expect((await request(t.app).post(`/api/v1/batches/${batch.id}/review/apply`).set(t.auth).send({})).body).toEqual({ approved: [], rejected: [], returnRequested: [] });
  });
});

describe('Prolific client back-off', () => {
  const fill = (n: number) => standIn.submissions.push(...Array.from({ length: n }, () => ({ id: prolificId(), participant_id: prolificId(), study_id: STUDY, status: 'ACTIVE' })));

  it('waits as long as Retry-After says after a 429, and doubles its own back-off after a 5xx or a 429 without it', async () => {
    fill(5);
    const waits: number[] = [];
    const client = new ProlificClient({ baseUrl: standIn.url, token: standIn.token, sleep: async (ms) => void waits.push(ms), backoffMs: 100 });
    standIn.throttle.retryAfter = '3';
    standIn.failNext(429, 503, 502);
    expect(await client.listSubmissions(STUDY)).toHaveLength(5);
    expect(waits).toEqual([3000, 200, 400]);
    waits.length = 0;
    standIn.throttle.retryAfter = null;
    standIn.failNext(429, 429);
    expect(await client.listSubmissions(STUDY)).toHaveLength(5);
    expect(waits).toEqual([100, 200]);
  });

  it('really pauses before trying again after a 429 (no sleep stand-in)', async () => {
    fill(1);
    standIn.throttle.retryAfter = '1';
    standIn.failNext(429);
    const started = performance.now();
    expect(await new ProlificClient({ baseUrl: standIn.url, token: standIn.token }).listSubmissions(STUDY)).toHaveLength(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    const times = standIn.calls.map((c) => c.at);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
  });
});

describe('scheduled sync', () => {
  it('frees the places Prolific shows returned on its own schedule, batch by batch', async () => {
    const batch = await createOpenBatch(t.db, { raters: 5, prolificStudyId: STUDY }, 300);
    const [gone, staying] = await ratersWithSubmissions(batch, ['RETURNED', 'ACTIVE']);
    const messages: string[] = [];
    const client = new ProlificClient({ baseUrl: standIn.url, token: standIn.token, sleep: async () => {}, backoffMs: 1 });
    const job = startProlificSync(t.db, client, { everyMs: 20, log: (m) => messages.push(m) });
    try {
      // Until the run that freed the place has ended too (it logs after reading the study's time limit).
      const freedLogged = () => messages.some((m) => m.startsWith('Prolific sync freed'));
      for (let i = 0; i < 250 && ((await participantOf(t.db.prisma, gone as Rater)).status !== 'returned' || !freedLogged()); i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      job.stop();
    }
    expect((await participantOf(t.db.prisma, gone as Rater)).status).toBe('returned');
    expect((await participantOf(t.db.prisma, staying as Rater)).status).toBe('active');
    expect(messages).toContain(`Prolific sync freed 1 place(s) in batch ${batch.id}`);
    expect(await t.db.prisma.auditEvent.count({ where: { batchId: batch.id, action: { contains: 'prolific' } } })).toBeGreaterThan(0);
  });
});

describe('study id', () => {
  it('can be corrected after a made-up first entry set it, and the next sync then frees the real places', async () => {
    const batch = await createOpenBatch(t.db, { raters: 5 }, 300);
    const fake = new Rater(t.app, batch);
    await fake.consentAndStart();
    const [real] = await ratersWithSubmissions(batch, ['RETURNED']);
    const first = await request(t.app).post(`/api/v1/batches/${batch.id}/prolific/sync`).set(t.auth);
    expect(first.body.matched).toBe(0);
    expect(first.body.message).toMatch(/is the study id right\?/);
    const set = await request(t.app).post(`/api/v1/batches/${batch.id}/prolific/study`).set(t.auth).send({ studyId: STUDY.toUpperCase() });
    expect(set.body.batch.prolificStudyId).toBe(STUDY);
    expect((await request(t.app).post(`/api/v1/batches/${batch.id}/prolific/study`).set(t.auth).send({ studyId: 'nope' })).status).toBe(422);
    const second = await request(t.app).post(`/api/v1/batches/${batch.id}/prolific/sync`).set(t.auth);
    expect(second.body.freed).toHaveLength(1);
    expect((await participantOf(t.db.prisma, real as Rater)).status).toBe('returned');
    expect(await t.db.prisma.auditEvent.count({ where: { batchId: batch.id, action: 'batch.prolific_study' } })).toBe(1);
  });
});

describe('review and approvals', () => {
  it("never sends a made-up entry to Prolific, and keeps a rejected rater's finished session in the metrics", async () => {
    const batch = await createOpenBatch(t.db, { raters: 10, prolificStudyId: STUDY }, 300);
    await simulateRaters(t.db, batch, 2, P, createRng(12));
    await simulateRaters(t.db, batch, 1, P, createRng(13), { checks: 'fail' });
    const [real, , failed] = await t.db.prisma.participant.findMany({ where: { batchId: batch.id }, orderBy: { createdAt: 'asc' } });
    // The second rater's SESSION_ID is no submission of the study.
    for (const p of [real, failed]) standIn.submissions.push({ id: p?.sessionId ?? '', participant_id: p?.prolificPid ?? '', study_id: STUDY, status: 'AWAITING REVIEW' });
    const everyone = async () => (await request(t.app).get(`/api/v1/batches/${batch.id}/metrics?exclusions=none&rounds=100`).set(t.auth)).body.overall.n.raters;
    expect(await everyone()).toBe(3);
    const applied = await request(t.app).post(`/api/v1/batches/${batch.id}/review/apply`).set(t.auth).send({});
    expect(applied.body).toEqual({ approved: [real?.prolificPid], rejected: [failed?.prolificPid], returnRequested: [] });
    expect(await everyone()).toBe(3);
    const rejected = await t.db.prisma.participant.findUniqueOrThrow({ where: { id: failed?.id } });
    expect(rejected.status).toBe('rejected');
  });

  it('acts once on each participant when two reviews are applied at once', async () => {
    const batch = await createOpenBatch(t.db, { raters: 10, prolificStudyId: STUDY }, 300);
    await simulateRaters(t.db, batch, 3, P, createRng(14));
    await simulateRaters(t.db, batch, 3, P, createRng(15), { checks: 'fail' });
    for (const p of await t.db.prisma.participant.findMany({ where: { batchId: batch.id } })) standIn.submissions.push({ id: p.sessionId, participant_id: p.prolificPid, study_id: STUDY, status: 'AWAITING REVIEW' });
    const [a, b] = await Promise.all([
      request(t.app).post(`/api/v1/batches/${batch.id}/review/apply`).set(t.auth).send({ failedChecks: 'reject' }),
      request(t.app).post(`/api/v1/batches/${batch.id}/review/apply`).set(t.auth).send({ failedChecks: 'request-return' }),
    ]);
    const approved = [...a.body.approved, ...b.body.approved];
    const failedActions = [...a.body.rejected, ...a.body.returnRequested, ...b.body.rejected, ...b.body.returnRequested];
    expect(approved).toHaveLength(3);
    expect(new Set(approved).size).toBe(3);
    expect(failedActions).toHaveLength(3);
    expect(new Set(failedActions).size).toBe(3);
    const posts = standIn.calls.filter((c) => c.method === 'POST');
    expect(posts.filter((c) => c.path.endsWith('/transition/') || c.path.endsWith('/request-return/'))).toHaveLength(3);
    expect(posts.filter((c) => c.path.endsWith('/bulk-approve/')).flatMap((c) => (c.body as { participant_ids: string[] }).participant_ids)).toHaveLength(3);
  });

  it('approves everyone who did not fail two checks in one bulk call and rejects exactly the two-check failures; a second apply does nothing', async () => {
    const batch = await createOpenBatch(t.db, { raters: 10, prolificStudyId: STUDY }, 300);
    await simulateRaters(t.db, batch, 3, P, createRng(5));
    await simulateRaters(t.db, batch, 2, P, createRng(6), { checks: 'fail' });
    const participants = await t.db.prisma.participant.findMany({ where: { batchId: batch.id }, orderBy: { createdAt: 'asc' } });
    for (const p of participants) standIn.submissions.push({ id: p.sessionId, participant_id: p.prolificPid, study_id: STUDY, status: 'AWAITING REVIEW' });
    const [good, bad] = [participants.slice(0, 3), participants.slice(3)];

    const review = await request(t.app).get(`/api/v1/batches/${batch.id}/review`).set(t.auth);
    expect(review.status).toBe(200);
    expect(review.body.plan.approve.sort()).toEqual(good.map((p) => p.prolificPid).sort());
    expect(review.body.plan.reject.sort()).toEqual(bad.map((p) => p.prolificPid).sort());
    expect(standIn.calls).toEqual([]);

    const applied = await request(t.app).post(`/api/v1/batches/${batch.id}/review/apply`).set(t.auth).send({});
    expect(applied.status).toBe(200);
    const approveCalls = standIn.calls.filter((c) => c.path === '/api/v1/submissions/bulk-approve/');
    expect(approveCalls).toHaveLength(1);
    expect(approveCalls[0]?.body).toEqual({ study_id: STUDY, participant_ids: expect.arrayContaining(good.map((p) => p.prolificPid)) });
    expect((approveCalls[0]?.body as { participant_ids: string[] }).participant_ids).toHaveLength(3);
    const rejectCalls = standIn.calls.filter((c) => c.path.endsWith('/transition/'));
    expect(rejectCalls.map((c) => c.path).sort()).toEqual(bad.map((p) => `/api/v1/submissions/${p.sessionId}/transition/`).sort());
    for (const c of rejectCalls) expect(c.body).toMatchObject({ action: 'REJECT', rejection_category: 'FAILED_CHECK' });
    const stored = await t.db.prisma.participant.findMany({ where: { batchId: batch.id } });
    expect(stored.filter((p) => p.reviewAction === 'approved')).toHaveLength(3);
    expect(stored.filter((p) => p.reviewAction === 'rejected').map((p) => p.status)).toEqual(['rejected', 'rejected']);
    expect(await t.db.prisma.auditEvent.count({ where: { batchId: batch.id, action: { startsWith: 'participant.review.' } } })).toBe(5);

    standIn.calls.length = 0;
    const again = await request(t.app).post(`/api/v1/batches/${batch.id}/review/apply`).set(t.auth).send({});
    expect(again.body).toEqual({ approved: [], rejected: [], returnRequested: [] });
    // Only the sync's reads (submissions, the study's time): nothing sent.
    expect(standIn.calls.map((c) => c.method)).toEqual(['GET', 'GET']);
  });

  it('asks the failing raters to return instead when told to, and a researcher token cannot apply', async () => {
    const batch = await createOpenBatch(t.db, { raters: 10, prolificStudyId: STUDY }, 300);
    await simulateRaters(t.db, batch, 1, P, createRng(7), { checks: 'fail' });
    const [p] = await t.db.prisma.participant.findMany({ where: { batchId: batch.id } });
    standIn.submissions.push({ id: p?.sessionId ?? '', participant_id: p?.prolificPid ?? '', study_id: STUDY, status: 'AWAITING REVIEW' });
    const res = await request(t.app).post(`/api/v1/batches/${batch.id}/review/apply`).set(t.auth).send({ failedChecks: 'request-return' });
    expect(res.body).toEqual({ approved: [], rejected: [], returnRequested: [p?.prolificPid] });
    expect(standIn.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([`/api/v1/submissions/${p?.sessionId}/request-return/`]);
    const bad = await request(t.app).post(`/api/v1/batches/${batch.id}/review/apply`).set(t.auth).send({ failedChecks: 'ban' });
    expect(bad.status).toBe(422);
  });
});

describe('console review page', () => {
  it('lists completed raters with checks and flags, syncs with Prolific, and applies only when confirmed', async () => {
    await makeAccount(t.db.prisma, 'review-admin@example.org', 'admin');
    const admin = await signIn(t.app, 'review-admin@example.org');
    const batch = await createOpenBatch(t.db, { raters: 10, prolificStudyId: STUDY }, 300);
    await simulateRaters(t.db, batch, 2, P, createRng(8));
    await simulateRaters(t.db, batch, 1, P, createRng(9), { checks: 'fail' });
    for (const p of await t.db.prisma.participant.findMany({ where: { batchId: batch.id } })) {
      standIn.submissions.push({ id: p.sessionId, participant_id: p.prolificPid, study_id: STUDY, status: 'AWAITING REVIEW' });
    }
    const page = await admin.agent.get(`/console/batches/${batch.id}/review`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/id="plan-approve">2</);
    expect(page.text).toMatch(/id="plan-reject">1</);
    expect(page.text).toContain('failed_checks');

    const synced = await admin.agent.post(`/console/batches/${batch.id}/prolific/sync`).type('form').send({ _csrf: csrfFrom(page.text) });
    expect(synced.text).toMatch(/Read 3 submission\(s\) from Prolific; matched 3/);
    expect(synced.text).toContain('AWAITING_REVIEW');

    const unconfirmed = await admin.agent.post(`/console/batches/${batch.id}/review/apply`).type('form').send({ _csrf: csrfFrom(synced.text), failedChecks: 'reject' });
    expect(unconfirmed.status).toBe(400);
    expect(standIn.calls.filter((c) => c.method === 'POST')).toEqual([]);
    const applied = await admin.agent.post(`/console/batches/${batch.id}/review/apply`).type('form').send({ _csrf: csrfFrom(synced.text), failedChecks: 'reject', confirm: 'yes' });
    expect(applied.text).toContain('Approved 2; rejected 1; asked 0 to return.');
  });
});
