// Console, admins only: API tokens (list, create, revoke), accounts, and the audit log.
import { Router, type Response } from 'express';
import { z } from 'zod';
import { createAccount, listAccounts, MIN_PASSWORD_LENGTH, type Account } from '../../db/accounts.js';
import { createApiToken, listApiTokens, revokeApiToken } from '../../db/api-tokens.js';
import { listAuditEvents } from '../../db/audit.js';
import type { Prisma } from '../../db/connection.js';
import { actorOf, requireAdmin } from '../middleware/auth.js';

const tokenBody = z.object({ name: z.string().trim().min(1, 'Give the token a name.').max(100) });
const accountBody = z.object({
  email: z.string().trim().email('Enter an email address.'),
  role: z.enum(['admin', 'researcher']),
  password: z.string().min(MIN_PASSWORD_LENGTH, `The password needs at least ${MIN_PASSWORD_LENGTH} characters.`).max(500),
});

export function consoleAccessRouter(prisma: Prisma): Router {
  const router = Router();
  router.use(['/tokens', '/accounts', '/audit'], requireAdmin);

  const renderTokens = async (res: Response, status: number, extra: { newToken?: string; error?: string } = {}) => {
    res.status(status).render('admin/tokens', { title: 'API tokens', tokens: await listApiTokens(prisma), newToken: extra.newToken ?? null, error: extra.error ?? null });
  };

  router.get('/tokens', (_req, res) => renderTokens(res, 200));

  router.post('/tokens', async (req, res) => {
    const body = tokenBody.safeParse(req.body);
    if (!body.success) return renderTokens(res, 400, { error: body.error.issues[0]?.message ?? 'Invalid name.' });
    const account = res.locals.account as Account;
    const { token } = await createApiToken(prisma, { name: body.data.name, accountId: account.id }, actorOf(res));
    // Shown once, on this response only: the database keeps its hash.
    await renderTokens(res, 201, { newToken: token });
  });

  router.post('/tokens/:id/revoke', async (req, res) => {
    const id = String(req.params.id);
    await revokeApiToken(prisma, id, new Date(), actorOf(res));
    res.redirect(303, '/console/tokens');
  });

  const renderAccounts = async (res: Response, status: number, form: { email: string; role: string; errors: string[] }) => {
    res.status(status).render('admin/accounts', { title: 'Accounts', accounts: await listAccounts(prisma), form });
  };

  router.get('/accounts', (_req, res) => renderAccounts(res, 200, { email: '', role: 'researcher', errors: [] }));

  router.post('/accounts', async (req, res) => {
    const body = accountBody.safeParse(req.body);
    const raw = req.body as { email?: string; role?: string };
    if (!body.success) return renderAccounts(res, 400, { email: raw.email ?? '', role: raw.role ?? 'researcher', errors: body.error.issues.map((i) => i.message) });
    const created = await createAccount(prisma, body.data, actorOf(res));
    if (!created.ok) return renderAccounts(res, 409, { email: body.data.email, role: body.data.role, errors: ['An account with this email exists.'] });
    res.redirect(303, '/console/accounts');
  });

  router.get('/audit', async (_req, res) => {
    res.render('admin/audit', { title: 'Audit log', events: await listAuditEvents(prisma) });
  });

  return router;
}
