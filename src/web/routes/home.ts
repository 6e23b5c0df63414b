// The public landing page: where raters and researchers go next (nothing about the data itself).
import { Router } from 'express';
import type { Prisma } from '../../db/connection.js';
import { demoRaterPath, findDemoBatch } from '../../demo.js';

/** `showDemo`: link the demo study (only where the demo is loaded, never on a production setup). */
export function homeRouter(prisma: Prisma, options: { showDemo: boolean }): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    const demo = options.showDemo ? await findDemoBatch(prisma) : null;
    res.render('home', {
      title: 'Home',
      demoRaterPath: demo?.status === 'open' ? demoRaterPath(demo) : null,
    });
  });
  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  return router;
}
