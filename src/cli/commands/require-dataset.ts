// Resolves a dataset argument (id or name) or stops with a message that lists what exists.
import { findDatasetByIdOrName, listDatasets, type DatasetRow } from '../../db/datasets.js';
import { CliError, type CliContext } from '../context.js';

export async function requireDataset(ctx: CliContext, idOrName: string): Promise<DatasetRow> {
  const dataset = await findDatasetByIdOrName(ctx.db.prisma, idOrName);
  if (dataset) return dataset;
  const known = (await listDatasets(ctx.db.prisma)).map((d) => `  ${d.id}  ${d.name}`);
  throw new CliError(`No dataset with id or name "${idOrName}".${known.length ? `\nDatasets:\n${known.join('\n')}` : ' No dataset is imported yet.'}`);
}
