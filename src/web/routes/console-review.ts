// Console: a batch's review page (checks, exclusion flags, proposed Prolific actions), the Prolific
// sync button and applying the review. Changes are admin-only (onlyAdminsChange on the console).
import { Router, type Response } from 'express';
import { z } from 'zod';
import { prolificStudyIdSchema } from '../../core/prolific.js';
import type { Batch } from '../../db/batches.js';
import { setProlificStudyId } from '../../db/prolific-sync.js';
import type { Prisma } from '../../db/connection.js';
import type { SqlRunner } from '../../db/sql-runner.js';
import type { ProlificClient } from '../../prolific/client.js';
import { applyReview, buildReview, planReview } from '../../prolific/review.js';
import { describeSync, syncBatchWithProlific } from '../../prolific/sync.js';
import { loadBatchOr404 } from '../load-batch.js';
import { actorOf } from '../middleware/auth.js';
import { parseOr400 } from '../schemas/common.js';
import { requireProlific } from './api-prolific.js';

const studyForm = z.object({ studyId: prolificStudyIdSchema });
const applyForm = z.object({ failedChecks: z.enum(['reject', 'request-return']).default('reject'), confirm: z.literal('yes', { message: 'tick the confirmation box to act on Prolific' }) });

export function consoleReviewRouter(prisma: Prisma, options: { sql: SqlRunner; prolific: ProlificClient | null }): Router {
  const router = Router({ mergeParams: true });

  const renderReview = async (res: Response, batch: Batch, message: string | null) => {
    const rows = await buildReview(options.sql, batch);
    res.render('admin/review', { title: `Review · ${batch.name}`, batch, rows, plan: planReview(rows), message, prolificOn: options.prolific !== null });
  };

  router.get('/review', async (req, res) => renderReview(res, await loadBatchOr404(prisma, req.params), null));

  router.post('/prolific/sync', async (req, res) => {
    const batch = await loadBatchOr404(prisma, req.params);
    const result = await syncBatchWithProlific(options.sql, requireProlific(options.prolific), batch, new Date(), actorOf(res));
    await renderReview(res, batch, describeSync(result));
  });

  router.post('/prolific/study', async (req, res) => {
    const batch = await loadBatchOr404(prisma, req.params);
    const parsed = studyForm.safeParse(req.body);
    if (!parsed.success) return renderReview(res.status(400), batch, `Prolific study id: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    await setProlificStudyId(options.sql, batch.id, parsed.data.studyId, new Date(), actorOf(res));
    await renderReview(res, { ...batch, prolificStudyId: parsed.data.studyId }, `This batch now runs as Prolific study ${parsed.data.studyId}.`);
  });

  router.post('/review/apply', async (req, res) => {
    const batch = await loadBatchOr404(prisma, req.params);
    const form = parseOr400(applyForm, req.body, 'body');
    const client = requireProlific(options.prolific);
    if (!batch.prolificStudyId) return renderReview(res, batch, 'This batch has no Prolific study id yet: nothing can be approved.');
    const done = await applyReview({ sql: options.sql }, client, batch, { failedChecks: form.failedChecks, now: () => new Date(), actor: actorOf(res) });
    await renderReview(res, batch, `Approved ${done.approved.length}; rejected ${done.rejected.length}; asked ${done.returnRequested.length} to return.`);
  });

  return router;
}
