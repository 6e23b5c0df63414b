// LLM evaluators' runs: each model and repeat is a participant of the batch (evaluator = the model's
// name) whose answers are stored like a rater's, with the question (assignment) it was asked, so
// metrics, exports and charts treat it like any rater. They never take a Prolific place or change
// a task's load (the human assignment balance). The API key is never stored.
import { randomBytes } from 'node:crypto';
import * as PrismaSql from './sql.js';
import { newId } from './ids.js';
import { selectedKindBits } from './kind-bits.js';
import type { SqlRunner, SqlStatements } from './sql-runner.js';

export interface LlmRunKey {
  batchId: string;
  model: string;
  /** 1, 2, …: each repeat is its own participant, asked with other option orders. */
  repeat: number;
}

/** The participant's PROLIFIC_PID column for a run: stable, so a restarted run finds its answers. */
export const llmRunPid = (key: Pick<LlmRunKey, 'model' | 'repeat'>): string => `llm:${key.model}#${key.repeat}`;

export interface OpenedLlmRun {
  participantId: string;
  /** Tasks this run already answered or could not read a reply for: a resumed run never asks them again. */
  asked: Set<string>;
  resumed: boolean;
}

/** How long a run's claim holds without renewal: a process that died frees its run after this. */
export const LLM_LEASE_MS = 120_000;

/** Another process is running this model's repeat on this batch now. */
export class LlmRunBusy extends Error {}

/**
 * Starts the run, or finds the one a stopped process left (and the tasks it already asked), and
 * claims it for `owner`: two processes never ask the same run's tasks at once.
 */
export async function openLlmRun(sql: SqlRunner, key: LlmRunKey, baseUrl: string | null, now: Date, owner: string): Promise<OpenedLlmRun> {
  return sql.transaction(async (tx) => {
    const pid = llmRunPid(key);
    const inserted = await tx.rows<{ id: string }>(PrismaSql.sql`
      INSERT INTO participants (id, batch_id, code, prolific_pid, study_id, session_id, status, evaluator, created_at, consented_at, started_at)
      VALUES (${newId('p', 12)}, ${key.batchId}, ${randomBytes(24).toString('base64url')}, ${pid}, 'llm', ${newId('llm', 12)}, 'active', ${key.model}, ${now}, ${now}, ${now})
      ON CONFLICT (batch_id, prolific_pid) DO NOTHING
      RETURNING id`);
    const participantId = inserted[0]?.id ?? (await tx.rows<{ id: string }>(PrismaSql.sql`SELECT id FROM participants WHERE batch_id = ${key.batchId} AND prolific_pid = ${pid}`))[0]?.id;
    if (!participantId) throw new Error(`LLM run ${pid} could be neither created nor found`);
    if (inserted.length > 0) {
      await tx.rows(PrismaSql.sql`
        INSERT INTO llm_runs (participant_id, model, repeat, base_url, started_at) VALUES (${participantId}, ${key.model}, ${key.repeat}, ${baseUrl}, ${now})`);
    }
    const leased = await tx.rows<{ participant_id: string }>(PrismaSql.sql`
      UPDATE llm_runs SET lease_owner = ${owner}, lease_until = ${new Date(now.getTime() + LLM_LEASE_MS)}
      WHERE participant_id = ${participantId} AND (lease_until IS NULL OR lease_until < ${now} OR lease_owner = ${owner})
      RETURNING participant_id`);
    if (leased.length === 0) throw new LlmRunBusy(`Another process is running ${key.model} (repeat ${key.repeat}) on this batch; wait for it to finish, or for two minutes after it stopped.`);
    if (inserted.length === 0) {
      // A resumed run is unfinished again until it has asked every task.
      await tx.rows(PrismaSql.sql`UPDATE participants SET status = 'active', completed_at = NULL WHERE id = ${participantId}`);
      await tx.rows(PrismaSql.sql`UPDATE llm_runs SET finished_at = NULL WHERE participant_id = ${participantId}`);
    }
    const asked = await tx.rows<{ task_id: string }>(PrismaSql.sql`
      SELECT task_id FROM answers WHERE participant_id = ${participantId}
      UNION SELECT task_id FROM llm_failures WHERE participant_id = ${participantId} AND replied`);
    return { participantId, asked: new Set(asked.map((r) => r.task_id)), resumed: inserted.length === 0 };
  });
}

/** One task as an LLM evaluator is asked it: the conversation and the options (kinds stay here). */
export interface LlmTask {
  taskId: string;
  /** The task's place in the run (the batch's task order): the stored question's position. */
  position: number;
  prompt: string;
  preferred: string;
  other: string;
  /** The five phrases (ids and texts, in id order); the run shuffles them. */
  phrases: { id: string; text: string }[];
  /** The "other reason(s)" option: always listed sixth. */
  otherOptionId: string;
}

