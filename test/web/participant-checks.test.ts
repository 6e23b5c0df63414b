// Attention checks in a rater's session (issue 11.2): placed at random, never first, answered apart
// from the study answers, never in R1–R6 or task loads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import type { Batch } from '../../src/db/batches.js';
import { computeBatchMetrics } from '../../src/results/metrics.js';
import { csrfFrom } from '../helpers/console.js';
import { checkTargetOf, createOpenBatch, optionIdsOf, positionOf, questionNumberOf, Rater, participantOf } from '../helpers/rater.js';
import { simulateRaters } from '../helpers/simulate.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let batch: Batch;
beforeAll(async () => {
  t = await createTestApp();
  batch = await createOpenBatch(t.db, { raters: 20 }, 300);
});
afterAll(async () => {
  await t?.drop();
});


describe('attention checks', () => {
  it('gives each rater two checks at random places after the third question, never first, and records passes', async () => {
    const placements = new Set<string>();
    for (let r = 0; r < 6; r++) {
      const rater = new Rater(t.app, batch);
      await rater.completeAll();
      const checkNumbers = rater.pages.filter((p) => checkTargetOf(p) !== null).map(questionNumberOf);
      expect(checkNumbers).toHaveLength(2);
      for (const n of checkNumbers) expect(n).toBeGreaterThanOrEqual(4);
      placements.add(checkNumbers.join(','));
      const checks = await t.db.prisma.attentionCheck.findMany({ where: { participant: { batchId: batch.id, prolificPid: rater.ids.PROLIFIC_PID } } });
      expect(checks.map((c) => c.passed)).toEqual([true, true]);
      expect((await participantOf(t.db.prisma, rater)).status).toBe('completed');
    }
    expect(placements.size).toBeGreaterThan(1);
  });

  it("shows the check's own instruction in place of the question, quoting one of its options, and never an option kind", async () => {
    const rater = new Rater(t.app, batch);
    let page = await rater.consentAndStart();
    while (checkTargetOf(page) === null) page = await rater.answer(page);
    expect(page).not.toContain('is preferred because');
    expect(page).toMatch(/<legend>[^<]*“[^”]+”[^<]*<\/legend>/);
    expect(optionIdsOf(page)).toContain(checkTargetOf(page));
    expect(page).not.toMatch(/generated|category_topic|control/);
  });

  it('records a check failed when more than the target is ticked, and keeps it out of the answers', async () => {
    const rater = new Rater(t.app, batch);
    rater.checks = 'ignore';
    await rater.completeAll();
    const participant = await participantOf(t.db.prisma, rater);
    const checks = await t.db.prisma.attentionCheck.findMany({ where: { participantId: participant.id } });
    // 'ignore' ticks the first two options: never exactly the target.
    expect(checks.map((c) => c.passed)).toEqual([false, false]);
    expect(checks.every((c) => c.selectedOptionIds.length === 2)).toBe(true);
    expect(await t.db.prisma.answer.count({ where: { participantId: participant.id } })).toBe(20);
  });

  it('stores a check answer once (a resubmit changes nothing) and refuses to answer the next question before the check', async () => {
    const rater = new Rater(t.app, batch);
    let page = await rater.consentAndStart();
    while (checkTargetOf(page) === null) page = await rater.answer(page);
    const position = positionOf(page);
    const options = optionIdsOf(page);
    // Skipping the check: the question behind it has not been shown, so nothing is stored.
    await rater.post('answer', { csrf: csrfFrom(page), position, option: options.slice(0, 1) });
    const participant = await participantOf(t.db.prisma, rater);
    expect(await t.db.prisma.answer.count({ where: { participantId: participant.id, position: Number(position) } })).toBe(0);
    const target = checkTargetOf(page) as string;
    await rater.post('answer', { csrf: csrfFrom(page), position, option: [target], check: '1' });
    await rater.post('answer', { csrf: csrfFrom(page), position, option: options.filter((o) => o !== target).slice(0, 2), check: '1' });
    const check = await t.db.prisma.attentionCheck.findFirstOrThrow({ where: { participantId: participant.id, beforePosition: Number(position) } });
    expect(check.passed).toBe(true);
    expect(check.selectedOptionIds).toEqual([target]);
    const next = await rater.session();
    expect(checkTargetOf(next)).toBeNull();
    expect(positionOf(next)).toBe(position);
  });

  it('never counts checks in R1–R6 or in task loads', async () => {
    const fresh = await createOpenBatch(t.db, { raters: 10 }, 300);
    await simulateRaters(t.db, fresh, 5, { generated: 0.8, category: 0.5, category_topic: 0.5, control: 0.1, control_topic: 0.1, other: 0.05 }, createRng(3));
    const metrics = await computeBatchMetrics(t.db.sql, { batches: [fresh], by: null, includePartial: false, rounds: 100 });
    expect(metrics.overall.n.answers).toBe(100);
    expect(await t.db.prisma.attentionCheck.count({ where: { participant: { batchId: fresh.id } } })).toBe(10);
    const loads = await t.db.prisma.task.aggregate({ where: { batchId: fresh.id }, _sum: { load: true } });
    expect(loads._sum.load).toBe(100);
  });

  it('gives no checks in a batch created with attentionChecks 0', async () => {
    const none = await createOpenBatch(t.db, { attentionChecks: 0 }, 300);
    const rater = new Rater(t.app, none);
    await rater.completeAll();
    expect(rater.pages.some((p) => checkTargetOf(p) !== null)).toBe(false);
    expect(rater.pages.filter((p) => questionNumberOf(p) !== null).every((p) => p.includes('of 20'))).toBe(true);
  });
});

