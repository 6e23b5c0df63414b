// Console: batch list, create form, lifecycle, live progress, participants.
import { randomInt } from 'node:crypto';
import { planBatchAgreement } from '../../core/agreement.js';
import { describeTaskSupply } from '../../core/task-supply.js';
import { consoleAnalysisRouter } from './console-analysis.js';
import { targetWidthSchema } from '../../core/convergence.js';
import { computeBatchConvergence } from '../../results/analysis.js';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { batchSettingsSchema } from '../../core/batch-settings.js';
import { coverageWarningText, percent } from '../../core/category-coverage.js';
import type { GenerationReport } from '../../core/task-generation.js';
import { listAuditEvents } from '../../db/audit.js';
import { changeBatchStatus, createBatchFromDataset, getBatchProgress, listBatches, type Batch } from '../../db/batches.js';
import type { Prisma } from '../../db/connection.js';
import { listDatasets } from '../../db/datasets.js';
import { findParticipantDetail, listParticipantOverviews } from '../../db/participant-reports.js';
import { markReturned } from '../../db/participants.js';
import type { ProlificClient } from '../../prolific/client.js';
import type { SqlRunner } from '../../db/sql-runner.js';
import { timeOutAbandonedParticipants } from '../../db/timeouts.js';
import { allowedActions, BATCH_ACTIONS, canChangeStatus, type BatchActionName } from '../../core/batch-lifecycle.js';
import { participantUrl, previewUrl } from '../../core/prolific.js';
import { HttpError } from '../http-error.js';
import { batchNotFound, batchParam } from '../batch-param.js';
import { batchOf } from '../locals.js';
import { actorOf, requireAdmin } from '../middleware/auth.js';
import { parseForm, typedValues, type FieldErrors } from '../forms.js';
import { evaluationSettingsSchema } from '../../core/evaluation-settings.js';
import { listEvaluationJobs, queueEvaluation } from '../../db/evaluation-jobs.js';
import { parseOr400, participantParam } from '../schemas/common.js';
import { consoleResultsRouter } from './console-results.js';
import { consoleReviewRouter } from './console-review.js';

type FormValues = Record<string, string>;

/** The batch page's convergence target (its Project form). */
const widthQuery = z.object({ width: targetWidthSchema });

const FORM_DEFAULTS: FormValues = { dataset: '', name: '', questions: '20', raters: '50', seed: '', completionCode: '', ratingsPerTask: '', preferredSide: 'first', categoryDraw: 'uniform', maxMinutes: '60',
  attentionChecks: '2', prolificStudyId: '', excludeFailedChecks: '2', excludeSpeederSeconds: '', excludeStraightLinerPercent: '',
};
/** Optional fields a researcher left empty mean "not set" (an empty number would read as 0). */
const statusForm = z.object({ action: z.enum(BATCH_ACTIONS.map(([name]) => name) as [BatchActionName, ...BatchActionName[]]), confirm: z.literal('yes').optional() });
const emptyAsNull = (v: string | undefined) => (v?.trim() ? v : null);

