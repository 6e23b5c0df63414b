// Console: dataset list, upload (with the CLI's line-numbered errors) and summary tables.
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { formatLineErrors } from '../../core/dataset-format.js';
import { summarizeDatasetSteps } from '../../core/dataset-summary.js';
import { runInSlices } from '../../run-in-slices.js';
import type { Prisma } from '../../db/connection.js';
import { findDatasetByIdOrName, importDatasetText, listAnnotatedDatapoints, listDatasets } from '../../db/datasets.js';
import { HttpError } from '../http-error.js';
import type { PElo } from '../../core/elo.js';
import { labelKey } from '../../core/normalize.js';
import type { SqlRunner } from '../../db/sql-runner.js';
import { computeDatasetElo } from '../../results/analysis.js';
import { eloForestSvg } from '../analysis-charts.js';
import { sendSvg } from '../send-table.js';
import { eloQueryError } from '../elo-query-error.js';
import { actorOf } from '../middleware/auth.js';
import { parseForm, typedValues } from '../forms.js';
import { datasetNameSchema, idParam, parseOr400 } from '../schemas/common.js';

const uploadBody = z.object({ name: datasetNameSchema });
const eloPageQuery = z.object({ category: z.string().trim().min(1).optional(), anchor: z.string().trim().min(1).max(200).optional() });

export function consoleDatasetsRouter(prisma: Prisma, options: { maxUploadBytes: number; sql: SqlRunner }): Router {
  const router = Router();
  // Reached only after sign-in, the admin role and the CSRF check (console.ts): nobody else's
  // upload is ever read. The file is spooled to disk, not held in memory while it arrives.
  const upload = multer({ storage: multer.diskStorage({ destination: tmpdir() }), limits: { fileSize: options.maxUploadBytes, files: 1, fields: 20 } }).single('file');
  const uploading = new Set<string>();
  /** One upload per account at a time (in this process): a second one waits its turn with a 429. */
  const oneUploadPerAccount: RequestHandler = (_req, res, next) => {
    const account = actorOf(res).accountId ?? '';
    if (uploading.has(account)) throw new HttpError(429, 'upload_running', 'An upload of yours is still running. Wait for it to finish, then try again.');
    uploading.add(account);
    res.on('close', () => uploading.delete(account));
    next();
  };

  const renderList = async (res: Response, status: number, form: { name: string; errors: string[]; message: string | null }) => {
    res.status(status).render('admin/datasets', { title: 'Datasets', datasets: await listDatasets(prisma), form });
  };

  router.get('/', async (_req, res) => {
    await renderList(res, 200, { name: '', errors: [], message: null });
  });

  router.post('/', oneUploadPerAccount, upload, async (req, res) => {
    const file = req.file;
    try {
      await importUpload(req, res, file);
    } finally {
      if (file) await rm(file.path, { force: true });
    }
  });

  async function importUpload(req: Request, res: Response, file: Express.Multer.File | undefined): Promise<void> {
    const form = parseForm(uploadBody, req.body);
    const name = typedValues(req.body).name ?? '';
    if (!file || file.size === 0) return renderList(res, 400, { name, errors: ['Choose a JSON Lines file to upload.'], message: null });
    if (!form.ok) return renderList(res, 400, { name, errors: [`Name: ${form.errors.name ?? form.errors.form}`], message: null });
    const outcome = await importDatasetText(options.sql, { name: form.data.name, text: await readFile(file.path, 'utf8') }, actorOf(res));
    switch (outcome.status) {
      case 'invalid':
        return renderList(res, 422, { name, errors: formatLineErrors(outcome.errors, outcome.errorCount), message: `${file.originalname}: ${outcome.errorCount} problem(s); nothing was imported.` });
      case 'name-taken':
        return renderList(res, 409, { name, errors: [`A dataset named "${outcome.name}" exists; choose another name.`], message: null });
      case 'duplicate-content':
        return renderList(res, 200, { name: '', errors: [], message: `This file was already imported as "${outcome.dataset.name}"; nothing changed.` });
      case 'created':
        res.redirect(303, `/console/datasets/${outcome.dataset.id}`);
    }
  }

  const loadDataset = async (params: unknown) => {
    const { id } = parseOr400(idParam, params, 'path');
    const dataset = await findDatasetByIdOrName(prisma, id);
    if (!dataset) throw new HttpError(404, 'dataset_not_found', 'No such dataset.');
    return dataset;
  };

  router.get('/:id', async (req, res) => {
    const dataset = await loadDataset(req.params);
    const summary = await runInSlices(summarizeDatasetSteps(await listAnnotatedDatapoints(prisma, dataset.id)));
    res.render('admin/dataset', { title: dataset.name, dataset, summary });
  });

  // pElo (issue 14.2): a Table-6-style ranking of every category, and one subset in detail.
  const eloOf = async (datasetId: string, q: { anchor?: string | undefined }) => {
    const outcome = await computeDatasetElo(options.sql, datasetId, { anchor: q.anchor ?? null, categories: null });
    if (!outcome.ok) throw eloQueryError(outcome);
    return outcome.elo;
  };
  const subsetOf = (elo: PElo, category: string | undefined) => {
    const subset = elo.subsets.find((s) => (s.category === null ? category === undefined : category !== undefined && labelKey(s.category) === labelKey(category)));
    if (!subset) throw new HttpError(400, 'invalid_request', `query.category: "${category}" is not in this dataset; its categories are: ${elo.subsets.flatMap((s) => s.category ?? []).join(', ')}.`);
    return subset;
  };

  router.get('/:id/elo', async (req, res) => {
    const dataset = await loadDataset(req.params);
    const q = parseOr400(eloPageQuery, req.query, 'query');
    const elo = await eloOf(dataset.id, q);
    res.render('admin/elo', { title: `pElo · ${dataset.name}`, dataset, elo, subset: subsetOf(elo, q.category), category: q.category ?? null, anchor: q.anchor ?? null });
  });

  router.get('/:id/elo/forest.svg', async (req, res) => {
    const dataset = await loadDataset(req.params);
    const q = parseOr400(eloPageQuery, req.query, 'query');
    const elo = await eloOf(dataset.id, q);
    sendSvg(res, await eloForestSvg(subsetOf(elo, q.category), `pElo · ${q.category ?? 'overall'}`, elo.anchor));
  });

  return router;
}
