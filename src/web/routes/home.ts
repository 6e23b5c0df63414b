// The landing page: what this PrefBasis instance holds and where to go next.
import { Router } from 'express';
import type { Prisma } from '../../db/connection.js';
import { listDatasets } from '../../db/datasets.js';
import { demoRaterPath, findDemoBatch } from '../../demo.js';

export function homeRouter(prisma: Prisma): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    const demo = await findDemoBatch(prisma);
    res.render('home', {
      title: 'Home',
      datasets: await listDatasets(prisma),
      demoRaterPath: demo?.status === 'open' ? demoRaterPath(demo) : null,
    });
  });
  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  return router;
}
