// Guarantees that a request under /api/v1 carries a valid, unrevoked bearer token.
import type { RequestHandler } from 'express';
import { findActiveApiToken } from '../../db/api-tokens.js';
import type { Prisma } from '../../db/connection.js';
import { HttpError } from '../http-error.js';

export function requireApiToken(prisma: Prisma): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      res.set('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'unauthorized', 'Send an API token as `Authorization: Bearer <token>` (create one with `prefbasis token create --name NAME`).');
    }
    const token = await findActiveApiToken(prisma, match[1] as string);
    if (!token) {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new HttpError(401, 'invalid_token', 'The API token is unknown or revoked.');
    }
    res.locals.apiToken = token;
    next();
  };
}