export function consoleBatchesRouter(prisma: Prisma, options: { publicBaseUrl: string | null; sql: SqlRunner; prolific: ProlificClient | null }): Router {
  const router = Router();
  // Also runs for the results and review routers mounted on '/:id' below: they read batchOf(res).
  router.param('id', batchParam(prisma, batchNotFound));
  const baseUrl = (req: Request) => options.publicBaseUrl ?? `${req.protocol}://${req.get('host')}`;

  router.get('/', async (_req, res) => {
    const batches = await listBatches(prisma);
    const progress = await Promise.all(batches.map((b) => getBatchProgress(prisma, b.id)));
    res.render('admin/batches', { title: 'Batches', rows: batches.map((batch, i) => ({ batch, progress: progress[i] })) });
  });

  const renderForm = async (res: Response, status: number, values: FormValues, errors: Record<string, string>) => {
    res.status(status).render('admin/batch-new', { title: 'New batch', datasets: await listDatasets(prisma), values, errors });
  };

  // A fresh seed for each new form, from the crypto RNG (the researcher sees it and may change it).
  // Only admins create batches: a researcher is told so before filling the form in, not after.
  router.get('/new', requireAdmin, (_req, res) => renderForm(res, 200, { ...FORM_DEFAULTS, seed: String(randomInt(1_000_000)) }, {}));

  router.post('/', async (req, res) => {
    const values: FormValues = { ...FORM_DEFAULTS, ...typedValues(req.body) };
    const form = parseForm(batchSettingsSchema, {
      ...values,
      ratingsPerTask: emptyAsNull(values.ratingsPerTask),
      attentionChecks: emptyAsNull(values.attentionChecks),
      prolificStudyId: emptyAsNull(values.prolificStudyId),
    });
    if (!form.ok) return renderForm(res, 400, values, form.errors);
    const outcome = await createBatchFromDataset(prisma, form.data, actorOf(res));
    if (!outcome.ok) {
      const errors: Record<string, string> =
        outcome.reason === 'dataset-not-found' ? { dataset: 'Choose an imported dataset.' }
        : outcome.reason === 'name-taken' ? { name: 'A batch with this name exists.' }
        : { questions: `The dataset gives only ${outcome.made} tasks with this seed; ask fewer questions.` };
      return renderForm(res, 400, values, errors);
    }
    res.redirect(303, `/console/batches/${outcome.batch.id}`);
  });

  const renderBatch = async (req: Request, res: Response, status: number, evaluationForm: { values: Record<string, string>; errors: FieldErrors }) => {
    const batch = batchOf(res);
    const progress = await getBatchProgress(prisma, batch.id);
    res.status(status).render('admin/batch', {
      title: batch.name,
      batch,
      progress,
      agreementPlan: planBatchAgreement(batch, progress.tasks),
      convergence: await computeBatchConvergence(options.sql, batch, { width: parseOr400(widthQuery, req.query, 'query').width }),
      events: await listAuditEvents(prisma, { batchId: batch.id, limit: 50 }),
      participantUrl: participantUrl(baseUrl(req), batch),
      previewUrl: previewUrl(baseUrl(req), batch),
      actions: allowedActions(batch.status),
      categories: categoryRows(batch),
      supply: taskSupplyOf(batch),
      evaluations: await listEvaluationJobs(options.sql, batch.id),
      evaluationForm,
    });
  };

  router.get('/:id', (req, res) => renderBatch(req, res, 200, { values: {}, errors: {} }));

  // An LLM evaluator on the batch: queued here, run by a server process (jobs/evaluations.ts).
  router.post('/:id/evaluations', async (req, res) => {
    const form = parseForm(evaluationSettingsSchema, req.body);
    if (!form.ok) return renderBatch(req, res, 400, { values: form.values, errors: form.errors });
    const outcome = await queueEvaluation(options.sql, { batchId: batchOf(res).id, ...form.data }, actorOf(res), new Date());
    if (!outcome.ok) return renderBatch(req, res, 409, { values: typedValues(req.body), errors: { model: `${form.data.model} is already ${outcome.pending.status} on this batch; wait for it to end.` } });
    res.redirect(303, `/console/batches/${batchOf(res).id}#evaluations`);
  });

  // Polled by public/console.js so the progress view refreshes without a full reload.
  router.get('/:id/progress.json', async (_req, res) => {
    const batch = batchOf(res);
    const evaluations = (await listEvaluationJobs(options.sql, batch.id)).map((j) => ({ id: j.id, status: j.status, done: j.done, total: j.total, error: j.error }));
    res.json({ status: batch.status, progress: await getBatchProgress(prisma, batch.id), evaluations });
  });

  router.post('/:id/status', async (req, res) => {
    const batch = batchOf(res);
    const form = parseForm(statusForm, req.body);
    const action = form.ok ? BATCH_ACTIONS.find(([name]) => name === form.data.action) : undefined;
    if (!form.ok || !action) throw new HttpError(400, 'unknown_action', `Unknown batch action: choose one of ${BATCH_ACTIONS.map(([name]) => name).join(', ')}.`);
    if (action[0] === 'close' && canChangeStatus(batch.status, 'closed') && form.data.confirm !== 'yes') {
      // Closing is final: say who is mid-session before doing it.
      const { participants } = await getBatchProgress(prisma, batch.id);
      return res.render('admin/batch-close', { title: `Close ${batch.name}?`, batch, midSession: participants.consenting + participants.active });
    }
    const change = await changeBatchStatus(prisma, batch, action[1], new Date(), actorOf(res));
    if (!change.ok) throw new HttpError(409, 'invalid_transition', `A ${change.from} batch cannot become ${change.to}.`);
    res.redirect(303, `/console/batches/${batch.id}`);
  });

  router.post('/:id/timeouts', async (_req, res) => {
    const batch = batchOf(res);
    await timeOutAbandonedParticipants(options.sql, new Date(), actorOf(res), { batchId: batch.id, keepProlificActive: true });
    res.redirect(303, `/console/batches/${batch.id}`);
  });

  router.get('/:id/participants', async (_req, res) => {
    const batch = batchOf(res);
    res.render('admin/participants', { title: `Participants · ${batch.name}`, batch, participants: await listParticipantOverviews(prisma, batch.id) });
  });

  router.get('/:id/participants/:participantId', async (req, res) => {
    const batch = batchOf(res);
    const { participantId } = parseOr400(participantParam, req.params, 'path');
    const detail = await findParticipantDetail(prisma, batch.id, participantId);
    if (!detail) throw new HttpError(404, 'participant_not_found', 'No such participant in this batch.');
    res.render('admin/participant', { title: `Participant ${detail.participant.prolificPid}`, batch, ...detail });
  });

  router.post('/:id/participants/:participantId/return', async (req, res) => {
    const batch = batchOf(res);
    const { participantId } = parseOr400(participantParam, req.params, 'path');
    await markReturned(options.sql, batch.id, participantId, new Date(), actorOf(res));
    res.redirect(303, `/console/batches/${batch.id}/participants`);
  });

  router.use('/:id', consoleResultsRouter(prisma, options.sql));
  router.use('/:id', consoleAnalysisRouter(options.sql));
  router.use('/:id', consoleReviewRouter(options));
  return router;
}

/** Skips and a task shortfall from the batch's generation report (null for batches made before it was kept). */
function taskSupplyOf(batch: Batch) {
  const report = batch.generationReport as Partial<GenerationReport> | null;
  if (report?.made === undefined || !report.skippedByReason) return null;
  return describeTaskSupply({ made: report.made, skippedByReason: report.skippedByReason }, { raters: batch.targetRaters, questions: batch.questionsPerRater, ratingsPerTask: batch.ratingsPerTask });
}

/** The batch's category table (issue 14.1), formatted; null for batches made before it was recorded. */
function categoryRows(batch: Batch) {
  const report = batch.generationReport as Partial<GenerationReport> | null;
  if (!report?.categories) return null;
  return report.categories.map((c) => ({
    category: c.category,
    datapoints: c.datapoints,
    prevalence: percent(c.prevalence),
    expectedShare: percent(c.expectedShare),
    taskShare: percent(c.taskShare),
    warning: coverageWarningText(c.warning),
  }));
}
