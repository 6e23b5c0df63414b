// Runs an LLM evaluator over a batch's tasks with the paper's prompt (core/llm-prompt.ts) on any
// server speaking OpenAI's chat-completions protocol, through the official `openai` client (its
// retries cover 429 and 5xx with back-off, and its timeout a hung server). Each reply is read by
// core/llm-reply.ts; one that cannot be read is asked again (bounded), then stored as a failed item
// with the raw reply. Every answer is stored as it arrives, so a stopped run resumes where it was.
import OpenAI from 'openai';
import { orderOptions } from '../core/assignment.js';
import { llmMessages, llmOrderKey, OTHER_REASONS, type ChatMessage } from '../core/llm-prompt.js';
import { readReply } from '../core/llm-reply.js';
import { deriveRng } from '../core/rng.js';
import { selfConsistency, type SelfConsistency } from '../core/self-consistency.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  addLlmTokens,
  finishLlmRun,
  LLM_LEASE_MS,
  releaseLlmRun,
  renewLlmRunLease,
  listLlmRunKinds,
  listLlmTasks,
  openLlmRun,
  recordLlmAnswer,
  recordLlmFailure,
  listModelRuns,
  type ModelRunSummary,
  type LlmTask,
} from '../db/llm-runs.js';
import type { SqlRunner } from '../db/sql-runner.js';

export interface EvaluationOptions {
  model: string;
  /** The server's base URL (…/v1); null: OpenAI's. */
  baseUrl: string | null;
  /** Read from the environment by the caller; never stored, logged or shown. */
  apiKey: string;
  concurrency: number;
  repeats: number;
  /** Only the first N tasks of the batch; null: all. */
  limit: number | null;
  /** Per request, before the client gives up on a silent server (and retries it). */
  timeoutMs: number;
  /** The client's retries of one request on 429, 5xx, timeouts and dropped connections. */
  maxRetries: number;
  /** Times a task is asked when its reply cannot be read. */
  attemptsPerTask: number;
  /** After this many tasks in a row got no reply at all, the run stops (resume it later). */
  maxConsecutiveErrors: number;
  onProgress?: (done: number, total: number) => void;
  /** Asked between tasks: true stops the run (resumable), e.g. when another process took the job. */
  shouldStop?: () => boolean;
}

export const DEFAULT_EVALUATION: Omit<EvaluationOptions, 'model' | 'baseUrl' | 'apiKey'> = {
  concurrency: 8,
  repeats: 1,
  limit: null,
  timeoutMs: 60_000,
  maxRetries: 4,
  attemptsPerTask: 3,
  maxConsecutiveErrors: 5,
};

export interface RepeatReport extends ModelRunSummary {
  resumed: boolean;
  /** Tasks asked in this process (a resumed run skips those asked before). */
  askedNow: number;
}

export interface EvaluationReport {
  model: string;
  repeats: RepeatReport[];
  /** Repeat 1 against repeat 2 (when asked twice). */
  selfConsistency: SelfConsistency | null;
  seconds: number;
}

/** The server stopped answering: the run stops here and can be resumed. */
export class EvaluationStopped extends Error {}

export async function evaluateBatch(sql: SqlRunner, batch: { id: string; seed: number }, options: EvaluationOptions): Promise<EvaluationReport> {
  const started = performance.now();
  const client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseUrl ?? undefined, timeout: options.timeoutMs, maxRetries: options.maxRetries });
  const tasks = await listLlmTasks(sql, batch.id, options.limit);
  const asked: Pick<RepeatReport, 'repeat' | 'resumed' | 'askedNow'>[] = [];
  // This call's claim on each run: another process (a job, a second CLI) waits its turn.
  const owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  for (let repeat = 1; repeat <= options.repeats; repeat++) {
    const run = await openLlmRun(sql, { batchId: batch.id, model: options.model, repeat }, options.baseUrl, new Date(), owner);
    const pending = tasks.filter((t) => !run.asked.has(t.taskId));
    const ask = (task: LlmTask) => askTask(client, sql, run.participantId, task, { ...options, seed: batch.seed, repeat });
    // Progress over all repeats: a repeat's earlier tasks (resumed) count as done.
    const before = (repeat - 1) * tasks.length + tasks.length - pending.length;
    let lost = false;
    const renew = setInterval(() => void renewLlmRunLease(sql, run.participantId, owner, new Date()).then((held) => (lost ||= !held), () => {}), LLM_LEASE_MS / 4);
    try {
      await runPool(pending, { ...options, shouldStop: () => lost || (options.shouldStop?.() ?? false) }, ask, (done) => options.onProgress?.(before + done, tasks.length * options.repeats));
    } catch (err) {
      await releaseLlmRun(sql, run.participantId, owner).catch(() => {});
      throw err;
    } finally {
      clearInterval(renew);
    }
    await finishLlmRun(sql, run.participantId, new Date());
    asked.push({ repeat, resumed: run.resumed, askedNow: pending.length });
  }
  const report = await modelReport(sql, batch.id, options.model);
  const repeats = asked.flatMap((a) => report.runs.filter((r) => r.repeat === a.repeat).map((r) => ({ ...r, ...a })));
  return { model: options.model, repeats, selfConsistency: options.repeats >= 2 ? report.selfConsistency : null, seconds: (performance.now() - started) / 1000 };
}

export interface ModelReport {
  /** One per repeat, in repeat order. */
  runs: ModelRunSummary[];
  /** Repeat 1 against repeat 2, when both exist. */
  selfConsistency: SelfConsistency | null;
}

