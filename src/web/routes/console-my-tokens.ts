// Console, every signed-in account, under /console/my: their own API tokens (DECISIONS: a
// researcher creates and revokes their own read-only tokens; a token acts with its owner's role).
import { Router, type Response } from 'express';
import { z } from 'zod';
import { createApiToken, listApiTokens, revokeApiToken } from '../../db/api-tokens.js';
import type { Prisma } from '../../db/connection.js';
import { parseForm } from '../forms.js';
import { HttpError } from '../http-error.js';
import { signedInAccount } from '../locals.js';
import { actorOf } from '../middleware/auth.js';
import { parseOr400, tokenParam } from '../schemas/common.js';

export const tokenBody = z.object({ name: z.string().trim().min(1, 'Give the token a name.').max(100) });

export function consoleMyTokensRouter(prisma: Prisma): Router {
  const router = Router();

  const render = async (res: Response, status: number, extra: { newToken?: string; error?: string } = {}) => {
    const account = signedInAccount(res);
    res.status(status).render('admin/tokens', { title: 'My API tokens', tokens: await listApiTokens(prisma, account.id), newToken: extra.newToken ?? null, error: extra.error ?? null, base: '/console/my/tokens', mine: true });
  };

  router.get('/tokens', (_req, res) => render(res, 200));

  router.post('/tokens', async (req, res) => {
    const form = parseForm(tokenBody, req.body);
    if (!form.ok) return render(res, 400, { error: `Name: ${form.errors.name ?? form.errors.form}` });
    const { token } = await createApiToken(prisma, { name: form.data.name, accountId: signedInAccount(res).id }, actorOf(res));
    await render(res, 201, { newToken: token });
  });

  router.post('/tokens/:id/revoke', async (req, res) => {
    const { id } = parseOr400(tokenParam, req.params, 'path');
    const revoked = await revokeApiToken(prisma, id, new Date(), actorOf(res), signedInAccount(res).id);
    if (!revoked && !(await listApiTokens(prisma, signedInAccount(res).id)).some((t) => t.id === id)) throw new HttpError(404, 'token_not_found', 'No such token of yours.');
    res.redirect(303, '/console/my/tokens');
  });

  return router;
}
