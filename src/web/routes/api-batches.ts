// /api/v1/batches: create (tasks frozen), lifecycle, settings and progress (frozen tasks: api-results.ts).
import express, { Router, type Request } from 'express';
import { planBatchAgreement } from '../../core/agreement.js';
import { batchSettingsSchema } from '../../core/batch-settings.js';
import {
  changeBatchStatus,
  createBatchFromDataset,
  getBatchProgress,
  listBatches,
  type Batch,
} from '../../db/batches.js';
import type { Prisma } from '../../db/connection.js';
import type { SqlRunner } from '../../db/sql-runner.js';
import { timeOutAbandonedParticipants } from '../../db/timeouts.js';
import { markReturned } from '../../db/participants.js';
import { actorOf } from '../middleware/auth.js';
import { BATCH_ACTIONS } from '../../core/batch-lifecycle.js';
import { participantUrl, previewUrl } from '../../core/prolific.js';
import { presentBatch } from '../batch-links.js';
import { HttpError } from '../http-error.js';
import { batchNotFound, batchParam } from '../batch-param.js';
import { batchOf } from '../locals.js';
import { parseBodyOr422, parseOr400, participantParam } from '../schemas/common.js';

export function batchesRouter(prisma: Prisma, options: { publicBaseUrl: string | null; sql: SqlRunner }): Router {
  const router = Router();
  router.param('id', batchParam(prisma, batchNotFound));
  const baseUrl = (req: Request) => options.publicBaseUrl ?? `${req.protocol}://${req.get('host')}`;
  const links = (req: Request, batch: Batch) => ({ participantUrl: participantUrl(baseUrl(req), batch), previewUrl: previewUrl(baseUrl(req), batch) });

  router.post('/', express.json({ limit: '100kb' }), async (req, res) => {
    const settings = parseBodyOr422(batchSettingsSchema, req.body ?? {});
    const outcome = await createBatchFromDataset(prisma, settings, actorOf(res));
    if (!outcome.ok) {
      switch (outcome.reason) {
        case 'dataset-not-found':
          throw new HttpError(404, 'dataset_not_found', `No dataset with id or name "${outcome.dataset}".`);
        case 'name-taken':
          throw new HttpError(409, 'name_taken', `A batch named "${outcome.name}" exists; choose another name.`);
        case 'too-few-tasks':
          throw new HttpError(
            422,
            'too_few_tasks',
            `The dataset gives only ${outcome.made} tasks with this seed, fewer than the ${outcome.questions} questions per rater; lower "questions" or use a larger dataset.`,
            { report: outcome.report },
          );
      }
    }
    res.status(201).json({ batch: presentBatch(outcome.batch), report: outcome.report, agreement: planBatchAgreement(outcome.batch, outcome.report.made), ...links(req, outcome.batch) });
  });

  router.get('/', async (_req, res) => {
    res.json({ batches: (await listBatches(prisma)).map(presentBatch) });
  });

  router.get('/:id', async (req, res) => {
    const batch = batchOf(res);
    res.json({ batch: presentBatch(batch), progress: await getBatchProgress(prisma, batch.id), ...links(req, batch) });
  });

  router.post('/:id/participants/:participantId/return', async (req, res) => {
    const batch = batchOf(res);
    const { participantId } = parseOr400(participantParam, req.params, 'path');
    if (!(await markReturned(options.sql, batch.id, participantId, new Date(), actorOf(res)))) {
      throw new HttpError(409, 'not_returnable', 'Only a participant who is consenting or answering can be marked returned.');
    }
    res.json({ participant: { id: participantId, status: 'returned' } });
  });

  // On demand; each server process also runs it on a schedule (jobs/timeout-sweep.ts).
  router.post('/:id/timeouts', async (_req, res) => {
    const batch = batchOf(res);
    const gone = await timeOutAbandonedParticipants(options.sql, new Date(), actorOf(res), { batchId: batch.id, keepProlificActive: true });
    res.json({ timedOut: gone.map((p) => p.participantId) });
  });

  for (const [action, to] of BATCH_ACTIONS) {
    router.post(`/:id/${action}`, async (_req, res) => {
      const batch = batchOf(res);
      const change = await changeBatchStatus(prisma, batch, to, new Date(), actorOf(res));
      if (!change.ok) throw new HttpError(409, 'invalid_transition', `A ${change.from} batch cannot become ${change.to}.`);
      res.json({ batch: presentBatch(change.batch) });
    });
  }

  return router;
}
