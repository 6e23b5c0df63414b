// Console: dataset list, upload (with the CLI's line-numbered errors) and summary tables.
import { Router } from 'express';
import { z } from 'zod';
import { formatLineErrors } from '../../core/dataset-format.js';
import { summarizeDataset } from '../../core/dataset-summary.js';
import { recordAudit } from '../../db/audit.js';
import type { Prisma } from '../../db/connection.js';
import { findDatasetByIdOrName, importDatasetText, listAnnotatedDatapoints, listDatasets } from '../../db/datasets.js';
import { HttpError } from '../http-error.js';
import { actorOf } from '../middleware/auth.js';
import { datasetNameSchema } from '../schemas/common.js';

const uploadBody = z.object({ name: datasetNameSchema });

export function consoleDatasetsRouter(prisma: Prisma): Router {
  const router = Router();

  const renderList = async (res: import('express').Response, status: number, form: { name: string; errors: string[]; message: string | null }) => {
    res.status(status).render('admin/datasets', { title: 'Datasets', datasets: await listDatasets(prisma), form });
  };

  router.get('/', async (_req, res) => {
    await renderList(res, 200, { name: '', errors: [], message: null });
  });

  router.post('/', async (req, res) => {
    const file = req.file;
    const body = uploadBody.safeParse(req.body);
    const name = typeof req.body?.name === 'string' ? req.body.name : '';
    if (!file || file.size === 0) return renderList(res, 400, { name, errors: ['Choose a JSON Lines file to upload.'], message: null });
    if (!body.success) return renderList(res, 400, { name, errors: [`Name: ${body.error.issues[0]?.message ?? 'invalid'}`], message: null });
    const outcome = await importDatasetText(prisma, { name: body.data.name, text: file.buffer.toString('utf8') });
    switch (outcome.status) {
      case 'invalid':
        return renderList(res, 422, { name, errors: formatLineErrors(outcome.errors), message: `${file.originalname}: ${outcome.errors.length} problem(s); nothing was imported.` });
      case 'name-taken':
        return renderList(res, 409, { name, errors: [`A dataset named "${outcome.name}" exists; choose another name.`], message: null });
      case 'duplicate-content':
        return renderList(res, 200, { name: '', errors: [], message: `This file was already imported as "${outcome.dataset.name}"; nothing changed.` });
      case 'created':
        await recordAudit(prisma, actorOf(res), { action: 'dataset.import', datasetId: outcome.dataset.id, details: { name: outcome.dataset.name, datapoints: outcome.dataset.datapointCount } });
        res.redirect(303, `/console/datasets/${outcome.dataset.id}`);
    }
  });

  router.get('/:id', async (req, res) => {
    const dataset = await findDatasetByIdOrName(prisma, String(req.params.id));
    if (!dataset) throw new HttpError(404, 'dataset_not_found', 'No such dataset.');
    const summary = summarizeDataset(await listAnnotatedDatapoints(prisma, dataset.id));
    res.render('admin/dataset', { title: dataset.name, dataset, summary });
  });

  return router;
}
