import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kindsOfBits, OPTION_KINDS, OTHER_OPTION_TEXT } from '../../src/core/option-kinds.js';
import { changeBatchStatus, type Batch } from '../../src/db/batches.js';
import { csrfFrom } from '../helpers/console.js';
import { createOpenBatch, optionIdsOf, questionNumberOf, Rater, participantOf } from '../helpers/rater.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { TEST_ACTOR } from '../helpers/actor.js';

let t: TestApp;
let batch: Batch;
beforeAll(async () => {
  t = await createTestApp();
  batch = await createOpenBatch(t.db);
});
afterAll(async () => {
  await t?.drop();
});


describe('a whole session', () => {
  let rater: Rater;
  let last: string;
  beforeAll(async () => {
    rater = new Rater(t.app, batch);
    last = await rater.completeAll();
  });

  it('ends on the completion page with the code and the Prolific redirect', () => {
    expect(last).toContain('C0MPLETE');
    expect(last).toContain('href="https://app.prolific.com/submissions/complete?cc=C0MPLETE"');
    expect(last).toMatch(/<meta http-equiv="refresh" content="5;url=https:\/\/app.prolific.com\/submissions\/complete\?cc=C0MPLETE">/);
  });

  it('shows "Question n of 22" for n = 1..22 in order: 20 study questions and 2 attention checks', () => {
    const numbers = rater.pages.map(questionNumberOf).filter((n) => n !== null);
    expect(numbers).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    expect(rater.pages.every((p) => questionNumberOf(p) === null || p.includes('of 22'))).toBe(true);
  });

  it('stores 20 answers, one per question, with the option order shown and server timings', async () => {
    const participant = await participantOf(t.db.prisma, rater);
    expect(participant.status).toBe('completed');
    expect(participant.studyId).toBe(rater.ids.STUDY_ID);
    expect(participant.sessionId).toBe(rater.ids.SESSION_ID);
    const answers = await t.db.prisma.answer.findMany({ where: { participantId: participant.id }, orderBy: { position: 'asc' }, include: { task: { include: { options: true } } } });
    expect(answers.map((a) => a.position)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(new Set(answers.map((a) => a.taskId)).size).toBe(20);
    for (const a of answers) {
      const kindOf = new Map(a.task.options.map((o) => [o.id, o.kind]));
      expect(a.optionOrder).toHaveLength(6);
      expect(kindOf.get(a.optionOrder[5] as string)).toBe('other');
      expect(new Set(a.optionOrder.map((id) => kindOf.get(id)))).toEqual(new Set(OPTION_KINDS));
      expect(a.selectedOptionIds).toEqual(a.optionOrder.slice(0, 2));
      // The kinds stored with the answer (as bits) are the selected options' kinds.
      expect(kindsOfBits(a.selectedKinds)).toEqual(OPTION_KINDS.filter((k) => a.selectedOptionIds.some((id) => kindOf.get(id) === k)));
      expect(a.shownAt.getTime()).toBeLessThanOrEqual(a.answeredAt.getTime());
    }
    expect(participant.completedAt?.getTime()).toBeGreaterThanOrEqual(answers.at(-1)?.answeredAt.getTime() ?? Infinity);
  });

  it('never shows an option kind in any page a rater sees', () => {
    const texts = new Set<string>();
    for (const page of rater.pages) for (const m of page.matchAll(/<span>([^<]*)<\/span><\/label>/g)) texts.add(m[1] as string);
    expect(texts.size).toBeGreaterThan(20);
    const kindWords = new RegExp(`\\b(${OPTION_KINDS.join('|')}|kind)\\b`, 'i');
    for (const page of rater.pages) {
      let rest = page.replaceAll(OTHER_OPTION_TEXT, '').replaceAll('Other reason(s)', '');
      for (const text of texts) rest = rest.replaceAll(text, '');
      // Prompts and responses come from the dataset, not from us.
      rest = rest.replace(/<div class="md">[\s\S]*?<\/div>/g, '');
      expect(rest).not.toMatch(kindWords);
    }
  });

  it('shows the preferred response as Response 1', () => {
    const question = rater.pages.find((p) => questionNumberOf(p) === 1) ?? '';
    expect(question).toMatch(/Response 1 <span class="tag">preferred by most people<\/span>/);
    expect(question).toContain('Response 1 is preferred because');
  });

  it('keeps showing the completion page on a later visit', async () => {
    expect(await rater.session()).toContain('C0MPLETE');
  });
});

describe('resume and resubmits', () => {
  it('resumes at the first unanswered question after re-entry, with one participant record', async () => {
    const rater = new Rater(t.app, batch);
    let page = await rater.consentAndStart();
    for (let i = 0; i < 5; i++) page = await rater.answer(page);
    expect(questionNumberOf(page)).toBe(6);
    const again = new Rater(t.app, batch);
    Object.assign(again.ids, rater.ids);
    const resumed = await again.enter();
    expect(questionNumberOf(resumed)).toBe(6);
    expect(await t.db.prisma.participant.count({ where: { batchId: batch.id, prolificPid: rater.ids.PROLIFIC_PID } })).toBe(1);
  });

  it('ignores a resubmit of an answered question and shows the current one, saying why', async () => {
    const rater = new Rater(t.app, batch);
    const first = await rater.consentAndStart();
    const second = await rater.answer(first, (ids) => ids.slice(0, 1));
    const before = await t.db.prisma.answer.findMany({ where: { participantId: (await participantOf(t.db.prisma, rater)).id } });
    // The back button: post question 1 again with a different selection.
    const res = await rater.post('answer', { csrf: csrfFrom(first), position: '0', option: optionIdsOf(first).slice(2, 5) });
    expect(res.status).toBe(200);
    expect(res.text).toContain('This question was already answered (a second click, or another tab or window)');
    expect(questionNumberOf(res.text)).toBe(questionNumberOf(second));
    const after = await t.db.prisma.answer.findMany({ where: { participantId: (await participantOf(t.db.prisma, rater)).id } });
    expect(after).toEqual(before);
    expect(questionNumberOf(await rater.session())).toBe(questionNumberOf(second));
  });

  it('stores one row for 20 concurrent submits of the same answer', async () => {
    const rater = new Rater(t.app, batch);
    const page = await rater.consentAndStart();
    const form = { csrf: csrfFrom(page), position: '0', option: optionIdsOf(page).slice(0, 3) };
    const results = await Promise.all(Array.from({ length: 20 }, () => rater.post('answer', form)));
    // One is stored (redirect to the next question); the others are told it was already answered.
    expect(results.filter((r) => r.status === 303)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 303)) expect([r.status, r.text.includes('already answered')]).toEqual([200, true]);
    const participant = await participantOf(t.db.prisma, rater);
    expect(await t.db.prisma.answer.count({ where: { participantId: participant.id } })).toBe(1);
    expect(questionNumberOf(await rater.session())).toBe(2);
  });

  it('asks again, with the same options, when no reason is ticked', async () => {
    const rater = new Rater(t.app, batch);
    const page = await rater.consentAndStart();
    const res = await rater.post('answer', { csrf: csrfFrom(page), position: '0' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Please tick at least one reason');
    expect(optionIdsOf(res.text)).toEqual(optionIdsOf(page));
    expect(await t.db.prisma.answer.count({ where: { participantId: (await participantOf(t.db.prisma, rater)).id } })).toBe(0);
  });

  it('refuses an answer to a question not shown yet (no skipping ahead)', async () => {
    const rater = new Rater(t.app, batch);
    const page = await rater.consentAndStart();
    const participant = await participantOf(t.db.prisma, rater);
    const later = await t.db.prisma.assignment.findUniqueOrThrow({ where: { participantId_position: { participantId: participant.id, position: 5 } } });
    const res = await rater.post('answer', { csrf: csrfFrom(page), position: '5', option: later.optionOrder.slice(0, 1) });
    expect(res.status).toBe(200);
    expect(res.text).toContain('That page was out of date. Here is the question you are on.');
    expect(await t.db.prisma.answer.count({ where: { participantId: participant.id } })).toBe(0);
    expect(questionNumberOf(await rater.session())).toBe(1);
  });

  it('refuses option ids of another question, saying the form is out of date', async () => {
    const rater = new Rater(t.app, batch);
    const page = await rater.consentAndStart();
    const res = await rater.post('answer', { csrf: csrfFrom(page), position: '0', option: ['o_notanoptionofthis'] });
    expect(res.status).toBe(422);
    expect(res.text).toContain('This form is out of date');
    expect(res.text).not.toMatch(/id="answer-error">Please tick/);
  });

  it('links a rater who declined back to Prolific to return the study', async () => {
    const rater = new Rater(t.app, batch);
    const consent = await rater.enter();
    await rater.post('consent', { csrf: csrfFrom(consent), decision: 'decline' });
    expect(await rater.session()).toContain('href="https://app.prolific.com/submissions"');
  });

  it('refuses a form without the right token with 403', async () => {
    const rater = new Rater(t.app, batch);
    const page = await rater.consentAndStart();
    const res = await rater.post('answer', { csrf: 'forged', position: '0', option: optionIdsOf(page).slice(0, 1) });
    expect(res.status).toBe(403);
  });
});

describe('entry pages', () => {
  it('asks to open the study from Prolific when ids are missing or malformed', async () => {
    for (const query of [{}, { PROLIFIC_PID: 'abc', STUDY_ID: 'x', SESSION_ID: 'y' }, { PROLIFIC_PID: '<script>', STUDY_ID: '1', SESSION_ID: '2' }]) {
      const res = await new Rater(t.app, batch).agent.get(`/s/${batch.id}`).query(query);
      expect(res.status).toBe(400);
      expect(res.text).toContain('Please open this study from Prolific');
      expect(res.text).not.toContain('<script>');
    }
  });

  it('answers an unknown study link with a 404 page', async () => {
    const res = await new Rater(t.app, batch).agent.get('/s/b_nope');
    expect(res.status).toBe(404);
    expect(res.text).toContain('This study link is not valid');
  });

  it('records a decline and asks the participant to return the study', async () => {
    const rater = new Rater(t.app, batch);
    const consent = await rater.enter();
    await rater.post('consent', { csrf: csrfFrom(consent), decision: 'decline' });
    const page = await rater.session();
    expect(page).toContain('return the study');
    const participant = await participantOf(t.db.prisma, rater);
    expect(participant.status).toBe('declined');
    expect(await t.db.prisma.assignment.count({ where: { participantId: participant.id } })).toBe(0);
  });

  it('turns newcomers away from a closed batch but lets a rater mid-session finish and get the completion code', async () => {
    const closedBatch = await createOpenBatch(t.db, {}, 120);
    const midway = new Rater(t.app, closedBatch);
    let page = await midway.consentAndStart();
    await changeBatchStatus(t.db.prisma, closedBatch, 'closed', new Date(), TEST_ACTOR);
    const newcomer = await new Rater(t.app, closedBatch).enter();
    expect(newcomer).toContain('This study is closed');
    expect(newcomer).toContain('return the study');
    expect(questionNumberOf(await midway.session())).toBe(1);
    while (questionNumberOf(page) !== null) page = await midway.answer(page);
    expect(page).toContain(closedBatch.completionCode);
    const stored = await participantOf(t.db.prisma, midway);
    expect(stored.status).toBe('completed');
  });

  it('turns away a new rater when every place is taken, but lets the others resume', async () => {
    const small = await createOpenBatch(t.db, { raters: 1 }, 120);
    const first = new Rater(t.app, small);
    await first.consentAndStart();
    expect(await new Rater(t.app, small).enter()).toContain('This study is full');
    expect(questionNumberOf(await first.enter())).toBe(1);
  });

  it('lets raters already in a paused batch carry on, but takes no new ones', async () => {
    const paused = await createOpenBatch(t.db, {}, 120);
    const inside = new Rater(t.app, paused);
    const page = await inside.consentAndStart();
    await changeBatchStatus(t.db.prisma, paused, 'paused', new Date(), TEST_ACTOR);
    expect(questionNumberOf(await inside.answer(page))).toBe(2);
    expect(questionNumberOf(await inside.enter())).toBe(2);
    expect(await new Rater(t.app, paused).enter()).toContain('This study is not open right now');
  });

  it('gives the place and the tasks of a returned participant to a new rater, keeping their answers', async () => {
    const small = await createOpenBatch(t.db, { raters: 2, questions: 20 }, 160); // 40 tasks
    const [gone, stays] = [new Rater(t.app, small), new Rater(t.app, small)];
    await gone.answer(await gone.consentAndStart());
    await stays.consentAndStart();
    expect(await new Rater(t.app, small).enter()).toContain('This study is full');
    const tasksOf = async (rater: Rater) => {
      const p = await participantOf(t.db.prisma, rater);
      return { id: p.id, tasks: (await t.db.prisma.assignment.findMany({ where: { participantId: p.id } })).map((a) => a.taskId).sort() };
    };
    const goneRow = await tasksOf(gone);
    const res = await request(t.app).post(`/api/v1/batches/${small.id}/participants/${goneRow.id}/return`).set(t.auth);
    expect(res.status).toBe(200);
    // The one task they answered keeps its rating (the answer stays); the 19 others are free again.
    const answered = (await t.db.prisma.answer.findFirstOrThrow({ where: { participantId: goneRow.id } })).taskId;
    const loadOf = async (taskId: string) => (await t.db.prisma.task.findUniqueOrThrow({ where: { id: taskId } })).load;
    expect(await loadOf(answered)).toBe(1);
    for (const id of goneRow.tasks.filter((task) => task !== answered)) expect(await loadOf(id)).toBe(0);
    const next = new Rater(t.app, small);
    expect(questionNumberOf(await next.consentAndStart())).toBe(1);
    // Those 19 are the least rated, so the newcomer gets them. (Their 20th task comes from the 21
    // rated once, the answered one among them, so which one it is is left to chance.)
    const nextTasks = (await tasksOf(next)).tasks;
    expect(nextTasks).toEqual(expect.arrayContaining(goneRow.tasks.filter((id) => id !== answered)));
    expect(await t.db.prisma.answer.count({ where: { participantId: goneRow.id } })).toBe(1);
    expect(await gone.session()).toContain('return the study');
    expect((await request(t.app).post(`/api/v1/batches/${small.id}/participants/${goneRow.id}/return`).set(t.auth)).status).toBe(409);
  });

  it('says a draft batch has not started yet', async () => {
    const draft = await createOpenBatch(t.db, {}, 120);
    await t.db.prisma.batch.update({ where: { id: draft.id }, data: { status: 'draft' } });
    expect(await new Rater(t.app, draft).enter()).toContain('This study is not open right now');
  });

  it('ignores a forged participant cookie', async () => {
    const res = await new Rater(t.app, batch).agent.get(`/s/${batch.id}/session`).set('Cookie', `pb_p_${batch.id}=forged`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Please open this study from Prolific');
  });
});

it('logs no server error during these tests', () => {
  expect(t.logged).toEqual([]);
});
