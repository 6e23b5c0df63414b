// Resolves a batch argument (id or name) or stops with a message pointing at `batch list`.
import { findBatchByIdOrName, type Batch } from '../../db/batches.js';
import { CliError, type CliContext } from '../context.js';

export async function requireBatch(ctx: CliContext, idOrName: string): Promise<Batch> {
  const batch = await findBatchByIdOrName(ctx.db.prisma, idOrName);
  if (!batch) throw new CliError(`No batch with id or name "${idOrName}". See \`prefbasis batch list\`.`);
  return batch;
}
