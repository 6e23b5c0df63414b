// Console: a batch's review page (checks, exclusion flags, proposed Prolific actions), the Prolific
// sync button and applying the review. Changes are admin-only (onlyAdminsChange on the console).
import { Router, type Response } from 'express';
import { z } from 'zod';
import { prolificStudyIdSchema } from '../../core/prolific.js';
import type { Batch } from '../../db/batches.js';
import { setProlificStudyId } from '../../db/prolific-sync.js';
import type { SqlRunner } from '../../db/sql-runner.js';
import type { ProlificClient } from '../../prolific/client.js';
import { applyReview, buildReview, planReview } from '../../prolific/review.js';
import { describeSync, syncBatchWithProlific } from '../../prolific/sync.js';
import { batchOf } from '../locals.js';
import { actorOf } from '../middleware/auth.js';
import { parseForm } from '../forms.js';
import { requireProlific } from './api-prolific.js';

const studyForm = z.object({ studyId: prolificStudyIdSchema });
const applyForm = z.object({ failedChecks: z.enum(['reject', 'request-return']).default('reject'), confirm: z.literal('yes', { message: 'tick the confirmation box to act on Prolific' }) });

export function consoleReviewRouter(options: { sql: SqlRunner; prolific: ProlificClient | null }): Router {
  const router = Router({ mergeParams: true });

  const renderReview = async (res: Response, batch: Batch, message: string | null) => {
    const rows = await buildReview(options.sql, batch);
    res.render('admin/review', { title: `Review · ${batch.name}`, batch, rows, plan: planReview(rows), message, prolificOn: options.prolific !== null });
  };

  router.get('/review', async (_req, res) => renderReview(res, batchOf(res), null));

  router.post('/prolific/sync', async (_req, res) => {
    const batch = batchOf(res);
    const result = await syncBatchWithProlific(options.sql, requireProlific(options.prolific), batch, new Date(), actorOf(res));
    await renderReview(res, batch, describeSync(result));
  });

  router.post('/prolific/study', async (req, res) => {
    const batch = batchOf(res);
    const form = parseForm(studyForm, req.body);
    if (!form.ok) return renderReview(res.status(400), batch, `Prolific study id: ${form.errors.studyId ?? form.errors.form}`);
    await setProlificStudyId(options.sql, batch.id, form.data.studyId, new Date(), actorOf(res));
    await renderReview(res, { ...batch, prolificStudyId: form.data.studyId }, `This batch now runs as Prolific study ${form.data.studyId}.`);
  });

  router.post('/review/apply', async (req, res) => {
    const batch = batchOf(res);
    const form = parseForm(applyForm, req.body);
    if (!form.ok) return renderReview(res.status(400), batch, `Nothing was sent to Prolific: ${Object.values(form.errors).join('; ')}.`);
    const client = requireProlific(options.prolific);
    if (!batch.prolificStudyId) return renderReview(res, batch, 'This batch has no Prolific study id yet: nothing can be approved.');
    const done = await applyReview({ sql: options.sql }, client, batch, { failedChecks: form.data.failedChecks, now: () => new Date(), actor: actorOf(res) });
    await renderReview(res, batch, `Approved ${done.approved.length}; rejected ${done.rejected.length}; asked ${done.returnRequested.length} to return.`);
  });

  return router;
}
