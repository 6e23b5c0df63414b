// The demo loaded on first start: a synthetic dataset with the paper's prevalences.
import { createRng } from './core/rng.js';
import { generateSyntheticDataset, toJsonl } from './core/synthetic-dataset.js';
import type { Prisma } from './db/connection.js';
import { importDatasetText, listDatasets } from './db/datasets.js';

export const DEMO_DATASET_NAME = 'demo (synthetic)';
const DEMO_DATAPOINTS = 400;
const DEMO_SEED = 2503;

/** Loads the demo only into an empty database, so a researcher's data is never mixed with it. */
export async function ensureDemo(prisma: Prisma): Promise<{ loaded: boolean; datasetId?: string }> {
  if ((await listDatasets(prisma)).length > 0) return { loaded: false };
  const text = toJsonl(generateSyntheticDataset(DEMO_DATAPOINTS, createRng(DEMO_SEED)));
  const outcome = await importDatasetText(prisma, { name: DEMO_DATASET_NAME, text });
  if (outcome.status !== 'created') throw new Error(`demo import failed: ${outcome.status}`);
  return { loaded: true, datasetId: outcome.dataset.id };
}
