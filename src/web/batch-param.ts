// The batch a path names, loaded once per request by `router.param` for every route of a router
// (survey pages, API, console alike); each audience says how "not found" looks to it.
import type { RequestParamHandler } from 'express';
import { z } from 'zod';
import { findBatchById, type Batch } from '../db/batches.js';
import type { Prisma } from '../db/connection.js';
import { HttpError } from './http-error.js';
import './locals.js';

/** Batch ids are word characters (newId): anything else (NUL, broken encodings) names no batch. */
export const batchIdSchema = z.string().regex(/^[\w-]{1,64}$/);

export function batchParam(prisma: Prisma, notFound: (id: string) => HttpError): RequestParamHandler {
  return async (_req, res, next, value: unknown) => {
    res.locals.batch = await findBatchOr(prisma, value, notFound);
    next();
  };
}

/** The batch with this id, or `notFound`'s error (also for a query that lists batch ids). */
export async function findBatchOr(prisma: Prisma, value: unknown, notFound: (id: string) => HttpError): Promise<Batch> {
  const id = batchIdSchema.safeParse(value);
  const batch = id.success ? await findBatchById(prisma, id.data) : null;
  if (!batch) throw notFound(String(value));
  return batch;
}

/** How the API and the console say it (the survey pages have their own, friendlier page). */
export const batchNotFound = (id: string): HttpError => new HttpError(404, 'batch_not_found', `No batch with id "${id.slice(0, 100)}".`);
