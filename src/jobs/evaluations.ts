// Runs queued LLM evaluations inside the server (issue 13.3: durable jobs): every few seconds a
// process claims the oldest queued job, or one whose process died, and runs it to its end, beating
// its heartbeat and recording progress. A restarted server resumes a job where its answers stop.
import { hostname } from 'node:os';
import { beatEvaluationJob, claimEvaluationJob, finishEvaluationJob, type EvaluationJob } from '../db/evaluation-jobs.js';
import type { SqlRunner } from '../db/sql-runner.js';
import { DEFAULT_EVALUATION, evaluateBatch, type EvaluationOptions } from '../llm/evaluate.js';
import { findBatchById } from '../db/batches.js';
import { baseUrlAllowed } from '../core/evaluation-settings.js';
import type { Prisma } from '../db/connection.js';
import { schedule, type Scheduled } from './schedule.js';

/** runNow runs jobs until none is waiting (the schedule calls it; tests too). */
export type EvaluationRunner = Scheduled<void>;

export interface EvaluationRunnerOptions {
  everyMs: number;
  log: (message: string) => void;
  /** Where keys come from: the server's environment. */
  env: (name: string) => string | undefined;
  /** This process's name in claims (host and pid by default). */
  worker?: string;
  now?: () => Date;
  /** Request settings (timeouts, retries); tests shorten them. */
  evaluation?: Partial<EvaluationOptions>;
}

/** Heartbeats while a job runs, also when a single request takes long. */
const BEAT_MS = 20_000;

export function startEvaluationRunner(db: { prisma: Prisma; sql: SqlRunner }, options: EvaluationRunnerOptions): EvaluationRunner {
  const worker = options.worker ?? `${hostname()}:${process.pid}`;
  const now = options.now ?? (() => new Date());
  const drain = async () => {
    for (let job = await claimEvaluationJob(db.sql, worker, now()); job; job = await claimEvaluationJob(db.sql, worker, now())) {
      const error = await runJob(job).catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
      await finishEvaluationJob(db.sql, job.id, worker, { status: error ? 'failed' : 'done', error: error || null }, now());
      options.log(error ? `LLM evaluation ${job.id} (${job.model}) failed: ${error}` : `LLM evaluation ${job.id} (${job.model}) done`);
    }
  };

  /** Runs one job; returns '' when it finished, else why it did not. */
  async function runJob(job: EvaluationJob): Promise<string> {
    const batch = await findBatchById(db.prisma, job.batchId);
    if (!batch) return 'the batch no longer exists';
    if (!baseUrlAllowed(job.baseUrl, options.env('PREFBASIS_LLM_BASE_URLS'))) {
      return `the server ${job.baseUrl} is not allowed for jobs queued over the web: the operator adds it to PREFBASIS_LLM_BASE_URLS (comma-separated URL prefixes), or run it with prefbasis evaluate`;
    }
    const apiKey = options.env(job.apiKeyEnv) || (job.baseUrl ? 'no-key' : '');
    if (!apiKey) return `no API key: set ${job.apiKeyEnv} in the server's environment and queue the evaluation again`;
    let taken = false;
    let progress: { done: number; total: number } | null = null;
    const beat = async () => {
      if (!(await beatEvaluationJob(db.sql, job.id, worker, progress, now()))) taken = true;
    };
    const timer = setInterval(() => void beat().catch(() => {}), BEAT_MS);
    let lastBeat = 0;
    try {
      await evaluateBatch(db.sql, batch, {
        ...DEFAULT_EVALUATION,
        ...options.evaluation,
        model: job.model,
        baseUrl: job.baseUrl,
        apiKey,
        concurrency: job.concurrency,
        repeats: job.repeats,
        limit: job.limit,
        onProgress: (done, total) => {
          progress = { done, total };
          if (Date.now() - lastBeat > 1000 || done === total) {
            lastBeat = Date.now();
            void beat().catch(() => {});
          }
        },
        shouldStop: () => taken,
      });
      await beat();
      return '';
    } finally {
      clearInterval(timer);
    }
  }

  return schedule(drain, { ...options, failure: 'LLM evaluation runner failed' });
}
