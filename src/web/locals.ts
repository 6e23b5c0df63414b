// What middleware leaves in res.locals for the handlers after it (and for the views), typed once,
// and read through accessors that fail loudly when a route forgot the middleware.
import type { Response } from 'express';
import type { Account } from '../db/accounts.js';
import type { ApiTokenRow } from '../db/api-tokens.js';
import type { Batch } from '../db/batches.js';
import type { Rater } from '../db/raters.js';

declare global {
  namespace Express {
    interface Locals {
      /** Console: the signed-in account, or null (loadAccount). */
      account?: Account | null;
      /** API: the bearer token presented (requireApiToken). */
      apiToken?: ApiTokenRow;
      /** Console: the CSRF token the forms of the page carry. */
      csrfToken?: string;
      title?: string;
      /** The batch the path names (batchParam). */
      batch?: Batch;
      /** Survey pages: the cookie's participant and their batch (loadRater). */
      rater?: Rater;
    }
  }
}

/** A programming error, not a request error: the route lacks the middleware that sets `what`. */
const notLoaded = (what: string, by: string) => new Error(`res.locals.${what} is not set: mount ${by} before this handler`);

export function batchOf(res: Response): Batch {
  if (!res.locals.batch) throw notLoaded('batch', 'batchParam (router.param)');
  return res.locals.batch;
}

export function raterOf(res: Response): Rater {
  if (!res.locals.rater) throw notLoaded('rater', 'loadRater');
  return res.locals.rater;
}

export function signedInAccount(res: Response): Account {
  if (!res.locals.account) throw notLoaded('account', 'loadAccount and requireSignedIn');
  return res.locals.account;
}