describe('comprehension question', () => {
  const startWith = async (rater: Rater, understanding?: string) => {
    const page = await rater.session();
    const form: Record<string, string> = { csrf: csrfFrom(page) };
    if (understanding) form.understanding = understanding;
    return rater.post('start', form);
  };
  const enterAndConsent = async (rater: Rater) => {
    const consent = await rater.enter();
    await rater.post('consent', { csrf: csrfFrom(consent), decision: 'agree' });
    return rater.session();
  };

  it('asks it below the instructions, and starts the questions only after the right answer (a wrong one gets a second try)', async () => {
    const withQuestion = await createOpenBatch(t.db, { comprehensionCheck: true }, 300);
    const rater = new Rater(t.app, withQuestion);
    const instructions = await enterAndConsent(rater);
    expect(instructions).toContain('name="understanding"');
    expect((await startWith(rater)).status).toBe(422);
    const wrong = await startWith(rater, 'own');
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('one more try');
    expect(await t.db.prisma.assignment.count({ where: { participant: { batchId: withQuestion.id } } })).toBe(0);
    expect((await startWith(rater, 'most')).status).toBe(303);
    expect(questionNumberOf(await rater.session())).toBe(1);
    const stored = await t.db.prisma.participant.findFirstOrThrow({ where: { batchId: withQuestion.id } });
    expect(stored.comprehensionTries).toBe(2);
    expect(stored.comprehensionPassedAt).not.toBeNull();
  });

  it('asks a rater who is wrong twice to return the study, frees the place and records nothing else', async () => {
    const small = await createOpenBatch(t.db, { comprehensionCheck: true, raters: 1 }, 300);
    const rater = new Rater(t.app, small);
    const csrf = csrfFrom(await enterAndConsent(rater));
    await startWith(rater, 'all');
    expect((await startWith(rater, 'longest')).status).toBe(303);
    const page = await rater.session();
    expect(page).toContain('return the study');
    expect(page).toContain('not been rejected');
    const stored = await t.db.prisma.participant.findFirstOrThrow({ where: { batchId: small.id } });
    expect(stored.status).toBe('failed_comprehension');
    expect((await t.db.prisma.batch.findUniqueOrThrow({ where: { id: small.id } })).placesTaken).toBe(0);
    // A late right answer (an old tab) changes nothing.
    expect((await rater.post('start', { csrf, understanding: 'most' })).status).toBe(303);
    expect(await t.db.prisma.assignment.count({ where: { participantId: stored.id } })).toBe(0);
    // The freed place goes to the next rater.
    expect(await new Rater(t.app, small).consentAndStart()).toContain('name="understanding"');
  });
});
