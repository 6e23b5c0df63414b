// Preview of a batch's question pages for its admins: needs the batch's preview key, records nothing.
import { Router } from 'express';
import { z } from 'zod';
import { orderOptions } from '../../core/assignment.js';
import { deriveRng } from '../../core/rng.js';
import type { Batch } from '../../db/batches.js';
import type { Prisma } from '../../db/connection.js';
import { HttpError } from '../http-error.js';
import { questionView } from './participant.js';

const previewQuery = z.object({ key: z.string().min(1), n: z.coerce.number().int().min(1).default(1) });

export function previewRouter(prisma: Prisma): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const batch = res.locals.batch as Batch;
    const query = previewQuery.safeParse(req.query);
    if (!query.success || query.data.key !== batch.previewKey) {
      throw new HttpError(404, 'preview_not_found', 'This preview link is not valid.');
    }
    const total = await prisma.task.count({ where: { batchId: batch.id } });
    const n = Math.min(query.data.n, total);
    const task = await prisma.task.findFirstOrThrow({
      where: { batchId: batch.id, position: n - 1 },
      include: { options: { select: { id: true, kind: true, text: true } }, datapoint: true },
    });
    const other = task.options.find((o) => o.kind === 'other');
    const rng = deriveRng(batch.seed, `preview:${task.id}`);
    const d = task.datapoint;
    const view = questionView({
      position: n - 1,
      total,
      taskId: task.id,
      optionOrder: orderOptions(task.options.map((o) => o.id).sort(), other?.id ?? '', rng),
      preferredFirst: batch.preferredSide === 'first' || rng.next() < 0.5,
      prompt: d.prompt,
      preferred: d.winner === 'model_a' ? d.responseA : d.responseB,
      other: d.winner === 'model_a' ? d.responseB : d.responseA,
      options: new Map(task.options.map((o) => [o.id, o.text])),
    });
    res.render('participant/question', {
      ...view,
      title: `Preview ${n}`,
      batchId: batch.id,
      csrf: '',
      error: null,
      preview: { next: n < total ? `/s/${batch.id}/preview?key=${encodeURIComponent(batch.previewKey)}&n=${n + 1}` : null },
    });
  });
  return router;
}
