// Resolves a batch from route params or answers 404 (API and console).
import { findBatchById, type Batch } from '../db/batches.js';
import type { Prisma } from '../db/connection.js';
import { HttpError } from './http-error.js';
import { idParam, parseOr400 } from './schemas/common.js';

export async function loadBatchOr404(prisma: Prisma, params: unknown): Promise<Batch> {
  const { id } = parseOr400(idParam, params, 'path');
  const batch = await findBatchById(prisma, id);
  if (!batch) throw new HttpError(404, 'batch_not_found', `No batch with id "${id}".`);
  return batch;
}
