// Console, admins only (even to read), under /console/admin: API tokens (list, create, revoke),
// accounts, and the audit log.
import { Router, type Response } from 'express';
import { z } from 'zod';
import { createAccount, listAccounts, MIN_PASSWORD_LENGTH } from '../../db/accounts.js';
import { createApiToken, listApiTokens, revokeApiToken } from '../../db/api-tokens.js';
import { listAuditEvents } from '../../db/audit.js';
import type { Prisma } from '../../db/connection.js';
import { actorOf, requireAdmin } from '../middleware/auth.js';
import { parseForm, type FieldErrors } from '../forms.js';
import { signedInAccount } from '../locals.js';
import { parseOr400, tokenParam } from '../schemas/common.js';
import { tokenBody } from './console-my-tokens.js';

const accountBody = z.object({
  email: z.string().trim().email('Enter an email address.'),
  role: z.enum(['admin', 'researcher'], { message: 'Choose a role: researcher or admin.' }),
  password: z.string().min(MIN_PASSWORD_LENGTH, `The password needs at least ${MIN_PASSWORD_LENGTH} characters.`).max(500),
});

export function consoleAccessRouter(prisma: Prisma): Router {
  const router = Router();
  router.use(requireAdmin);

  const renderTokens = async (res: Response, status: number, extra: { newToken?: string; error?: string } = {}) => {
    res.status(status).render('admin/tokens', { title: 'API tokens', tokens: await listApiTokens(prisma), newToken: extra.newToken ?? null, error: extra.error ?? null, base: '/console/admin/tokens', mine: false });
  };

  router.get('/tokens', (_req, res) => renderTokens(res, 200));

  router.post('/tokens', async (req, res) => {
    const form = parseForm(tokenBody, req.body);
    if (!form.ok) return renderTokens(res, 400, { error: `Name: ${form.errors.name ?? form.errors.form}` });
    const { token } = await createApiToken(prisma, { name: form.data.name, accountId: signedInAccount(res).id }, actorOf(res));
    // Shown once, on this response only: the database keeps its hash.
    await renderTokens(res, 201, { newToken: token });
  });

  router.post('/tokens/:id/revoke', async (req, res) => {
    const { id } = parseOr400(tokenParam, req.params, 'path');
    await revokeApiToken(prisma, id, new Date(), actorOf(res));
    res.redirect(303, '/console/admin/tokens');
  });

  const renderAccounts = async (res: Response, status: number, form: { email: string; role: string; errors: FieldErrors }) => {
    res.status(status).render('admin/accounts', { title: 'Accounts', accounts: await listAccounts(prisma), form });
  };

  router.get('/accounts', (_req, res) => renderAccounts(res, 200, { email: '', role: 'researcher', errors: {} }));

  router.post('/accounts', async (req, res) => {
    const form = parseForm(accountBody, req.body);
    if (!form.ok) return renderAccounts(res, 400, { email: form.values.email ?? '', role: form.values.role ?? 'researcher', errors: form.errors });
    const created = await createAccount(prisma, form.data, actorOf(res));
    if (!created.ok) return renderAccounts(res, 409, { email: form.data.email, role: form.data.role, errors: { email: 'An account with this email exists.' } });
    res.redirect(303, '/console/admin/accounts');
  });

  router.get('/audit', async (_req, res) => {
    res.render('admin/audit', { title: 'Audit log', events: await listAuditEvents(prisma) });
  });

  return router;
}
