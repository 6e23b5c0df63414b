// Queued LLM evaluations, run by whichever server process claims them first: the claim is a row
// lock (FOR UPDATE SKIP LOCKED) plus a heartbeat, so two processes never run one job, and a job
// whose process died (heartbeat stale) is claimed again and resumes. The key stays in the
// environment: a job names the variable, never holds its value.
import { insertAuditEvents, type Actor } from './audit.js';
import * as PrismaSql from './sql.js';
import { newId } from './ids.js';
import type { SqlRunner } from './sql-runner.js';

export interface EvaluationJobInput {
  batchId: string;
  model: string;
  baseUrl: string | null;
  apiKeyEnv: string;
  concurrency: number;
  repeats: number;
  limit: number | null;
}

export interface EvaluationJob extends EvaluationJobInput {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  done: number;
  total: number;
  error: string | null;
  createdBy: string;
  createdAt: Date;
  heartbeatAt: Date | null;
  finishedAt: Date | null;
}

interface JobRow {
  id: string;
  batch_id: string;
  model: string;
  base_url: string | null;
  api_key_env: string;
  concurrency: number;
  repeats: number;
  task_limit: number | null;
  status: EvaluationJob['status'];
  done: number;
  total: number;
  error: string | null;
  created_by: string;
  created_at: Date;
  heartbeat_at: Date | null;
  finished_at: Date | null;
}

const jobOf = (r: JobRow): EvaluationJob => ({
  id: r.id,
  batchId: r.batch_id,
  model: r.model,
  baseUrl: r.base_url,
  apiKeyEnv: r.api_key_env,
  concurrency: r.concurrency,
  repeats: r.repeats,
  limit: r.task_limit,
  status: r.status,
  done: r.done,
  total: r.total,
  error: r.error,
  createdBy: r.created_by,
  createdAt: r.created_at,
  heartbeatAt: r.heartbeat_at,
  finishedAt: r.finished_at,
});

/** A running job's heartbeat older than this belongs to a process that died: it is claimed again. */
export const STALE_AFTER_MS = 120_000;

export type QueueOutcome = { ok: true; job: EvaluationJob } | { ok: false; pending: EvaluationJob };

/** Queues a job, unless one for the same model on the batch is queued or running (then that one). */
export async function queueEvaluation(sql: SqlRunner, input: EvaluationJobInput, actor: Actor, now: Date): Promise<QueueOutcome> {
  return sql.transaction(async (tx) => {
    // One writer per batch and model at a time: the batch row is the lock (a double-clicked form).
    await tx.rows(PrismaSql.sql`SELECT id FROM batches WHERE id = ${input.batchId} FOR UPDATE`);
    const [pending] = await tx.rows<JobRow>(PrismaSql.sql`
      SELECT * FROM evaluation_jobs WHERE batch_id = ${input.batchId} AND model = ${input.model} AND status IN ('queued', 'running') LIMIT 1`);
    if (pending) return { ok: false, pending: jobOf(pending) };
    const [row] = await tx.rows<JobRow>(PrismaSql.sql`
      INSERT INTO evaluation_jobs (id, batch_id, model, base_url, api_key_env, concurrency, repeats, task_limit, created_by, created_at)
      VALUES (${newId('ej', 12)}, ${input.batchId}, ${input.model}, ${input.baseUrl}, ${input.apiKeyEnv}, ${input.concurrency}, ${input.repeats}, ${input.limit}, ${actor.name}, ${now})
      RETURNING *`);
    if (!row) throw new Error('evaluation job not inserted');
    await insertAuditEvents(tx, actor, [{ action: 'evaluation.queue', batchId: input.batchId, details: { job: row.id, model: input.model, baseUrl: input.baseUrl, repeats: input.repeats, limit: input.limit } }], now);
    return { ok: true, job: jobOf(row) };
  });
}

/** The oldest queued job, or a running one whose process stopped beating; null when there is none. */
export async function claimEvaluationJob(sql: SqlRunner, worker: string, now: Date): Promise<EvaluationJob | null> {
  const stale = new Date(now.getTime() - STALE_AFTER_MS);
  const [row] = await sql.rows<JobRow>(PrismaSql.sql`
    UPDATE evaluation_jobs SET status = 'running', claimed_by = ${worker}, heartbeat_at = ${now}, error = NULL
    WHERE id = (
      SELECT id FROM evaluation_jobs
      WHERE status = 'queued' OR (status = 'running' AND heartbeat_at < ${stale})
      ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1)
    RETURNING *`);
  return row ? jobOf(row) : null;
}

/** Progress and "still alive"; false when another process has taken the job over (stop then). */
export async function beatEvaluationJob(sql: SqlRunner, jobId: string, worker: string, progress: { done: number; total: number } | null, now: Date): Promise<boolean> {
  const rows = await sql.rows<{ id: string }>(PrismaSql.sql`
    UPDATE evaluation_jobs SET heartbeat_at = ${now}, done = coalesce(${progress?.done ?? null}::int, done), total = coalesce(${progress?.total ?? null}::int, total)
    WHERE id = ${jobId} AND claimed_by = ${worker} AND status = 'running'
    RETURNING id`);
  return rows.length === 1;
}

export async function finishEvaluationJob(sql: SqlRunner, jobId: string, worker: string, outcome: { status: 'done' | 'failed'; error: string | null }, now: Date): Promise<void> {
  await sql.rows(PrismaSql.sql`
    UPDATE evaluation_jobs SET status = ${outcome.status}, error = ${outcome.error}, finished_at = ${now}, heartbeat_at = ${now}
    WHERE id = ${jobId} AND claimed_by = ${worker}`);
}

export async function findEvaluationJob(sql: SqlRunner, id: string): Promise<EvaluationJob | null> {
  const [row] = await sql.rows<JobRow>(PrismaSql.sql`SELECT * FROM evaluation_jobs WHERE id = ${id}`);
  return row ? jobOf(row) : null;
}

export async function listEvaluationJobs(sql: SqlRunner, batchId: string): Promise<EvaluationJob[]> {
  return (await sql.rows<JobRow>(PrismaSql.sql`SELECT * FROM evaluation_jobs WHERE batch_id = ${batchId} ORDER BY created_at DESC LIMIT 50`)).map(jobOf);
}
