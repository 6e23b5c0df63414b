// /api/v1/batches/:id/prolific/sync and /review: Prolific sync, the approval review and applying it.
import express, { Router } from 'express';
import { z } from 'zod';
import { prolificStudyIdSchema } from '../../core/prolific.js';
import type { Prisma } from '../../db/connection.js';
import { setProlificStudyId } from '../../db/prolific-sync.js';
import type { SqlRunner } from '../../db/sql-runner.js';
import type { ProlificClient } from '../../prolific/client.js';
import { applyReview, buildReview, planReview } from '../../prolific/review.js';
import { describeSync, syncBatchWithProlific } from '../../prolific/sync.js';
import { HttpError } from '../http-error.js';
import { batchNotFound, batchParam } from '../batch-param.js';
import { batchOf } from '../locals.js';
import { actorOf } from '../middleware/auth.js';
import { parseBodyOr422 } from '../schemas/common.js';

const studyBody = z.object({ studyId: prolificStudyIdSchema });
const applyBody = z.object({ failedChecks: z.enum(['reject', 'request-return'], { message: 'must be reject (the default) or request-return' }).default('reject') });

/** The client, or a 409 that says how to turn Prolific access on. */
export function requireProlific(client: ProlificClient | null): ProlificClient {
  if (!client) throw new HttpError(409, 'prolific_not_configured', 'Prolific access is off: set PROLIFIC_API_TOKEN (and PROLIFIC_API_URL for a stand-in) and restart the server.');
  return client;
}

export function prolificRouter(prisma: Prisma, options: { sql: SqlRunner; prolific: ProlificClient | null }): Router {
  const router = Router();
  router.param('id', batchParam(prisma, batchNotFound));

  router.post('/:id/prolific/sync', async (_req, res) => {
    const batch = batchOf(res);
    const result = await syncBatchWithProlific(options.sql, requireProlific(options.prolific), batch, new Date(), actorOf(res));
    if (!result.ok) throw new HttpError(409, 'no_prolific_study', describeSync(result));
    res.json({ ...result, message: describeSync(result) });
  });

  // The study id is learnt from the first entry; a made-up first entry (or a new study) is corrected here.
  router.post('/:id/prolific/study', express.json({ limit: '10kb' }), async (req, res) => {
    const batch = batchOf(res);
    const { studyId } = parseBodyOr422(studyBody, req.body ?? {});
    await setProlificStudyId(options.sql, batch.id, studyId, new Date(), actorOf(res));
    res.json({ batch: { id: batch.id, prolificStudyId: studyId } });
  });

  router.get('/:id/review', async (_req, res) => {
    const batch = batchOf(res);
    const rows = await buildReview(options.sql, batch);
    const plan = planReview(rows);
    res.json({
      batch: { id: batch.id, name: batch.name, prolificStudyId: batch.prolificStudyId },
      participants: rows,
      plan: { approve: plan.approve.map((r) => r.prolificPid), reject: plan.reject.map((r) => r.prolificPid) },
    });
  });

  router.post('/:id/review/apply', express.json({ limit: '10kb' }), async (req, res) => {
    const batch = batchOf(res);
    const { failedChecks } = parseBodyOr422(applyBody, req.body ?? {});
    const client = requireProlific(options.prolific);
    if (!batch.prolificStudyId) throw new HttpError(409, 'no_prolific_study', 'This batch has no Prolific study id yet; nothing can be approved.');
    res.json(await applyReview({ sql: options.sql }, client, batch, { failedChecks, now: () => new Date(), actor: actorOf(res) }));
  });

  return router;
}
