// /api/v1/batches/:id/evaluations: queue an LLM evaluator on the batch (a server process runs it:
// jobs/evaluations.ts) and follow its progress. The key is read from the server's environment.
import express, { Router } from 'express';
import { evaluationSettingsSchema } from '../../core/evaluation-settings.js';
import { findEvaluationJob, listEvaluationJobs, queueEvaluation, type EvaluationJob } from '../../db/evaluation-jobs.js';
import type { Prisma } from '../../db/connection.js';
import type { SqlRunner } from '../../db/sql-runner.js';
import { batchNotFound, batchParam } from '../batch-param.js';
import { batchOf } from '../locals.js';
import { actorOf } from '../middleware/auth.js';
import { idParam, parseBodyOr422, parseOr400 } from '../schemas/common.js';
import { HttpError } from '../http-error.js';
import { exclusionModeSchema } from '../../core/exclusions.js';
import { computeModelAgreements } from '../../results/model-agreement.js';
import { modelReport } from '../../llm/evaluate.js';
import { z } from 'zod';

const agreementQuery = z.object({ model: z.string().trim().min(1, 'name the model (its evaluator name)').max(200), worst: z.coerce.number().int().min(0).max(1000).default(20), exclusions: exclusionModeSchema });

export function presentEvaluationJob(job: EvaluationJob) {
  return {
    id: job.id,
    model: job.model,
    baseUrl: job.baseUrl,
    apiKeyEnv: job.apiKeyEnv,
    concurrency: job.concurrency,
    repeats: job.repeats,
    limit: job.limit,
    status: job.status,
    progress: { done: job.done, total: job.total },
    error: job.error,
    createdBy: job.createdBy,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

/** A model's runs as the API shows them (participant ids stay inside). */
async function modelRuns(sql: SqlRunner, batchId: string, model: string) {
  const report = await modelReport(sql, batchId, model);
  return { model, runs: report.runs.map(({ participantId: _, ...run }) => run), selfConsistency: report.selfConsistency };
}

/** /api/v1/evaluations/:id: one job's progress, wherever its batch. */
export function evaluationJobRouter(options: { sql: SqlRunner }): Router {
  const router = Router();
  router.get('/:id', async (req, res) => {
    const { id } = parseOr400(idParam, req.params, 'path');
    const job = await findEvaluationJob(options.sql, id);
    if (!job) throw new HttpError(404, 'evaluation_not_found', `No evaluation job with id "${id}".`);
    const { runs, selfConsistency: consistency } = await modelRuns(options.sql, job.batchId, job.model);
    res.json({ ...presentEvaluationJob(job), batchId: job.batchId, runs, selfConsistency: consistency });
  });
  return router;
}

export function evaluationsRouter(prisma: Prisma, options: { sql: SqlRunner }): Router {
  const router = Router();
  router.param('id', batchParam(prisma, batchNotFound));

  router.post('/:id/evaluations', express.json({ limit: '10kb' }), async (req, res) => {
    const settings = parseBodyOr422(evaluationSettingsSchema, req.body ?? {});
    const outcome = await queueEvaluation(options.sql, { batchId: batchOf(res).id, ...settings }, actorOf(res), new Date());
    if (!outcome.ok) throw new HttpError(409, 'evaluation_pending', `${settings.model} is already ${outcome.pending.status} on this batch (job ${outcome.pending.id}); wait for it to end.`, { job: presentEvaluationJob(outcome.pending) });
    res.status(202).json(presentEvaluationJob(outcome.job));
  });

  // How the model follows the humans' majority, task by task, and kappa per option kind.
  router.get('/:id/model-agreement', async (req, res) => {
    const { model, worst, exclusions } = parseOr400(agreementQuery, req.query, 'query');
    const batch = batchOf(res);
    const [agreement] = await computeModelAgreements(options.sql, batch, [model], { exclusions, worst });
    res.json({ batch: { id: batch.id, name: batch.name }, ...agreement });
  });

  // Jobs, and per model its runs so far (answers, failures, tokens) and, asked twice, its self-consistency.
  router.get('/:id/evaluations', async (_req, res) => {
    const batchId = batchOf(res).id;
    const jobs = await listEvaluationJobs(options.sql, batchId);
    const models = await Promise.all([...new Set(jobs.map((j) => j.model))].map((model) => modelRuns(options.sql, batchId, model)));
    res.json({ jobs: jobs.map(presentEvaluationJob), models });
  });

  return router;
}
