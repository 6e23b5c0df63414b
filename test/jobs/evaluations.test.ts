// Queued LLM evaluations: queued over the API or the console, run by a server process against a
// local chat-completions stand-in, claimed once, taken over from a dead process and resumed.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTHER_REASONS } from '../../src/core/llm-prompt.js';
import type { Batch } from '../../src/db/batches.js';
import { claimEvaluationJob, STALE_AFTER_MS } from '../../src/db/evaluation-jobs.js';
import { startEvaluationRunner } from '../../src/jobs/evaluations.js';
import { replyMarking, startChatStandIn, type ChatStandIn } from '../helpers/chat-stand-in.js';
import { csrfFrom, signInAdminAndResearcher, type ConsoleSession } from '../helpers/console.js';
import { createOpenBatch } from '../helpers/rater.js';
import { uniquePromptsJsonl } from '../helpers/datasets.js';
import { simulateRaters } from '../helpers/simulate.js';
import { createRng } from '../../src/core/rng.js';
import { timeOutAbandonedParticipants } from '../../src/db/timeouts.js';
import { markReturned } from '../../src/db/participants.js';
import { TEST_ACTOR } from '../helpers/actor.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const KEY = 'sk-job-SECRET-0123456789';

let t: TestApp;
let batch: Batch;
let stand: ChatStandIn;
let admin: ConsoleSession;
let researcher: ConsoleSession;

beforeAll(async () => {
  t = await createTestApp();
  batch = await createOpenBatch(t.db, { questions: 5, raters: 2, seed: 12, completionCode: 'JOB1' }, uniquePromptsJsonl(60, 'jobs'));
  const tasks = await t.db.prisma.task.findMany({ where: { batchId: batch.id }, include: { options: true, datapoint: true } });
  const kindsByPrompt = new Map(tasks.map((task) => [task.datapoint.prompt, new Map(task.options.map((o) => [o.kind === 'other' ? OTHER_REASONS : o.text, o.kind]))]));
  stand = await startChatStandIn((req) => ({ reply: replyMarking(kindsByPrompt, req, ['generated']) }));
  ({ admin, researcher } = await signInAdminAndResearcher(t.app, t.db.prisma));
});
afterAll(async () => {
  await stand?.close();
  await t?.drop();
});

/** Everything the runners logged: the key must never be in it. */
const logged: string[] = [];
const serverEnv = (): Record<string, string> => ({ OPENAI_API_KEY: KEY, PREFBASIS_LLM_BASE_URLS: stand.url });
const runner = (worker: string, env: Record<string, string> = serverEnv()) =>
  startEvaluationRunner(t.db, { everyMs: 3_600_000, log: (m) => logged.push(m), env: (name) => env[name], worker, evaluation: { timeoutMs: 2_000, maxRetries: 1 } });

const queue = (body: Record<string, unknown>) => request(t.app).post(`/api/v1/batches/${batch.id}/evaluations`).set(t.auth).send(body);