/** The batch's tasks in position order, the first `limit` of them when given. */
export async function listLlmTasks(sql: SqlRunner, batchId: string, limit: number | null): Promise<LlmTask[]> {
  const rows = await sql.rows<{ id: string; prompt: string; response_a: string; response_b: string; winner: string; options: { id: string; kind: string; text: string }[] }>(PrismaSql.sql`
    SELECT t.id, d.prompt, d.response_a, d.response_b, d.winner::text AS winner,
           (SELECT json_agg(json_build_object('id', o.id, 'kind', o.kind, 'text', o.text) ORDER BY o.id) FROM task_options o WHERE o.task_id = t.id) AS options
    FROM tasks t JOIN datapoints d ON d.id = t.datapoint_id
    WHERE t.batch_id = ${batchId} ORDER BY t.position
    LIMIT ${limit ?? 2_147_483_647}`);
  return rows.map((t, position) => {
    const other = t.options.find((o) => o.kind === 'other');
    if (!other) throw new Error(`task ${t.id} has no "other" option`);
    const [preferred, rejected] = t.winner === 'model_a' ? [t.response_a, t.response_b] : [t.response_b, t.response_a];
    return {
      taskId: t.id,
      position,
      prompt: t.prompt,
      preferred,
      other: rejected,
      phrases: t.options.filter((o) => o.kind !== 'other').map((o) => ({ id: o.id, text: o.text })),
      otherOptionId: other.id,
    };
  });
}

/**
 * Records questions as sent elsewhere (the offline lane: written to a Batch-API file), so their
 * replies are read later against exactly the order each prompt listed; an order recorded before stays.
 */
export async function recordLlmQuestions(sql: SqlStatements, participantId: string, questions: readonly { taskId: string; position: number; optionOrder: readonly string[] }[], now: Date): Promise<void> {
  if (questions.length === 0) return;
  const rows = questions.map((q) => ({ task_id: q.taskId, position: q.position, option_order: q.optionOrder }));
  await sql.rows(PrismaSql.sql`
    INSERT INTO assignments (participant_id, position, task_id, option_order, preferred_first, shown_at)
    SELECT ${participantId}, q.position, q.task_id, q.option_order, true, ${now}
    FROM json_to_recordset(${JSON.stringify(rows)}::json) AS q(task_id text, position int, option_order text[])
    ON CONFLICT DO NOTHING`);
}

/** The participant of a model's repeat on a batch, if that run exists. */
export async function findLlmRun(sql: SqlRunner, key: LlmRunKey): Promise<string | null> {
  const [row] = await sql.rows<{ id: string }>(PrismaSql.sql`SELECT id FROM participants WHERE batch_id = ${key.batchId} AND prolific_pid = ${llmRunPid(key)}`);
  return row?.id ?? null;
}

/** The recorded option order of each question of a run (task id → order). */
export async function listLlmQuestionOrders(sql: SqlRunner, participantId: string): Promise<Map<string, string[]>> {
  const rows = await sql.rows<{ task_id: string; option_order: string[] }>(PrismaSql.sql`SELECT task_id, option_order FROM assignments WHERE participant_id = ${participantId}`);
  return new Map(rows.map((r) => [r.task_id, r.option_order]));
}

/** Stores the question as asked (option order) and the model's answer, once (a repeat is a no-op). */
export async function recordLlmAnswer(
  sql: SqlRunner,
  participantId: string,
  answer: { taskId: string; position: number; optionOrder: readonly string[]; selectedOptionIds: readonly string[] },
  askedAt: Date,
  answeredAt: Date,
): Promise<void> {
  const order = [...answer.optionOrder];
  const selected = order.filter((id) => answer.selectedOptionIds.includes(id));
  await sql.transaction(async (tx) => {
    await recordLlmQuestions(tx, participantId, [{ taskId: answer.taskId, position: answer.position, optionOrder: order }], askedAt);
    await tx.rows(PrismaSql.sql`
      INSERT INTO answers (id, participant_id, task_id, position, selected_option_ids, selected_kinds, option_order, shown_at, answered_at)
      VALUES (${newId('a', 16)}, ${participantId}, ${answer.taskId}, ${answer.position}, ${selected}::text[],
              ${selectedKindBits(PrismaSql.sql`${answer.taskId}`, PrismaSql.sql`${selected}::text[]`)}, ${order}::text[], ${askedAt}, ${answeredAt})
      ON CONFLICT DO NOTHING`);
    // Answered after all (a resumed run asking again a task that got no reply before).
    await tx.rows(PrismaSql.sql`DELETE FROM llm_failures WHERE participant_id = ${participantId} AND task_id = ${answer.taskId}`);
  });
}

/**
 * A task that failed: its replies could not be read (`replied`: kept with the last raw reply and
 * why), or no reply came at all (asked again when the run resumes).
 */
export async function recordLlmFailure(sql: SqlRunner, participantId: string, failure: { taskId: string; attempts: number; replied: boolean; problem: string; rawReply: string | null }): Promise<void> {
  await sql.rows(PrismaSql.sql`
    INSERT INTO llm_failures (participant_id, task_id, attempts, replied, problem, raw_reply)
    VALUES (${participantId}, ${failure.taskId}, ${failure.attempts}, ${failure.replied}, ${failure.problem}, ${failure.rawReply})
    ON CONFLICT (participant_id, task_id) DO UPDATE SET attempts = EXCLUDED.attempts, replied = EXCLUDED.replied, problem = EXCLUDED.problem, raw_reply = EXCLUDED.raw_reply`);
}

