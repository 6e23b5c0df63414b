// A run killed midway (SIGKILL of the CLI process while a request is in flight) resumes where it
// stopped: every task answered exactly once, none missing, no reply asked for again.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTHER_REASONS } from '../../src/core/llm-prompt.js';
import type { Batch } from '../../src/db/batches.js';
import { listLlmTasks, llmRunPid } from '../../src/db/llm-runs.js';
import { DEFAULT_EVALUATION, evaluateBatch } from '../../src/llm/evaluate.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { promptOf, replyMarking, startChatStandIn, type ChatStandIn } from '../helpers/chat-stand-in.js';
import { createOpenBatch } from '../helpers/rater.js';
import { uniquePromptsJsonl } from '../helpers/datasets.js';
import { createTestDatabase, serverUrl, type TestDatabase } from '../helpers/test-database.js';

let t: TestDatabase;
let batch: Batch;
let stand: ChatStandIn;
/** Prompts whose request got a reply, in order, across both runs. */
const replied: string[] = [];
let release: () => void = () => {};
const inFlight = new Promise<void>((resolve) => (release = resolve));

beforeAll(async () => {
  if (!serverUrl) return;
  t = await createTestDatabase();
  batch = await createOpenBatch(t.db, { questions: 5, raters: 2, seed: 21, completionCode: 'KILL1' }, uniquePromptsJsonl(60, 'kill'));
  const tasks = await t.db.prisma.task.findMany({ where: { batchId: batch.id }, include: { options: true, datapoint: true } });
  const kindsByPrompt = new Map(tasks.map((task) => [task.datapoint.prompt, new Map(task.options.map((o) => [o.kind === 'other' ? OTHER_REASONS : o.text, o.kind]))]));
  stand = await startChatStandIn((req, index) => {
    // The fourth request of the first run never gets an answer: the process is killed meanwhile.
    if (index === 3) {
      release();
      return { hang: true };
    }
    replied.push(promptOf(req));
    return { reply: replyMarking(kindsByPrompt, req, ['generated']) };
  });
}, 60_000);
afterAll(async () => {
  await stand?.close();
  await t?.drop();
});

describe.skipIf(!serverUrl)('an LLM run killed midway', () => {
  it('resumes where it stopped: each task answered once, none missing', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'evaluate', batch.id, '--model', 'killed-model', '--base-url', stand.url, '--concurrency', '1'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: t.url as string },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await inFlight;
    child.kill('SIGKILL');
    await exited;
    const before = await t.db.prisma.answer.count({ where: { participant: { batchId: batch.id, prolificPid: llmRunPid({ model: 'killed-model', repeat: 1 }) } } });
    expect(before).toBe(3);

    // The killed process cannot give its claim back: it lapses two minutes later.
    await expect(evaluateBatch(t.db.sql, batch, { ...DEFAULT_EVALUATION, model: 'killed-model', baseUrl: stand.url, apiKey: 'k' })).rejects.toThrow(/Another process is running killed-model/);
    await t.db.prisma.llmRun.updateMany({ where: { model: 'killed-model' }, data: { leaseUntil: new Date(Date.now() - 1_000) } });
    const report = await evaluateBatch(t.db.sql, batch, { ...DEFAULT_EVALUATION, model: 'killed-model', baseUrl: stand.url, apiKey: 'k', concurrency: 2 });
    const total = (await listLlmTasks(t.db.sql, batch.id, null)).length;
    expect(report.repeats[0]).toMatchObject({ resumed: true, askedNow: total - 3, answered: total, failed: 0 });
    expect(replied).toHaveLength(total);
    expect(new Set(replied).size).toBe(total);
    const answers = await t.db.prisma.answer.findMany({ where: { participant: { batchId: batch.id, evaluator: 'killed-model' } } });
    expect(new Set(answers.map((a) => a.taskId)).size).toBe(total);
  }, 120_000);
});
