// The offline lane for LLM evaluators (batch APIs, air-gapped labs): the same questions as a live
// run written as OpenAI Batch-API requests (JSON Lines), and the replies read back through the same
// parser into the same tables. A request's custom_id is `<task id>.<repeat>` (short: some batch
// APIs cap it at 64 characters); each question's option order is recorded here when it is
// exported (DECISIONS), so a reply is read against the very list its prompt showed.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { z } from 'zod';
import { readReply } from '../core/llm-reply.js';
import { findLlmRun, finishLlmRun, listLlmQuestionOrders, listLlmTasks, openLlmRun, recordLlmAnswer, recordLlmFailure, recordLlmQuestions, releaseLlmRun, type LlmTask } from '../db/llm-runs.js';
import type { SqlRunner } from '../db/sql-runner.js';
import { planLlmQuestion, questionInOrder } from './evaluate.js';

export interface OfflineOptions {
  model: string;
  repeats: number;
  limit: number | null;
}

/** Task ids are word characters: the last dot separates the repeat. */
const customId = (taskId: string, repeat: number) => `${taskId}.${repeat}`;

/**
 * Writes one Batch-API request per task and repeat; returns how many. Each question is recorded
 * first (the model's run, its option order per task), so the replies are read against it later.
 */
export async function writeBatchRequests(sql: SqlRunner, batch: { id: string; seed: number }, options: OfflineOptions, out: Writable): Promise<number> {
  const tasks = await listLlmTasks(sql, batch.id, options.limit);
  const owner = `export:${randomUUID()}`;
  let count = 0;
  for (let repeat = 1; repeat <= options.repeats; repeat++) {
    const run = await openLlmRun(sql, { batchId: batch.id, model: options.model, repeat }, null, new Date(), owner);
    try {
      const planned = tasks.map((task) => ({ taskId: task.taskId, position: task.position, optionOrder: planLlmQuestion(task, batch.seed, options.model, repeat).order }));
      await recordLlmQuestions(sql, run.participantId, planned, new Date());
      const orders = await listLlmQuestionOrders(sql, run.participantId);
      for (const task of tasks) {
        const q = questionInOrder(task, orders.get(task.taskId) ?? []);
        const line = JSON.stringify({ custom_id: customId(task.taskId, repeat), method: 'POST', url: '/v1/chat/completions', body: { model: options.model, messages: q.messages } });
        if (!out.write(line + '\n')) await once(out, 'drain');
        count++;
      }
    } finally {
      await releaseLlmRun(sql, run.participantId, owner);
    }
  }
  return count;
}

/** A line of a Batch-API output file (what is read of it). */
const replyLine = z.object({
  custom_id: z.string(),
  response: z.object({ status_code: z.number(), body: z.object({ choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1) }).partial().passthrough() }).nullable().optional(),
  error: z.unknown().optional(),
});

export interface ImportedReplies {
  answered: number;
  failed: number;
  /** Lines that name no task of this batch or are not Batch-API output: line number and why. */
  skipped: { line: number; problem: string }[];
}

/** Reads a Batch-API output file's replies into the model's runs (repeat per custom_id); `model` as exported. */
export async function importBatchReplies(sql: SqlRunner, batch: { id: string; seed: number }, model: string, text: string): Promise<ImportedReplies> {
  const tasks = new Map((await listLlmTasks(sql, batch.id, null)).map((t) => [t.taskId, t]));
  const runs = new Map<number, { participantId: string; orders: Map<string, string[]> }>();
  const owner = `import:${randomUUID()}`;
  const result: ImportedReplies = { answered: 0, failed: 0, skipped: [] };
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    if (raw.trim() === '') continue;
    const line = index + 1;
    const parsed = readLine(raw, tasks);
    if ('problem' in parsed) {
      result.skipped.push({ line, problem: parsed.problem });
      continue;
    }
    let run = runs.get(parsed.repeat);
    if (!run) {
      const key = { batchId: batch.id, model, repeat: parsed.repeat };
      if (!(await findLlmRun(sql, key))) {
        result.skipped.push({ line, problem: `${model} (repeat ${parsed.repeat}) has no exported questions on this batch: export them with the same --model first` });
        continue;
      }
      const participantId = (await openLlmRun(sql, key, null, new Date(), owner)).participantId;
      run = { participantId, orders: await listLlmQuestionOrders(sql, participantId) };
      runs.set(parsed.repeat, run);
    }
    const participantId = run.participantId;
    const recorded = run.orders.get(parsed.task.taskId);
    if (!recorded) {
      result.skipped.push({ line, problem: `no question of ${model} (repeat ${parsed.repeat}) was exported for this task from this database: export with the same --model first` });
      continue;
    }
    const { listed, order } = questionInOrder(parsed.task, recorded);
    const reading = parsed.reply === null ? { ok: false as const, problem: parsed.error } : readReply(parsed.reply, listed);
    if (reading.ok) {
      const at = new Date();
      await recordLlmAnswer(sql, participantId, { taskId: parsed.task.taskId, position: parsed.task.position, optionOrder: order, selectedOptionIds: reading.selected.map((i) => order[i] as string) }, at, at);
      result.answered++;
    } else {
      await recordLlmFailure(sql, participantId, { taskId: parsed.task.taskId, attempts: 1, replied: parsed.reply !== null, problem: reading.problem, rawReply: parsed.reply });
      result.failed++;
    }
  }
  for (const run of runs.values()) await finishLlmRun(sql, run.participantId, new Date());
  return result;
}

type ReadLine = { task: LlmTask; repeat: number; reply: string | null; error: string } | { problem: string };

function readLine(raw: string, tasks: ReadonlyMap<string, LlmTask>): ReadLine {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { problem: 'not valid JSON' };
  }
  const line = replyLine.safeParse(json);
  if (!line.success) return { problem: 'not a Batch-API output line (custom_id, response)' };
  const match = /^([\w-]+)\.(\d{1,3})$/.exec(line.data.custom_id);
  const task = match ? tasks.get(match[1] as string) : undefined;
  if (!match || !task) return { problem: `custom_id names no task of this batch: ${line.data.custom_id.slice(0, 60)}` };
  const repeat = Number(match[2]);
  if (repeat < 1) return { problem: 'custom_id carries no valid repeat' };
  const response = line.data.response;
  const content = response && response.status_code === 200 ? (response.body?.choices?.[0]?.message.content ?? '') : null;
  return { task, repeat, reply: content, error: content === null ? `no reply: ${JSON.stringify(line.data.error ?? response?.status_code ?? 'none').slice(0, 200)}` : '' };
}
