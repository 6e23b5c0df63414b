// Console: a batch's analyses beside R1–R6 (issue 14) — agreement, position bias and convergence
// with their charts — and the live convergence figures the batch page polls.
import { Router } from 'express';
import { z } from 'zod';
import { targetWidthSchema } from '../../core/convergence.js';
import { exclusionModeSchema, type ExclusionMode } from '../../core/exclusions.js';
import type { SqlRunner } from '../../db/sql-runner.js';
import { computeBatchAgreement, computeBatchConvergence, computeBatchPositionBias } from '../../results/analysis.js';
import { agreementChartSvg, convergenceChartSvg, positionBiasChartSvg } from '../analysis-charts.js';
import { batchOf } from '../locals.js';
import { parseOr400 } from '../schemas/common.js';
import { sendSvg } from '../send-table.js';

const width = targetWidthSchema;
const analysisQuery = z.object({ by: z.enum(['topic', 'category']).optional(), exclusions: exclusionModeSchema, width });
const chartQuery = z.object({ exclusions: exclusionModeSchema, width, download: z.enum(['0', '1']).default('0') });

export function consoleAnalysisRouter(sql: SqlRunner): Router {
  const router = Router({ mergeParams: true });

  router.get('/analysis', async (req, res) => {
    const batch = batchOf(res);
    const q = parseOr400(analysisQuery, req.query, 'query');
    const [agreement, positionBias, convergence] = await Promise.all([
      computeBatchAgreement(sql, batch, { by: q.by ?? null, exclusions: q.exclusions }),
      computeBatchPositionBias(sql, batch, { exclusions: q.exclusions }),
      computeBatchConvergence(sql, batch, { width: q.width, exclusions: q.exclusions }),
    ]);
    res.render('admin/analysis', { title: `Analysis · ${batch.name}`, batch, agreement, positionBias, convergence, by: q.by ?? null, exclusions: q.exclusions, width: q.width });
  });

  const charts: [string, (batchId: ReturnType<typeof batchOf>, q: { exclusions: ExclusionMode; width: number }) => Promise<string>][] = [
    ['agreement', async (batch, q) => agreementChartSvg((await computeBatchAgreement(sql, batch, { by: null, exclusions: q.exclusions })).overall, q.exclusions)],
    ['position-bias', async (batch, q) => positionBiasChartSvg(await computeBatchPositionBias(sql, batch, { exclusions: q.exclusions }), q.exclusions)],
    ['convergence', async (batch, q) => convergenceChartSvg(await computeBatchConvergence(sql, batch, { width: q.width, exclusions: q.exclusions }), q.exclusions)],
  ];
  for (const [name, render] of charts) {
    router.get(`/charts/${name}.svg`, async (req, res) => {
      const q = parseOr400(chartQuery, req.query, 'query');
      sendSvg(res, await render(batchOf(res), q), q.download === '1' ? { filename: `${batchOf(res).id}-${name}.svg` } : null);
    });
  }

  // Polled by public/console.js: the batch page's convergence table refreshes as raters finish.
  router.get('/convergence.json', async (req, res) => {
    const q = parseOr400(chartQuery, req.query, 'query');
    const c = await computeBatchConvergence(sql, batchOf(res), { width: q.width, exclusions: q.exclusions });
    res.json({ raters: c.raters, targetWidth: c.targetWidth, ratios: c.ratios.map((r) => ({ ratio: r.ratio, width: r.width, projectedRaters: r.projectedRaters, reached: r.reached })) });
  });

  return router;
}
