// The researcher API: every route under /api/v1 requires a bearer token.
import { Router } from 'express';
import type { Prisma } from '../../db/connection.js';
import type { SqlRunner } from '../../db/sql-runner.js';
import { onlyAdminsChange } from '../middleware/auth.js';
import { requireApiToken } from '../middleware/require-api-token.js';
import type { ProlificClient } from '../../prolific/client.js';
import { analysisRouter } from './api-analysis.js';
import { batchesRouter } from './api-batches.js';
import { prolificRouter } from './api-prolific.js';
import { datasetsRouter } from './api-datasets.js';
import { evaluationJobRouter, evaluationsRouter } from './api-evaluations.js';
import { resultsRouter } from './api-results.js';

export function apiRouter(prisma: Prisma, options: { maxUploadBytes: number; publicBaseUrl: string | null; sql: SqlRunner; prolific: ProlificClient | null }): Router {
  const router = Router();
  router.use(requireApiToken(prisma));
  router.use(onlyAdminsChange);
  router.use('/datasets', datasetsRouter(prisma, options));
  router.use('/', resultsRouter(prisma, options.sql));
  router.use('/batches', batchesRouter(prisma, options));
  router.use('/batches', prolificRouter(prisma, options));
  router.use('/batches', evaluationsRouter(prisma, options));
  router.use('/batches', analysisRouter(prisma, options.sql));
  router.use('/evaluations', evaluationJobRouter(options));
  return router;
}
