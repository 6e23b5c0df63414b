// Who is asking: a signed-in console account or an API token, and what their role lets them do.
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { findSessionAccount } from '../../db/accounts.js';
import type { Actor } from '../../db/audit.js';
import type { Prisma } from '../../db/connection.js';
import { readCookie } from '../cookies.js';
import { HttpError } from '../http-error.js';
import '../locals.js';

export const SESSION_COOKIE = 'pb_session';
/** createSession's tokens are 43 url-safe base64 characters; anything else is no session. */
const sessionTokenSchema = z.string().regex(/^[\w-]{1,200}$/);

export function sessionToken(req: Request): string | null {
  return readCookie(req, SESSION_COOKIE, sessionTokenSchema);
}

/** Sets res.locals.account to the signed-in account, or null. */
export function loadAccount(prisma: Prisma): RequestHandler {
  return async (req, res, next) => {
    const token = sessionToken(req);
    res.locals.account = token ? await findSessionAccount(prisma, token, new Date()) : null;
    next();
  };
}

/** Console pages need a signed-in account: pages redirect to sign-in, form posts get 401. */
export const requireSignedIn: RequestHandler = (req, res, next) => {
  if (res.locals.account) return next();
  if (req.method === 'GET' || req.method === 'HEAD') {
    res.redirect(303, `/console/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
    return;
  }
  throw new HttpError(401, 'sign_in_required', 'Please sign in first.');
};

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Researchers read; only admins change anything. One rule for every route behind it. */
export const onlyAdminsChange: RequestHandler = (req, res, next) => {
  if (READ_METHODS.has(req.method) || roleOf(res) === 'admin') return next();
  throw new HttpError(403, 'read_only', 'Your account can read results and exports but not change anything.');
};

/** Pages about access itself (tokens, accounts, audit) are for admins only, even to read. */
export const requireAdmin: RequestHandler = (_req, res, next) => {
  if (roleOf(res) === 'admin') return next();
  throw new HttpError(403, 'admin_only', 'Only admins can see this page.');
};

function roleOf(res: Response): string | null {
  return res.locals.account?.role ?? res.locals.apiToken?.role ?? null;
}

/** The actor recorded in the audit log for this request. */
export function actorOf(res: Response): Actor {
  const { account, apiToken: token } = res.locals;
  if (account) return { name: account.email, accountId: account.id };
  if (token) return { name: token.owner ?? `token:${token.name}`, accountId: token.accountId };
  return { name: 'unknown', accountId: null };
}
