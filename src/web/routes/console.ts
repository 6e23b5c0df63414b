// The admin and researcher console: sign-in, then datasets, batches, results and access pages.
// Every route behind sign-in shares one rule: researchers read, admins change (onlyAdminsChange).
import express, { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { createSession, deleteSession, verifyCredentials } from '../../db/accounts.js';
import type { Prisma } from '../../db/connection.js';
import type { ProlificClient } from '../../prolific/client.js';
import type { SqlRunner } from '../../db/sql-runner.js';
import type { RateLimitStoreFactory } from '../middleware/rate-limit-store.js';
import { createCsrf } from '../csrf.js';
import { parseForm } from '../forms.js';
import { loadAccount, onlyAdminsChange, requireSignedIn, SESSION_COOKIE, sessionToken } from '../middleware/auth.js';
import { consoleAccessRouter } from './console-access.js';
import { consoleMyTokensRouter } from './console-my-tokens.js';
import { consoleBatchesRouter } from './console-batches.js';
import { consoleDatasetsRouter } from './console-datasets.js';
import { renderGuide } from '../guides.js';
import { parseOr400 } from '../schemas/common.js';

export interface ConsoleOptions {
  secret: string;
  secureCookies: boolean;
  maxUploadBytes: number;
  publicBaseUrl: string | null;
  rateLimitStore: RateLimitStoreFactory;
  sql: SqlRunner;
  prolific: ProlificClient | null;
}

const docParam = z.object({ name: z.enum(['metrics', 'deploy']) });

const signInBody = z.object({ email: z.string().trim().min(1).max(200), password: z.string().min(1).max(500), next: z.string().optional() });

/** Only same-site console paths: never an open redirect. */
const safeNext = (next: string | undefined) => (next && /^\/console(\/[\w\-./?=&%]*)?$/.test(next) ? next : '/console/batches');

export function consoleRouter(prisma: Prisma, options: ConsoleOptions): Router {
  const router = Router();
  const { generateCsrfToken, doubleCsrfProtection } = createCsrf(options);

  router.use(loadAccount(prisma));
  router.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 100 }));
  router.use(doubleCsrfProtection);
  router.use((req, res, next) => {
    res.locals.csrfToken = generateCsrfToken(req, res);
    res.locals.title = 'Console';
    next();
  });

  // The 11th failed sign-in from one address within a minute is refused.
  const signInLimiter = rateLimit({
    windowMs: 60_000,
    limit: 10,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: options.rateLimitStore('sign-in:'),
  });

  router.get('/sign-in', (req, res) => {
    res.render('admin/sign-in', { title: 'Sign in', error: null, email: '', next: typeof req.query.next === 'string' ? req.query.next : '' });
  });

  router.post('/sign-in', signInLimiter, async (req, res) => {
    const form = parseForm(signInBody, req.body);
    const account = form.ok ? await verifyCredentials(prisma, form.data.email, form.data.password) : null;
    if (!form.ok || !account) {
      // One message whatever was wrong: a sign-in form tells nobody which emails exist.
      const typed = form.ok ? form.data : form.values;
      res.status(401).render('admin/sign-in', { title: 'Sign in', error: 'Wrong email or password.', email: typed.email ?? '', next: typed.next ?? '' });
      return;
    }
    const token = await createSession(prisma, account.id, new Date());
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: options.secureCookies, path: '/', maxAge: 12 * 3600_000 });
    res.redirect(303, safeNext(form.data.next));
  });

  router.post('/sign-out', async (req, res) => {
    const token = sessionToken(req);
    if (token) await deleteSession(prisma, token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/console/sign-in');
  });

  router.use(requireSignedIn);
  // Everyone's own tokens: before the read-only rule, which would refuse a researcher's POST.
  router.use('/my', consoleMyTokensRouter(prisma));
  router.use(onlyAdminsChange);
  router.get('/', (_req, res) => res.redirect(303, '/console/batches'));
  router.use('/datasets', consoleDatasetsRouter(prisma, { maxUploadBytes: options.maxUploadBytes, sql: options.sql }));
  router.use('/batches', consoleBatchesRouter(prisma, options));
  router.use('/admin', consoleAccessRouter(prisma));
  // The guides in docs/, for the links on result pages.
  router.get('/docs/:name', async (req, res) => {
    const { name } = parseOr400(docParam, req.params, 'path');
    res.render('admin/doc', { title: name === 'metrics' ? 'Metrics guide' : 'Deployment guide', html: await renderGuide(name) });
  });
  return router;
}
