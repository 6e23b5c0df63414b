// The landing page: what this PrefBasis instance holds and where to go next.
import { Router } from 'express';
import type { Prisma } from '../../db/connection.js';
import { listDatasets } from '../../db/datasets.js';

export function homeRouter(prisma: Prisma): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    res.render('home', { datasets: await listDatasets(prisma) });
  });
  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  return router;
}
