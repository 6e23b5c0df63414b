// LLM evaluators against a local stand-in chat-completions server: the exact prompt it receives,
// every reply shape, 429/500/hangs, resume without asking twice, the key kept out of the database,
// and metrics by evaluator against a hand computation.
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { llmMessages, OTHER_REASONS } from '../../src/core/llm-prompt.js';
import type { Batch } from '../../src/db/batches.js';
import * as PrismaSql from '../../src/db/sql.js';
import { listLlmTasks, llmRunPid } from '../../src/db/llm-runs.js';
import { DEFAULT_EVALUATION, evaluateBatch, EvaluationStopped, type EvaluationOptions } from '../../src/llm/evaluate.js';
import { listedIn, promptOf, replyMarking as markKinds, startChatStandIn, type ChatAnswer, type ChatRequest, type ChatStandIn } from '../helpers/chat-stand-in.js';
import { createOpenBatch } from '../helpers/rater.js';
import { uniquePromptsJsonl } from '../helpers/datasets.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const KEY = 'sk-test-SECRET-never-stored-0123456789';

let t: TestApp;
let batch: Batch;
/** For each task's prompt: its options' kinds by text (the stand-in "knows" which is generated). */
let kindsByPrompt: Map<string, Map<string, string>>;
let stand: ChatStandIn | null = null;

beforeAll(async () => {
  t = await createTestApp();
  batch = await createOpenBatch(t.db, { questions: 5, raters: 4, seed: 8, completionCode: 'LLM1' }, uniquePromptsJsonl(80, 'llm'));
  const tasks = await t.db.prisma.task.findMany({ where: { batchId: batch.id }, include: { options: true, datapoint: true } });
  kindsByPrompt = new Map(tasks.map((task) => [task.datapoint.prompt, new Map(task.options.map((o) => [o.kind === 'other' ? OTHER_REASONS : o.text, o.kind]))]));
});
afterEach(async () => {
  await stand?.close();
  stand = null;
});
afterAll(async () => {
  await t?.drop();
});

const kindOf = (req: ChatRequest, item: string) => kindsByPrompt.get(promptOf(req))?.get(item);
/** A reply marking "yes" exactly the items of these kinds. */
const replyMarking = (req: ChatRequest, kinds: string[]) => markKinds(kindsByPrompt, req, kinds);

async function run(model: string, answer: (req: ChatRequest, index: number) => ChatAnswer, options: Partial<EvaluationOptions> = {}) {
  stand = await startChatStandIn(answer);
  return evaluateBatch(t.db.sql, batch, { ...DEFAULT_EVALUATION, model, baseUrl: stand.url, apiKey: KEY, concurrency: 3, timeoutMs: 2_000, maxRetries: 2, ...options });
}

const answersOf = async (model: string, repeat = 1) => {
  const participant = await t.db.prisma.participant.findUniqueOrThrow({ where: { batchId_prolificPid: { batchId: batch.id, prolificPid: llmRunPid({ model, repeat }) } }, include: { answers: true, llmFailures: true, llmRun: true } });
  return participant;
};

