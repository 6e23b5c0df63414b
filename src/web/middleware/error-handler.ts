// One final error handler: JSON envelope under /api, the error page elsewhere; stacks only in the log.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isTransientDatabaseError, isUnstorableValueError } from '../../db/errors.js';
import { ProlificApiError } from '../../prolific/client.js';
import { DownloadAborted } from '../../results/backpressure.js';
import { HttpError } from '../http-error.js';

interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
}

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (isUnstorableValueError(err)) {
    return new HttpError(400, 'unstorable_value', 'The request contains a value that cannot be stored (a NUL character, or text that is too long). Remove it and try again.');
  }
  // Retried already (db/errors.ts withRetry) and still failing: the database is restarting or
  // failing over. Nothing was lost; the page can simply be loaded again.
  if (isTransientDatabaseError(err)) {
    return new HttpError(503, 'database_unavailable', 'We could not reach our database just now. Nothing you entered is lost: please wait a moment and reload this page.');
  }
  // Prolific refused or stayed away after the client's retries: a gateway error that says what it answered.
  if (err instanceof ProlificApiError) return new HttpError(502, 'prolific_error', `${err.message}. Nothing was changed here for the calls that failed; try again later.`);
  const e = err as BodyParserError & { message?: string; code?: string; name?: string };
  if (e?.code === 'EBADCSRFTOKEN') return new HttpError(403, 'bad_csrf_token', 'This form has expired or did not come from this site. Please reload the page and try again.');
  if (e?.name === 'MulterError') {
    return e.code === 'LIMIT_FILE_SIZE'
      ? new HttpError(413, 'payload_too_large', 'The file is larger than the server accepts.')
      : new HttpError(400, 'bad_upload', `The upload could not be read (${e.code ?? 'error'}).`);
  }
  if (e?.statusCode === 429 || e?.status === 429) return new HttpError(429, 'too_many_requests', 'Too many attempts. Please wait a minute and try again.');
  if (e?.type === 'entity.too.large') return new HttpError(413, 'payload_too_large', 'The request body is larger than the server accepts.');
  if (e?.type === 'entity.parse.failed') return new HttpError(400, 'malformed_body', 'The request body could not be parsed.');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose) {
    return new HttpError(e.status, 'bad_request', e.message ?? 'Bad request.');
  }
  return new HttpError(500, 'internal_error', 'Something went wrong on our side. The error has been logged.');
}

export function errorHandler(options: { production: boolean; log?: (err: unknown) => void }): ErrorRequestHandler {
  const log = options.log ?? ((err: unknown) => console.error(err));
  return (err, req, res, _next) => {
    const httpError = toHttpError(err);
    // A researcher closing a download half-way is not a server error.
    if (err instanceof DownloadAborted) {
      res.destroy();
      return;
    }
    if (httpError.status >= 500) log(err);
    // A download that failed half-way: break the connection so the client sees a failed transfer
    // (curl, browsers and pandas report it) instead of waiting forever on a truncated file.
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (httpError.status === 503) res.setHeader('Retry-After', '2');
    res.status(httpError.status);
    if (req.originalUrl.startsWith('/api/')) {
      res.json({ error: { code: httpError.code, message: httpError.message, ...(httpError.details ? { details: httpError.details } : {}) } });
      return;
    }
    res.render('error', { status: httpError.status, message: httpError.message, code: httpError.code });
  };
}

// Percent-encoded control characters (%00-%1F, %7F) are never part of a PrefBasis URL; refusing them
// up front keeps a NUL from ever reaching a query.
const ENCODED_CONTROL = /%(?:[01][0-9a-f]|7f)/i;

/** 400 for URLs with encoded control characters or broken percent-encoding, before any route runs. */
export const rejectMalformedUrl: RequestHandler = (req, _res, next) => {
  if (ENCODED_CONTROL.test(req.originalUrl)) throw new HttpError(400, 'malformed_url', 'The address contains characters that are not allowed.');
  try {
    decodeURIComponent(req.path);
  } catch {
    throw new HttpError(400, 'malformed_url', 'The address is not correctly encoded.');
  }
  next();
};

export const notFound: RequestHandler = (req) => {
  throw new HttpError(404, 'not_found', `Nothing here: ${req.method} ${req.path}`);
};