describe('evaluation jobs', () => {
  it('refuses an invalid request with 422 naming each field, and a variable that is not an API key', async () => {
    const res = await queue({ apiKeyEnv: 'DATABASE_URL', repeats: 0 });
    expect(res.status).toBe(422);
    expect(res.body.error.details.problems).toEqual([
      expect.stringMatching(/^body\.model: name the model/),
      expect.stringMatching(/^body\.apiKeyEnv: name an environment variable ending in _API_KEY/),
      expect.stringMatching(/^body\.repeats: /),
    ]);
    expect(await t.db.prisma.evaluationJob.count()).toBe(0);
  });

  it('queues over the API (202), runs in a server process to the end with its progress, and lists it done', async () => {
    const queued = await queue({ model: 'job-model', baseUrl: stand.url, limit: 4, concurrency: 2 });
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ id: expect.stringMatching(/^ej_/), model: 'job-model', status: 'queued', apiKeyEnv: 'OPENAI_API_KEY', limit: 4 });
    await runner('worker-a').runNow();
    const listed = await request(t.app).get(`/api/v1/batches/${batch.id}/evaluations`).set(t.auth);
    expect(listed.body.jobs).toMatchObject([{ id: queued.body.id, status: 'done', progress: { done: 4, total: 4 }, error: null }]);
    const one = await request(t.app).get(`/api/v1/evaluations/${queued.body.id}`).set(t.auth);
    expect(one.body).toMatchObject({ id: queued.body.id, batchId: batch.id, status: 'done', progress: { done: 4, total: 4 }, runs: [{ repeat: 1, answered: 4 }] });
    expect((await request(t.app).get('/api/v1/evaluations/ej_nothing').set(t.auth)).status).toBe(404);
    expect(listed.body.models).toEqual([{ model: 'job-model', runs: [{ repeat: 1, finished: true, answered: 4, failed: 0, promptTokens: 400, completionTokens: 80 }], selfConsistency: null }]);
    expect(stand.requests.at(-1)?.authorization).toBe(`Bearer ${KEY}`);
    const audit = await t.db.prisma.auditEvent.findFirst({ where: { action: 'evaluation.queue' } });
    expect(audit?.details).toMatchObject({ job: queued.body.id, model: 'job-model' });
    const rows = await t.db.sql.rows<{ n: number }>(
      (await import('../../src/db/sql.js')).sql`SELECT count(*)::int AS n FROM evaluation_jobs j WHERE j::text LIKE ${`%${KEY}%`}`,
    );
    expect(rows[0]?.n).toBe(0);
    // Nor in the logs, the pages or the exports.
    const page = await admin.agent.get(`/console/batches/${batch.id}`);
    const exported = await request(t.app).get(`/api/v1/batches/${batch.id}/answers?format=jsonl`).set(t.auth);
    expect(logged.join('\n')).toContain('job-model');
    for (const text of [logged.join('\n'), page.text, exported.text, JSON.stringify(listed.body)]) expect(text).not.toContain(KEY);
  });

  it('fails a job for a server the operator did not allow, before any key is sent', async () => {
    const before = stand.requests.length;
    const queued = await queue({ model: 'elsewhere-model', baseUrl: 'http://127.0.0.1:9/v1' });
    await runner('worker-a').runNow();
    const job = await t.db.prisma.evaluationJob.findUniqueOrThrow({ where: { id: queued.body.id } });
    expect(job).toMatchObject({ status: 'failed', error: expect.stringMatching(/^the server http:\/\/127\.0\.0\.1:9\/v1 is not allowed .* PREFBASIS_LLM_BASE_URLS/) });
    expect(stand.requests.length).toBe(before);
    expect((await queue({ model: 'm', baseUrl: 'file:///etc/passwd' })).status).toBe(422);
    expect((await queue({ model: 'Human' })).status).toBe(422);
    // A second job for a model already queued on the batch is refused (a double-clicked form).
    const first = await queue({ model: 'twice-queued' });
    const second = await queue({ model: 'twice-queued' });
    expect([first.status, second.status]).toEqual([202, 409]);
    expect(second.body.error.message).toMatch(/twice-queued is already queued on this batch/);
    await t.db.prisma.evaluationJob.deleteMany({ where: { model: 'twice-queued' } });
  });

  it('fails a job whose key variable is not set on the server, saying which', async () => {
    const queued = await queue({ model: 'keyless-model', apiKeyEnv: 'OTHER_API_KEY' });
    await runner('worker-a').runNow();
    const job = await t.db.prisma.evaluationJob.findUniqueOrThrow({ where: { id: queued.body.id } });
    expect(job).toMatchObject({ status: 'failed', error: expect.stringMatching(/^no API key: set OTHER_API_KEY in the server's environment/) });
  });

  it('lets one process claim a job; another takes it over only when its heartbeat is stale, and resumes it', async () => {
    const queued = await queue({ model: 'durable-model', baseUrl: stand.url, limit: 3 });
    const now = new Date();
    const claimed = await claimEvaluationJob(t.db.sql, 'dead-worker', now);
    expect(claimed?.id).toBe(queued.body.id);
    expect(await claimEvaluationJob(t.db.sql, 'worker-b', new Date(now.getTime() + 1_000))).toBeNull();
    // The dead worker never beats again: two minutes later the job is free for another process.
    const later = new Date(now.getTime() + STALE_AFTER_MS + 1_000);
    const before = stand.requests.length;
    const env = serverEnv();
    await startEvaluationRunner(t.db, { everyMs: 3_600_000, log: () => {}, env: (name) => env[name], worker: 'worker-b', now: () => later, evaluation: { timeoutMs: 2_000, maxRetries: 1 } }).runNow();
    const job = await t.db.prisma.evaluationJob.findUniqueOrThrow({ where: { id: queued.body.id } });
    expect(job).toMatchObject({ status: 'done', claimedBy: 'worker-b', done: 3, total: 3 });
    expect(stand.requests.length - before).toBe(3);
  });

  it('offers the form to admins on the batch page, queues from it, shows field errors, and refuses researchers', async () => {
    const page = await admin.agent.get(`/console/batches/${batch.id}`);
    expect(page.text).toContain('Queue the evaluation');
    expect(page.text).toContain('job-model');
    const token = csrfFrom(page.text);
    const bad = await admin.agent.post(`/console/batches/${batch.id}/evaluations`).type('form').send({ _csrf: token, model: 'console-model', apiKeyEnv: 'PREFBASIS_SECRET' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('name an environment variable ending in _API_KEY');
    expect(bad.text).toContain('value="console-model"');
    const good = await admin.agent.post(`/console/batches/${batch.id}/evaluations`).type('form').send({ _csrf: token, model: 'console-model', baseUrl: '', apiKeyEnv: '', repeats: '1', limit: '2', concurrency: '' });
    expect(good.status).toBe(303);
    expect(await t.db.prisma.evaluationJob.findFirst({ where: { model: 'console-model' } })).toMatchObject({ status: 'queued', taskLimit: 2, apiKeyEnv: 'OPENAI_API_KEY' });
    const progress = await admin.agent.get(`/console/batches/${batch.id}/progress.json`);
    expect(progress.body.evaluations).toEqual(expect.arrayContaining([expect.objectContaining({ status: 'queued', done: 0, total: 0 })]));
    const researcherToken = csrfFrom((await researcher.agent.get(`/console/batches/${batch.id}`)).text);
    const refused = await researcher.agent.post(`/console/batches/${batch.id}/evaluations`).type('form').send({ _csrf: researcherToken, model: 'sneaky' });
    expect(refused.status).toBe(403);
  });

  it('keeps LLM runs out of the study\'s progress counts and out of timeouts', async () => {
    const progress = await request(t.app).get(`/api/v1/batches/${batch.id}`).set(t.auth);
    expect(progress.body.progress.participants.entered).toBe(0);
    expect(progress.body.progress.answers).toBe(0);
    // A run left unfinished (its process died) is never timed out, however late, and gives no place back.
    await t.db.prisma.participant.updateMany({ where: { batchId: batch.id, evaluator: 'durable-model' }, data: { status: 'active', completedAt: null } });
    const later = new Date(Date.now() + 24 * 3600_000);
    expect(await timeOutAbandonedParticipants(t.db.sql, later, TEST_ACTOR, { batchId: batch.id })).toEqual([]);
    const [run] = await t.db.prisma.participant.findMany({ where: { batchId: batch.id, evaluator: 'durable-model' } });
    expect(await markReturned(t.db.sql, batch.id, run?.id ?? '', later, TEST_ACTOR)).toBe(false);
    expect((await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } })).placesTaken).toBe(0);
    await t.db.prisma.participant.updateMany({ where: { batchId: batch.id, evaluator: 'durable-model' }, data: { status: 'completed', completedAt: new Date() } });
  });

  it('compares the model with the humans\' majority on the tasks both answered', async () => {
    const P = { generated: 0.9, category: 0.2, category_topic: 0.2, control: 0.05, control_topic: 0.05, other: 0.05 };
    await simulateRaters(t.db, batch, 1, P, createRng(3));
    // This one fails both attention checks: the batch's rules exclude them.
    await simulateRaters(t.db, batch, 1, P, createRng(4), { checks: 'fail' });
    const res = await request(t.app).get(`/api/v1/batches/${batch.id}/model-agreement?model=job-model&worst=2`).set(t.auth);
    expect(res.status).toBe(200);
    // The excluded human counts only with exclusions=none, as in every other result (a model that
    // answered every task, so both humans' tasks are among its own).
    await queue({ model: 'full-model', baseUrl: stand.url });
    await runner('worker-a').runNow();
    const everyone = await request(t.app).get(`/api/v1/batches/${batch.id}/model-agreement?model=full-model&worst=100&exclusions=none`).set(t.auth);
    const humansSeen = (body: { mostDisagreeing: { humans: number }[] }) => body.mostDisagreeing.reduce((s, x) => s + x.humans, 0);
    const applied = await request(t.app).get(`/api/v1/batches/${batch.id}/model-agreement?model=full-model&worst=100`).set(t.auth);
    expect(applied.body.exclusions).toMatchObject({ mode: 'applied', excludedRaters: 1 });
    expect(humansSeen(everyone.body)).toBeGreaterThan(humansSeen(applied.body));
    const humanTasks = new Set((await t.db.prisma.answer.findMany({ where: { participant: { batchId: batch.id, evaluator: 'human' } } })).map((a) => a.taskId));
    const modelTasks = (await t.db.prisma.answer.findMany({ where: { participant: { batchId: batch.id, evaluator: 'job-model' } } })).map((a) => a.taskId);
    expect(res.body.tasks).toBe(modelTasks.filter((id) => humanTasks.has(id)).length);
    expect(res.body.kappa.map((k: { kind: string }) => k.kind)).toEqual(['generated', 'category', 'category_topic', 'control', 'control_topic', 'other']);
    expect(res.body.mostDisagreeing.length).toBeLessThanOrEqual(2);
    expect((await request(t.app).get(`/api/v1/batches/${batch.id}/model-agreement`).set(t.auth)).status).toBe(400);
    const metrics = await request(t.app).get(`/api/v1/batches/${batch.id}/metrics?by=evaluator&rounds=100&exclusions=none`).set(t.auth);
    const humanAnswers = await t.db.prisma.answer.count({ where: { participant: { batchId: batch.id, evaluator: 'human' } } });
    expect(metrics.body.overall).toMatchObject({ clusterUnit: 'rater', n: { answers: humanAnswers, raters: 2 } });
    expect(metrics.body.slices.map((s: { key: string; metrics: { clusterUnit: string } }) => [s.key, s.metrics.clusterUnit]).sort()).toEqual([['human', 'rater'], ['job-model', 'task'], ['durable-model', 'task'], ['full-model', 'task']].sort());
    const page = await researcher.agent.get(`/console/batches/${batch.id}/results?by=evaluator`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('job-model (intervals resample tasks)');
    expect(page.text).toContain("job-model against the humans' majority");
    // The headline figures are the humans'; the model stands beside them by evaluator.
    expect(page.text).toContain('bootstrap over raters,');
  });
});