describe('evaluateBatch', () => {
  it('sends the Figure 8 prompt of each task, with the run\'s option order, "other reason(s)" last and the key only in the header', async () => {
    const report = await run('exact-model', (req) => ({ reply: replyMarking(req, ['generated']) }), { limit: 4 });
    expect(report.repeats).toMatchObject([{ repeat: 1, answered: 4, failed: 0, askedNow: 4, promptTokens: 400, completionTokens: 80 }]);
    const requests = stand?.requests ?? [];
    expect(requests).toHaveLength(4);
    const tasks = await listLlmTasks(t.db.sql, batch.id, 4);
    const stored = await answersOf('exact-model');
    for (const task of tasks) {
      const req = requests.find((r) => promptOf(r) === task.prompt) as ChatRequest;
      const answer = stored.answers.find((a) => a.taskId === task.taskId);
      const textOf = new Map([...task.phrases.map((p) => [p.id, p.text] as const), [task.otherOptionId, OTHER_REASONS] as const]);
      const listed = answer?.optionOrder.map((id) => textOf.get(id) as string) ?? [];
      expect(listed.at(-1)).toBe(OTHER_REASONS);
      expect(req.messages).toEqual(llmMessages({ prompt: task.prompt, preferred: task.preferred, other: task.other, phrases: listed.slice(0, -1) }));
      expect(req.model).toBe('exact-model');
      expect(req.authorization).toBe(`Bearer ${KEY}`);
    }
  });

  it('reads fenced, bare, prose-wrapped and numbered replies; asks again after an unreadable one; stores a task that never reads as failed with its raw reply', async () => {
    const tasks = await listLlmTasks(t.db.sql, batch.id, 6);
    const shape = new Map(tasks.map((task, i) => [task.prompt, i]));
    const seen = new Map<number, number>();
    await run('shapes-model', (req) => {
      const i = shape.get(promptOf(req)) ?? -1;
      const attempt = (seen.get(i) ?? 0) + 1;
      seen.set(i, attempt);
      const entries = listedIn(req).map((p, n) => ({ preference: p, number: n + 1, relevant: kindOf(req, p) === 'generated' ? 'yes' : 'no' }));
      switch (i) {
        case 0: return { reply: JSON.stringify(entries.map(({ preference, relevant }) => ({ preference, relevant }))) };
        case 1: return { reply: `Thinking it over: ${JSON.stringify(entries.map(({ preference, relevant }) => ({ preference, relevant })))} That is all.` };
        case 2: return { reply: JSON.stringify(entries.map(({ number, relevant }) => ({ preference: number, relevant }))) };
        case 3: return { reply: attempt === 1 ? JSON.stringify([{ preference: 'Something not listed', relevant: 'yes' }]) : replyMarking(req, ['generated']) };
        case 4: return { reply: '```json\n[{"preference": oops}]\n```' };
        default: return { reply: '' };
      }
    }, { limit: 6 });
    const stored = await answersOf('shapes-model');
    expect(stored.answers.map((a) => a.taskId).sort()).toEqual(tasks.slice(0, 4).map((x) => x.taskId).sort());
    // Each answer ticked exactly the generated option (bit 1).
    expect(stored.answers.map((a) => a.selectedKinds)).toEqual([1, 1, 1, 1]);
    expect(seen.get(3)).toBe(2);
    expect(stored.llmFailures.map((f) => [f.taskId, f.attempts, f.replied]).sort()).toEqual(
      [[tasks[4]?.taskId, 3, true], [tasks[5]?.taskId, 3, true]].sort(),
    );
    const invalid = stored.llmFailures.find((f) => f.taskId === tasks[4]?.taskId);
    expect(invalid?.rawReply).toBe('```json\n[{"preference": oops}]\n```');
    expect(invalid?.problem).toMatch(/no JSON list/);
    expect(stored.llmFailures.find((f) => f.taskId === tasks[5]?.taskId)?.problem).toMatch(/empty/);
  });

  it('waits out a 429 and a 500 (the client retries them) and gets the answer', async () => {
    const report = await run('flaky-model', (req, index) => (index === 0 ? { status: 429, headers: { 'retry-after-ms': '20' } } : index === 1 ? { status: 500, headers: { 'retry-after-ms': '20' } } : { reply: replyMarking(req, ['generated']) }), { limit: 1, concurrency: 1 });
    expect(report.repeats[0]).toMatchObject({ answered: 1, failed: 0 });
    expect(stand?.requests).toHaveLength(3);
  });

  it('gives up on a server that hangs (timeout, retried), records no reply, and asks that task again when resumed', async () => {
    const first = await run('hung-model', () => ({ hang: true }), { limit: 1, timeoutMs: 200, maxRetries: 1 });
    expect(first.repeats[0]).toMatchObject({ answered: 0, failed: 1 });
    expect(stand?.requests).toHaveLength(2);
    expect((await answersOf('hung-model')).llmFailures[0]).toMatchObject({ replied: false, problem: expect.stringMatching(/^no reply: .*timed out/i) });
    await stand?.close();
    const second = await run('hung-model', (req) => ({ reply: replyMarking(req, ['generated']) }), { limit: 1 });
    expect(second.repeats[0]).toMatchObject({ resumed: true, askedNow: 1, answered: 1, failed: 0 });
  });

  it('stops after repeated silence and resumes where it stopped: no task asked twice, none missing', async () => {
    const asked: string[] = [];
    await expect(
      run('resumed-model', (req, index) => {
        if (index >= 5) return { status: 503 };
        asked.push(promptOf(req));
        return { reply: replyMarking(req, ['generated', 'category']) };
      }, { concurrency: 1, maxRetries: 0, maxConsecutiveErrors: 3 }),
    ).rejects.toBeInstanceOf(EvaluationStopped);
    expect((await answersOf('resumed-model')).answers).toHaveLength(5);
    await stand?.close();
    const resumed = await run('resumed-model', (req) => {
      asked.push(promptOf(req));
      return { reply: replyMarking(req, ['generated', 'category']) };
    });
    const total = (await listLlmTasks(t.db.sql, batch.id, null)).length;
    expect(resumed.repeats[0]).toMatchObject({ resumed: true, answered: total, failed: 0 });
    expect(asked).toHaveLength(total);
    expect(new Set(asked).size).toBe(total);
    const participant = await answersOf('resumed-model');
    expect(participant.status).toBe('completed');
    // Seeded per task, the orders differ: the generated phrase is listed in several places
    // (position effects average out), and "other" is always last.
    const kinds = new Map((await t.db.prisma.taskOption.findMany({ where: { task: { batchId: batch.id } } })).map((o) => [o.id, o.kind]));
    const generatedAt = participant.answers.map((a) => a.optionOrder.findIndex((id) => kinds.get(id) === 'generated'));
    expect(new Set(generatedAt).size).toBeGreaterThan(2);
    expect(participant.answers.every((a) => kinds.get(a.optionOrder[5] as string) === 'other')).toBe(true);
  });

  it('lets one process at a time run a model on the batch: a second, concurrent run is refused', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    stand = await startChatStandIn((req) => ({ reply: replyMarking(req, ['generated']) }));
    const options = { ...DEFAULT_EVALUATION, model: 'single-model', baseUrl: stand.url, apiKey: KEY, limit: 3, concurrency: 1, onProgress: () => release() };
    const firstRun = evaluateBatch(t.db.sql, batch, options);
    await gate;
    await expect(evaluateBatch(t.db.sql, batch, options)).rejects.toThrow(/Another process is running single-model \(repeat 1\)/);
    expect((await firstRun).repeats[0]).toMatchObject({ answered: 3 });
    expect(stand.requests).toHaveLength(3);
  });

  it('asks again with other orders for a second repeat and reports self-consistency', async () => {
    const report = await run('twice-model', (req) => ({ reply: replyMarking(req, ['generated']) }), { limit: 5, repeats: 2 });
    expect(report.repeats.map((r) => r.answered)).toEqual([5, 5]);
    expect(report.selfConsistency).toEqual({ tasks: 5, agreement: 1 });
    const [a, b] = [await answersOf('twice-model', 1), await answersOf('twice-model', 2)];
    expect(a.answers.map((x) => x.optionOrder.join())).not.toEqual(b.answers.map((x) => x.optionOrder.join()));
  });

  it('keeps the API key out of every table', async () => {
    for (const table of ['participants', 'llm_runs', 'llm_failures', 'answers', 'assignments', 'audit_events']) {
      const rows = await t.db.sql.rows<{ n: number }>(PrismaSql.sql`SELECT count(*)::int AS n FROM ${PrismaSql.raw(table)} x WHERE x::text LIKE ${`%${KEY}%`}`);
      expect([table, rows[0]?.n]).toEqual([table, 0]);
    }
  });

  it('puts the model beside the humans in metrics by evaluator, equal to a hand count', async () => {
    const res = await request(t.app).get(`/api/v1/batches/${batch.id}/metrics?by=evaluator&rounds=100`).set(t.auth);
    expect(res.status).toBe(200);
    const slice = (res.body.slices as { key: string; metrics: { n: { answers: number; raters: number }; clusterUnit: string; rates: Record<string, { estimate: number }> } }[]).find((s) => s.key === 'resumed-model');
    const total = (await listLlmTasks(t.db.sql, batch.id, null)).length;
    // It ticked the generated and the category option of every task, nothing else.
    expect(slice?.metrics.n.answers).toBe(total);
    // A model is one participant: its bootstrap resamples the tasks it answered.
    expect(slice?.metrics).toMatchObject({ clusterUnit: 'task', n: { raters: total } });
    expect(slice?.metrics.rates.R1?.estimate).toBe(1);
    expect(slice?.metrics.rates.R2?.estimate).toBe(1);
    expect(slice?.metrics.rates.R4?.estimate).toBe(0);
    expect(slice?.metrics.rates.R6?.estimate).toBe(0);
  });
});