export async function addLlmTokens(sql: SqlRunner, participantId: string, tokens: { prompt: number; completion: number }): Promise<void> {
  await sql.rows(PrismaSql.sql`
    UPDATE llm_runs SET prompt_tokens = prompt_tokens + ${tokens.prompt}, completion_tokens = completion_tokens + ${tokens.completion}
    WHERE participant_id = ${participantId}`);
}

/** Keeps the claim of a run that is still asking; false when it was lost (another process took over). */
export async function renewLlmRunLease(sql: SqlRunner, participantId: string, owner: string, now: Date): Promise<boolean> {
  const rows = await sql.rows<{ participant_id: string }>(PrismaSql.sql`
    UPDATE llm_runs SET lease_until = ${new Date(now.getTime() + LLM_LEASE_MS)}
    WHERE participant_id = ${participantId} AND lease_owner = ${owner}
    RETURNING participant_id`);
  return rows.length === 1;
}

/** Gives the run up without finishing it (stopped; resumable at once by anyone). */
export async function releaseLlmRun(sql: SqlRunner, participantId: string, owner: string): Promise<void> {
  await sql.rows(PrismaSql.sql`UPDATE llm_runs SET lease_owner = NULL, lease_until = NULL WHERE participant_id = ${participantId} AND lease_owner = ${owner}`);
}

/** Marks the run finished: its answers then count in metrics like a finished rater's. */
export async function finishLlmRun(sql: SqlRunner, participantId: string, now: Date): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.rows(PrismaSql.sql`UPDATE participants SET status = 'completed', completed_at = ${now} WHERE id = ${participantId}`);
    await tx.rows(PrismaSql.sql`UPDATE llm_runs SET finished_at = ${now}, lease_owner = NULL, lease_until = NULL WHERE participant_id = ${participantId}`);
  });
}

export interface LlmRunSummary {
  answered: number;
  failed: number;
  promptTokens: number;
  completionTokens: number;
}

/** Each task's selected kinds (bits) in a run: for self-consistency between repeats. */
export async function listLlmRunKinds(sql: SqlRunner, participantId: string): Promise<Map<string, number>> {
  const rows = await sql.rows<{ task_id: string; selected_kinds: number }>(PrismaSql.sql`
    SELECT task_id, selected_kinds FROM answers WHERE participant_id = ${participantId}`);
  return new Map(rows.map((r) => [r.task_id, r.selected_kinds]));
}

/**
 * Per task of the batch: the kind bits of each finished human rater's answer and of each answer of
 * the model's finished runs (for core/model-agreement.ts).
 */
export async function listTaskAnswersForAgreement(sql: SqlRunner, batchId: string, model: string, excludedRaters: readonly string[] = []): Promise<{ taskId: string; human: number[]; model: number[] }[]> {
  const rows = await sql.rows<{ task_id: string; human: number[] | null; model: number[] | null }>(PrismaSql.sql`
    SELECT a.task_id,
           array_agg(a.selected_kinds::int) FILTER (WHERE r.participant_id IS NULL AND p.evaluator = 'human') AS human,
           array_agg(a.selected_kinds::int) FILTER (WHERE r.participant_id IS NOT NULL AND p.evaluator = ${model}) AS model
    FROM answers a JOIN participants p ON p.id = a.participant_id LEFT JOIN llm_runs r ON r.participant_id = p.id
    WHERE p.batch_id = ${batchId} AND p.completed_at IS NOT NULL AND NOT (p.id = ANY(${[...excludedRaters]}::text[]))
    GROUP BY a.task_id ORDER BY a.task_id`);
  return rows.map((r) => ({ taskId: r.task_id, human: r.human ?? [], model: r.model ?? [] }));
}

export interface ModelRunSummary extends LlmRunSummary {
  repeat: number;
  participantId: string;
  finished: boolean;
}

/** A model's runs on a batch (one per repeat): answers, failures and tokens so far. */
export async function listModelRuns(sql: SqlRunner, batchId: string, model: string): Promise<ModelRunSummary[]> {
  const rows = await sql.rows<{ participant_id: string; repeat: number; finished: boolean; answered: number; failed: number; prompt_tokens: number; completion_tokens: number }>(PrismaSql.sql`
    SELECT r.participant_id, r.repeat, r.finished_at IS NOT NULL AS finished, r.prompt_tokens, r.completion_tokens,
           (SELECT count(*)::int FROM answers a WHERE a.participant_id = r.participant_id) AS answered,
           (SELECT count(*)::int FROM llm_failures f WHERE f.participant_id = r.participant_id) AS failed
    FROM llm_runs r JOIN participants p ON p.id = r.participant_id
    WHERE p.batch_id = ${batchId} AND r.model = ${model}
    ORDER BY r.repeat`);
  return rows.map((r) => ({ participantId: r.participant_id, repeat: r.repeat, finished: r.finished, answered: r.answered, failed: r.failed, promptTokens: r.prompt_tokens, completionTokens: r.completion_tokens }));
}
