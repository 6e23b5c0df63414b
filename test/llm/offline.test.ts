// The offline lane: the questions exported as OpenAI Batch-API requests and the replies imported
// back give the same answers as a live run on the same replies.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llmMessages, OTHER_REASONS } from '../../src/core/llm-prompt.js';
import type { Batch } from '../../src/db/batches.js';
import { listLlmTasks, llmRunPid } from '../../src/db/llm-runs.js';
import { DEFAULT_EVALUATION, evaluateBatch } from '../../src/llm/evaluate.js';
import { importBatchReplies, writeBatchRequests } from '../../src/llm/offline.js';
import { listedIn, replyMarking, startChatStandIn } from '../helpers/chat-stand-in.js';
import { createOpenBatch } from '../helpers/rater.js';
import { uniquePromptsJsonl } from '../helpers/datasets.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let t: TestDatabase;
let batch: Batch;
let kindsByPrompt: Map<string, Map<string, string>>;
const KINDS = ['generated', 'control_topic'];

beforeAll(async () => {
  t = await createTestDatabase();
  batch = await createOpenBatch(t.db, { questions: 5, raters: 2, seed: 3, completionCode: 'OFF1' }, uniquePromptsJsonl(60, 'offline'));
  const tasks = await t.db.prisma.task.findMany({ where: { batchId: batch.id }, include: { options: true, datapoint: true } });
  kindsByPrompt = new Map(tasks.map((task) => [task.datapoint.prompt, new Map(task.options.map((o) => [o.kind === 'other' ? OTHER_REASONS : o.text, o.kind]))]));
});
afterAll(async () => {
  await t?.drop();
});

async function requestsFor(model: string, repeats: number): Promise<{ custom_id: string; method: string; url: string; body: { model: string; messages: { role: string; content: string }[] } }[]> {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _e, done) {
      text += chunk.toString();
      done();
    },
  });
  const count = await writeBatchRequests(t.db.sql, batch, { model, repeats, limit: 6 }, out);
  const lines = text.trim().split('\n').map((l) => JSON.parse(l));
  expect(lines).toHaveLength(count);
  return lines;
}

const kindsOfRun = async (model: string) => {
  const p = await t.db.prisma.participant.findUniqueOrThrow({ where: { batchId_prolificPid: { batchId: batch.id, prolificPid: llmRunPid({ model, repeat: 1 }) } }, include: { answers: true, llmFailures: true } });
  return { status: p.status, kinds: new Map(p.answers.map((a) => [a.taskId, a.selectedKinds])), failures: p.llmFailures };
};

describe('offline lane', () => {
  it('writes one Batch-API request per task and repeat (custom_id <task>.<repeat>), carrying the Figure 8 messages', async () => {
    const lines = await requestsFor('offline-model', 2);
    expect(lines).toHaveLength(12);
    const tasks = await listLlmTasks(t.db.sql, batch.id, 6);
    for (const line of lines) {
      expect(line).toMatchObject({ method: 'POST', url: '/v1/chat/completions', body: { model: 'offline-model' } });
      expect(line.custom_id).toMatch(/^[\w-]+\.[12]$/);
      expect(line.custom_id.length).toBeLessThanOrEqual(64);
      const [taskId] = line.custom_id.split('.');
      const task = tasks.find((x) => x.taskId === taskId);
      if (!task) throw new Error(`no task ${taskId}`);
      // The task's five phrases in some order, "other reason(s)" sixth.
      const listed = listedIn(line.body);
      expect(listed.at(-1)).toBe(OTHER_REASONS);
      expect([...listed.slice(0, -1)].sort()).toEqual(task.phrases.map((p) => p.text).sort());
      expect(line.body.messages).toEqual(llmMessages({ prompt: task.prompt, preferred: task.preferred, other: task.other, phrases: listed.slice(0, -1) }));
    }
  });

  it('imports the replies through the same parser: the same answers as a live run on the same replies', async () => {
    const stand = await startChatStandIn((req) => ({ reply: replyMarking(kindsByPrompt, req, KINDS) }));
    try {
      await evaluateBatch(t.db.sql, batch, { ...DEFAULT_EVALUATION, model: 'live-model', baseUrl: stand.url, apiKey: 'k', limit: 6 });
    } finally {
      await stand.close();
    }
    const requests = await requestsFor('offline-model', 1);
    const output = requests.map((r, i) =>
      JSON.stringify(
        i === 5
          ? { id: `b${i}`, custom_id: r.custom_id, response: { status_code: 500, body: {} }, error: { message: 'server error' } }
          : { id: `b${i}`, custom_id: r.custom_id, response: { status_code: 200, body: { choices: [{ message: { role: 'assistant', content: replyMarking(kindsByPrompt, r.body, KINDS) } }] } }, error: null },
      ),
    );
    const imported = await importBatchReplies(t.db.sql, batch, 'offline-model', [...output, 'not json', JSON.stringify({ custom_id: 't_unknown.1', response: null })].join('\n'));
    expect(imported).toMatchObject({ answered: 5, failed: 1, skipped: [{ line: 7, problem: 'not valid JSON' }, { line: 8, problem: expect.stringMatching(/names no task/) }] });
    const live = await kindsOfRun('live-model');
    const offline = await kindsOfRun('offline-model');
    expect(offline.status).toBe('completed');
    expect(offline.kinds.size).toBe(5);
    for (const [taskId, kinds] of offline.kinds) expect([taskId, kinds]).toEqual([taskId, live.kinds.get(taskId)]);
    expect(offline.failures).toMatchObject([{ replied: false, problem: expect.stringMatching(/^no reply: .*server error/) }]);
    // Replies for a model whose questions were never exported here are not guessed at.
    const stray = await importBatchReplies(t.db.sql, batch, 'never-exported', output[0] ?? '');
    expect(stray).toMatchObject({ answered: 0, skipped: [{ line: 1, problem: expect.stringMatching(/^never-exported \(repeat 1\) has no exported questions/) }] });
    expect(await t.db.prisma.participant.count({ where: { evaluator: 'never-exported' } })).toBe(0);
  });
});
