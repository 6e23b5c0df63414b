// /api/v1/batches/:id/{agreement,position-bias,convergence}: a batch's analyses beside R1–R6
// (issue 14), JSON or CSV, with the batch's exclusion rules applied unless ?exclusions=none.
import { Router } from 'express';
import { agreementTable, convergenceTable, positionBiasTable } from '../../core/analysis-csv.js';
import type { Prisma } from '../../db/connection.js';
import type { SqlRunner } from '../../db/sql-runner.js';
import { computeBatchAgreement, computeBatchConvergence, computeBatchPositionBias } from '../../results/analysis.js';
import { batchNotFound, batchParam } from '../batch-param.js';
import { batchOf } from '../locals.js';
import { parseOr400 } from '../schemas/common.js';
import { agreementQuerySchema, convergenceQuerySchema, positionBiasQuerySchema } from '../schemas/analysis.js';
import { sendCsvTable } from '../send-table.js';

export function analysisRouter(prisma: Prisma, sql: SqlRunner): Router {
  const router = Router();
  router.param('id', batchParam(prisma, batchNotFound));
  const batchJson = (batch: { id: string; name: string }) => ({ id: batch.id, name: batch.name });

  router.get('/:id/agreement', async (req, res) => {
    const batch = batchOf(res);
    const q = parseOr400(agreementQuerySchema, req.query, 'query');
    const result = await computeBatchAgreement(sql, batch, { by: q.by ?? null, rounds: q.rounds, seed: q.seed, exclusions: q.exclusions });
    if (q.format === 'csv') sendCsvTable(res, `${batch.id}-agreement.csv`, agreementTable(result));
    else res.json({ batch: batchJson(batch), ...result });
  });

  router.get('/:id/position-bias', async (req, res) => {
    const batch = batchOf(res);
    const q = parseOr400(positionBiasQuerySchema, req.query, 'query');
    const result = await computeBatchPositionBias(sql, batch, { rounds: q.rounds, seed: q.seed, exclusions: q.exclusions });
    if (q.format === 'csv') sendCsvTable(res, `${batch.id}-position-bias.csv`, positionBiasTable(result));
    else res.json({ batch: batchJson(batch), ...result });
  });

  router.get('/:id/convergence', async (req, res) => {
    const batch = batchOf(res);
    const q = parseOr400(convergenceQuerySchema, req.query, 'query');
    const result = await computeBatchConvergence(sql, batch, { width: q.width, rounds: q.rounds, seed: q.seed, exclusions: q.exclusions });
    if (q.format === 'csv') sendCsvTable(res, `${batch.id}-convergence.csv`, convergenceTable(result));
    else res.json({ batch: batchJson(batch), ...result });
  });

  return router;
}
