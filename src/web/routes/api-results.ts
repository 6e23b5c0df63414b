// Researcher results: metrics per batch or across batches, and streamed exports of answers and tasks.
import { Router, type Response } from 'express';
import type { Prisma } from '../../db/connection.js';
import type { SqlRunner } from '../../db/sql-runner.js';
import { EXPORT_CONTENT_TYPE, writeAnswersExport, writeChecksExport, writeMetricsExport, writeTasksExport, type AnswersFormat } from '../../results/exports.js';
import { computeBatchMetrics } from '../../results/metrics.js';
import { listBatchTasks } from '../../db/batches.js';
import { batchNotFound, batchParam, findBatchOr } from '../batch-param.js';
import { batchOf } from '../locals.js';
import { parseOr400 } from '../schemas/common.js';
import { answersQuerySchema, crossBatchQuerySchema, exportQuerySchema, metricsQuerySchema, tasksQuerySchema } from '../schemas/results.js';


export function resultsRouter(prisma: Prisma, sql: SqlRunner): Router {
  const router = Router();
  router.param('id', batchParam(prisma, batchNotFound));

  router.get('/batches/:id/metrics', async (req, res) => {
    const batch = batchOf(res);
    const q = parseOr400(metricsQuerySchema, req.query, 'query');
    const metrics = await computeBatchMetrics(sql, { batches: [batch], by: q.by ?? null, seed: q.seed, rounds: q.rounds, includePartial: q.includePartial, exclusions: q.exclusions });
    if (q.format === 'csv') {
      startDownload(res, `${batch.id}-metrics${q.by ? `-by-${q.by}` : ''}.csv`, 'csv');
      await writeMetricsExport(metrics, 'csv', res);
      res.end();
      return;
    }
    res.json({ batch: { id: batch.id, name: batch.name }, includePartial: q.includePartial, ...metrics });
  });

  router.get('/metrics', async (req, res) => {
    const q = parseOr400(crossBatchQuerySchema, req.query, 'query');
    const batches = await Promise.all(q.batches.map((id) => findBatchOr(prisma, id, batchNotFound)));
    const metrics = await computeBatchMetrics(sql, { batches, by: q.by ?? null, seed: q.seed, rounds: q.rounds, includePartial: q.includePartial, exclusions: q.exclusions });
    if (q.format === 'csv') {
      startDownload(res, `metrics-${batches.length}-batches.csv`, 'csv');
      await writeMetricsExport(metrics, 'csv', res);
      res.end();
      return;
    }
    res.json({ batches: batches.map((b) => ({ id: b.id, name: b.name })), includePartial: q.includePartial, ...metrics });
  });

  router.get('/batches/:id/answers', async (req, res) => {
    const batch = batchOf(res);
    const { format } = parseOr400(answersQuerySchema, req.query, 'query');
    startDownload(res, `${batch.id}-answers.${format}`, format);
    // The client sees the download begin now, not when the first rows are formatted.
    res.flushHeaders();
    await writeAnswersExport(sql, batch, format, res);
    res.end();
  });

  router.get('/batches/:id/checks', async (req, res) => {
    const batch = batchOf(res);
    const { format } = parseOr400(exportQuerySchema, req.query, 'query');
    startDownload(res, `${batch.id}-checks.${format}`, format);
    await writeChecksExport(prisma, batch.id, format, res);
    res.end();
  });

  // The frozen tasks: JSON to read, CSV or JSON Lines to download.
  router.get('/batches/:id/tasks', async (req, res) => {
    const batch = batchOf(res);
    const { format } = parseOr400(tasksQuerySchema, req.query, 'query');
    if (format === 'json') {
      res.json({ batch: { id: batch.id, name: batch.name }, tasks: await listBatchTasks(prisma, batch.id) });
      return;
    }
    startDownload(res, `${batch.id}-tasks.${format}`, format);
    res.flushHeaders();
    await writeTasksExport(sql, batch.id, format, res);
    res.end();
  });

  return router;
}

function startDownload(res: Response, filename: string, format: AnswersFormat): void {
  res.status(200);
  res.set('Content-Type', EXPORT_CONTENT_TYPE[format]);
  res.set('Content-Disposition', `attachment; filename="${filename}"`);
}
