// /api/v1/datasets: import a JSON Lines dataset, list datasets, read a summary, preview task generation.
import express, { Router } from 'express';
import { z } from 'zod';
import { formatLineErrors } from '../../core/dataset-format.js';
import { summarizeDatasetSteps } from '../../core/dataset-summary.js';
import { runInSlices } from '../../run-in-slices.js';
import { createRng } from '../../core/rng.js';
import { generateTasks } from '../../core/task-generation.js';
import type { Prisma } from '../../db/connection.js';
import { actorOf } from '../middleware/auth.js';
import { findDatasetByIdOrName, importDatasetText, listAnnotatedDatapoints, listDatasets, type DatasetRow } from '../../db/datasets.js';
import { HttpError } from '../http-error.js';
import { eloTable } from '../../core/analysis-csv.js';
import type { SqlRunner } from '../../db/sql-runner.js';
import { computeDatasetElo } from '../../results/analysis.js';
import { eloQueryError } from '../elo-query-error.js';
import { eloQuerySchema } from '../schemas/analysis.js';
import { sendCsvTable } from '../send-table.js';
import { datasetNameSchema, idParam, parseOr400, seedSchema } from '../schemas/common.js';

const importQuery = z.object({ name: datasetNameSchema.optional() });
const tasksQuery = z.object({ seed: seedSchema, limit: z.coerce.number().int().positive().optional() });

export function datasetsRouter(prisma: Prisma, options: { maxUploadBytes: number; sql: SqlRunner }): Router {
  const router = Router();
  const jsonlBody = express.text({ type: () => true, limit: options.maxUploadBytes });

  router.post('/', jsonlBody, async (req, res) => {
    const { name } = parseOr400(importQuery, req.query, 'query');
    const text = typeof req.body === 'string' ? req.body : '';
    const outcome = await importDatasetText(options.sql, { name: name ?? defaultName(), text }, actorOf(res));
    switch (outcome.status) {
      case 'created':
        res.status(201).json({ status: 'created', dataset: present(outcome.dataset) });
        return;
      case 'duplicate-content':
        res.status(200).json({
          status: 'already-imported',
          message: `This file was already imported as "${outcome.dataset.name}"; nothing changed.`,
          dataset: present(outcome.dataset),
        });
        return;
      case 'name-taken':
        throw new HttpError(409, 'name_taken', `A dataset named "${outcome.name}" exists; choose another ?name=.`);
      case 'invalid':
        throw new HttpError(422, 'invalid_dataset', `The file has ${outcome.errorCount} problem(s); nothing was imported.`, {
          errorCount: outcome.errorCount,
          errors: formatLineErrors(outcome.errors, outcome.errorCount),
        });
    }
  });

  router.get('/', async (_req, res) => {
    res.json({ datasets: (await listDatasets(prisma)).map(present) });
  });

  router.get('/:id', async (req, res) => {
    res.json({ dataset: present(await loadDataset(prisma, req.params)) });
  });

  router.get('/:id/summary', async (req, res) => {
    const dataset = await loadDataset(prisma, req.params);
    res.json({ dataset: present(dataset), summary: await runInSlices(summarizeDatasetSteps(await listAnnotatedDatapoints(prisma, dataset.id))) });
  });

  router.get('/:id/tasks', async (req, res) => {
    const dataset = await loadDataset(prisma, req.params);
    const { seed, limit } = parseOr400(tasksQuery, req.query, 'query');
    const result = generateTasks(await listAnnotatedDatapoints(prisma, dataset.id), createRng(seed), { limit });
    res.json({ dataset: present(dataset), seed, ...result });
  });

  // pElo (issue 14.2): Bradley–Terry ratings overall and per category, on one anchored scale.
  router.get('/:id/elo', async (req, res) => {
    const dataset = await loadDataset(prisma, req.params);
    const q = parseOr400(eloQuerySchema, req.query, 'query');
    const outcome = await computeDatasetElo(options.sql, dataset.id, { anchor: q.anchor ?? null, categories: q.category ?? null, rounds: q.rounds, seed: q.seed });
    if (!outcome.ok) throw eloQueryError(outcome);
    if (q.format === 'csv') sendCsvTable(res, `${dataset.id}-elo.csv`, eloTable(outcome.elo));
    else res.json({ dataset: present(dataset), ...outcome.elo });
  });

  return router;
}

async function loadDataset(prisma: Prisma, params: unknown): Promise<DatasetRow> {
  const { id } = parseOr400(idParam, params, 'path');
  const dataset = await findDatasetByIdOrName(prisma, id);
  if (!dataset) throw new HttpError(404, 'dataset_not_found', `No dataset with id or name "${id}".`);
  return dataset;
}

function present(d: DatasetRow) {
  return { id: d.id, name: d.name, datapoints: d.datapointCount, contentSha256: d.contentHash, createdAt: d.createdAt.toISOString() };
}

function defaultName(): string {
  return `upload ${new Date().toISOString().replace('T', ' ').slice(0, 19)}`;
}
