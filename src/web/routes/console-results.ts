// Console: a batch's results page (tables and two charts), chart downloads and exports.
import { Router } from 'express';
import { z } from 'zod';
import { exclusionModeSchema, type ExclusionMode } from '../../core/exclusions.js';
import { SLICE_DIMENSIONS } from '../../core/metric-slices.js';
import { RATE_MEANINGS, RATE_NAMES, RATIO_MEANINGS, RATIO_NAMES } from '../../core/metrics.js';
import type { Batch } from '../../db/batches.js';
import type { Prisma } from '../../db/connection.js';
import type { SqlRunner } from '../../db/sql-runner.js';
import { EXPORT_CONTENT_TYPE, type AnswersFormat, writeAnswersExport, writeChecksExport, writeMetricsExport, writeTasksExport } from '../../results/exports.js';
import { computeBatchMetrics } from '../../results/metrics.js';
import { generatedRateChartSvg, ratiosChartSvg, type EvaluatorMetrics } from '../charts.js';
import { batchOf } from '../locals.js';
import { computeModelAgreements } from '../../results/model-agreement.js';
import { HttpError } from '../http-error.js';
import { parseOr400 } from '../schemas/common.js';
import { sendSvg } from '../send-table.js';

const chartScale = z.enum(['linear', 'log']).default('linear');
const resultsQuery = z.object({
  scale: chartScale,
  by: z.enum(SLICE_DIMENSIONS).exclude(['batch']).default('topic'),
  includePartial: z.enum(['0', '1']).default('0').transform((v) => v === '1'),
  exclusions: exclusionModeSchema,
});
const chartQuery = z.object({ download: z.enum(['0', '1']).default('0'), exclusions: exclusionModeSchema, scale: chartScale });
const exportQuery = z.object({
  what: z.enum(['answers', 'tasks', 'checks', 'metrics']),
  format: z.enum(['csv', 'jsonl', 'parquet']).default('csv'),
  exclusions: exclusionModeSchema,
  /** Metrics only: the slice tables the results page shows, as well as the overall one. */
  by: z.enum(SLICE_DIMENSIONS).optional(),
});

export function consoleResultsRouter(prisma: Prisma, sql: SqlRunner): Router {
  const router = Router({ mergeParams: true });
  const metricsOf = (batch: Batch, by: (typeof SLICE_DIMENSIONS)[number] | null, exclusions: ExclusionMode, includePartial = false) =>
    computeBatchMetrics(sql, { batches: [batch], by, includePartial, exclusions });

  /** Overall plus one group per evaluator, as the charts compare evaluators. */
  const evaluatorGroups = async (batch: Batch, exclusions: ExclusionMode): Promise<EvaluatorMetrics[]> => {
    const result = await metricsOf(batch, 'evaluator', exclusions);
    return result.slices.length > 1
      ? [{ evaluator: 'all', metrics: result.overall }, ...result.slices.map((s) => ({ evaluator: s.key, metrics: s.metrics }))]
      : [{ evaluator: result.slices[0]?.key ?? 'all', metrics: result.overall }];
  };

  router.get('/results', async (req, res) => {
    const batch = batchOf(res);
    const q = parseOr400(resultsQuery, req.query, 'query');
    const result = await metricsOf(batch, q.by, q.exclusions, q.includePartial);
    // By evaluator: each model beside the humans' majority, task by task (issue 13.5).
    const models = q.by === 'evaluator' ? result.slices.filter((s) => s.metrics.clusterUnit === 'task').map((s) => s.key) : [];
    const agreements = await computeModelAgreements(sql, batch, models, { exclusions: q.exclusions, worst: 10 });
    res.render('admin/results', { title: `Results · ${batch.name}`, batch, result, agreements, by: q.by, includePartial: q.includePartial, exclusions: q.exclusions, scale: q.scale, RATE_NAMES, RATIO_NAMES, RATE_MEANINGS, RATIO_MEANINGS });
  });

  for (const [name, render] of [['ratios', ratiosChartSvg], ['r1', generatedRateChartSvg]] as const) {
    router.get(`/charts/${name}.svg`, async (req, res) => {
      const batch = batchOf(res);
      const { download, exclusions, scale } = parseOr400(chartQuery, req.query, 'query');
      sendSvg(res, await render(await evaluatorGroups(batch, exclusions), exclusions, scale), download === '1' ? { filename: `${batch.id}-${name}.svg` } : null);
    });
  }

  router.get('/export', async (req, res) => {
    const batch = batchOf(res);
    const { what, format, exclusions, by } = parseOr400(exportQuery, req.query, 'query');
    const download = (as: AnswersFormat) => {
      res.set('Content-Type', EXPORT_CONTENT_TYPE[as]);
      res.set('Content-Disposition', `attachment; filename="${batch.id}-${what}.${as}"`);
    };
    if (what === 'answers') {
      download(format);
      // The browser shows the download at once, not when the first rows are formatted.
      res.flushHeaders();
      await writeAnswersExport(sql, batch, format, res);
    } else {
      if (format === 'parquet') throw new HttpError(400, 'invalid_request', 'Parquet is offered for answers only; choose csv or jsonl.');
      download(format);
      if (what === 'tasks') await writeTasksExport(sql, batch.id, format, res);
      else if (what === 'checks') await writeChecksExport(prisma, batch.id, format, res);
      else await writeMetricsExport(await metricsOf(batch, by ?? null, exclusions), format, res);
    }
    res.end();
  });

  return router;
}
