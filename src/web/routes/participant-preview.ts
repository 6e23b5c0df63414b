// Preview of a batch's question pages for its admins: needs the batch's preview key, records nothing.
import { Router } from 'express';
import { z } from 'zod';
import { planQuestion } from '../../core/assignment.js';
import { deriveRng } from '../../core/rng.js';
import { findTaskAtPosition } from '../../db/batches.js';
import type { Prisma } from '../../db/connection.js';
import { findTaskContent } from '../../db/questions.js';
import { HttpError } from '../http-error.js';
import { batchOf } from '../locals.js';
import { questionView, type TaskContentCache } from '../question-view.js';

const previewQuery = z.object({ key: z.string().min(1).max(100), n: z.coerce.number().int().min(1).max(10_000_000).default(1) });

export function previewRouter(prisma: Prisma, taskContent: TaskContentCache): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const batch = batchOf(res);
    const query = previewQuery.safeParse(req.query);
    if (!query.success || query.data.key !== batch.previewKey) {
      throw new HttpError(404, 'preview_not_found', 'This preview link is not valid.');
    }
    const found = await findTaskAtPosition(prisma, batch.id, query.data.n - 1);
    if (!found) throw new HttpError(404, 'preview_not_found', 'This batch has no tasks to preview.');
    const { total, task } = found;
    const n = task.position + 1;
    // The same planning a rater gets, seeded per task so the preview is stable across reloads.
    const planned = planQuestion(task, batch.preferredSide, deriveRng(batch.seed, `preview:${task.taskId}`));
    const content = await taskContent.get(task.taskId, (taskId) => findTaskContent(prisma, taskId));
    res.render('participant/question', {
      ...questionView({ position: n - 1, number: n, total, optionOrder: planned.optionOrder, preferredFirst: planned.preferredFirst, check: null }, content),
      title: `Preview ${n}`,
      batchId: batch.id,
      csrf: '',
      error: null,
      preview: { next: n < total ? `/s/${batch.id}/preview?key=${encodeURIComponent(batch.previewKey)}&n=${n + 1}` : null },
    });
  });
  return router;
}