/** A model's runs on a batch (answers, failures, tokens) and, asked twice, its self-consistency. */
export async function modelReport(sql: SqlRunner, batchId: string, model: string): Promise<ModelReport> {
  const runs = await listModelRuns(sql, batchId, model);
  const [first, second] = runs;
  const consistency = first && second ? selfConsistency(await listLlmRunKinds(sql, first.participantId), await listLlmRunKinds(sql, second.participantId)) : null;
  return { runs, selfConsistency: consistency };
}

type TaskOutcome = { status: 'answered' | 'unreadable' } | { status: 'no-reply'; problem: string };

/** Asks `concurrency` tasks at a time; stops after too many tasks in a row got no reply at all. */
async function runPool(tasks: readonly LlmTask[], options: EvaluationOptions, ask: (t: LlmTask) => Promise<TaskOutcome>, progress: (done: number) => void): Promise<void> {
  let next = 0;
  let done = 0;
  let silentInARow = 0;
  let stopped: Error | null = null;
  const worker = async () => {
    while (!stopped && next < tasks.length) {
      if (options.shouldStop?.()) {
        stopped = new EvaluationStopped(`Stopped after ${done} of ${tasks.length} tasks; run it again to resume.`);
        break;
      }
      const task = tasks[next++] as LlmTask;
      let outcome: TaskOutcome;
      try {
        outcome = await ask(task);
      } catch (err) {
        // Storing failed (the database went away): every worker stops, the run can be resumed.
        stopped = err instanceof Error ? err : new Error(String(err));
        break;
      }
      silentInARow = outcome.status === 'no-reply' ? silentInARow + 1 : 0;
      if (outcome.status === 'no-reply' && silentInARow >= options.maxConsecutiveErrors) {
        stopped = new EvaluationStopped(`The server gave no reply to ${silentInARow} tasks in a row (last: ${outcome.problem}); stopped after ${done + 1} of ${tasks.length} tasks. Run the same command again to resume.`);
      }
      progress(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, tasks.length)) }, worker));
  if (stopped) throw stopped;
}

async function askTask(
  client: OpenAI,
  sql: SqlRunner,
  participantId: string,
  task: LlmTask,
  options: EvaluationOptions & { seed: number; repeat: number },
): Promise<TaskOutcome> {
  const { order, listed, messages } = planLlmQuestion(task, options.seed, options.model, options.repeat);
  const askedAt = new Date();
  let lastReply: string | null = null;
  let problem = '';
  for (let attempt = 1; attempt <= options.attemptsPerTask; attempt++) {
    let reply: string;
    try {
      const completion = await client.chat.completions.create({ model: options.model, messages });
      reply = completion.choices[0]?.message?.content ?? '';
      await addLlmTokens(sql, participantId, { prompt: completion.usage?.prompt_tokens ?? 0, completion: completion.usage?.completion_tokens ?? 0 });
    } catch (err) {
      // The client already retried (429, 5xx, timeouts): no reply for this task now.
      const noReply = `no reply: ${describeError(err, options.apiKey)}`;
      await recordLlmFailure(sql, participantId, { taskId: task.taskId, attempts: attempt, replied: lastReply !== null, problem: lastReply === null ? noReply : problem, rawReply: lastReply });
      return { status: 'no-reply', problem: noReply };
    }
    const reading = readReply(reply, listed);
    if (reading.ok) {
      await recordLlmAnswer(sql, participantId, { taskId: task.taskId, position: task.position, optionOrder: order, selectedOptionIds: reading.selected.map((i) => order[i] as string) }, askedAt, new Date());
      return { status: 'answered' };
    }
    lastReply = reply;
    problem = reading.problem;
  }
  await recordLlmFailure(sql, participantId, { taskId: task.taskId, attempts: options.attemptsPerTask, replied: true, problem, rawReply: lastReply });
  return { status: 'unreadable' };
}

export interface PlannedLlmQuestion {
  /** Option ids as listed (the five phrases shuffled, "other" last). */
  order: string[];
  /** Their texts as the prompt lists them. */
  listed: string[];
  messages: ChatMessage[];
}

/** The question a run asks for a task: its seeded option order and the Figure 8 messages. */
export function planLlmQuestion(task: LlmTask, seed: number, model: string, repeat: number): PlannedLlmQuestion {
  return questionInOrder(task, orderOptions([...task.phrases.map((p) => p.id), task.otherOptionId], task.otherOptionId, deriveRng(seed, llmOrderKey(model, repeat, task.taskId))));
}

/** The question for a task with a given option order (one recorded before). */
export function questionInOrder(task: LlmTask, order: string[]): PlannedLlmQuestion {
  const textOf = new Map(task.phrases.map((p) => [p.id, p.text]));
  const listed = order.map((id) => textOf.get(id) ?? OTHER_REASONS);
  return { order, listed, messages: llmMessages({ prompt: task.prompt, preferred: task.preferred, other: task.other, phrases: listed.slice(0, -1) }) };
}

/**
 * What went wrong with a request, in the client's words, with anything key-like taken out (some
 * servers quote part of a wrong key back: "Incorrect API key provided: sk-ab***yz").
 */
function describeError(err: unknown, apiKey: string): string {
  const text = err instanceof OpenAI.APIError ? `${err.status ?? 'no status'} ${err.message}`.trim() : err instanceof Error ? err.message : String(err);
  return text.split(apiKey).join('[key]').replace(/\b(sk|pk|key)-[\w*.-]{4,}/gi, '[key]').slice(0, 500);
}
