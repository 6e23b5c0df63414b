// The demo loaded on first start: a synthetic dataset with the paper's prevalences and an open
// 20-question study on it, so a new user can take the survey as a rater right away.
import { randomBytes } from 'node:crypto';
import { createRng } from './core/rng.js';
import { generateSyntheticDataset, toJsonl } from './core/synthetic-dataset.js';
import { changeBatchStatus, createBatchFromDataset, findBatchByIdOrName, type Batch } from './db/batches.js';
import type { Database, Prisma } from './db/connection.js';
import { importDatasetText, listDatasets } from './db/datasets.js';
import { countAccounts, createAccount } from './db/accounts.js';
import { SYSTEM_ACTOR } from './db/audit.js';

export const DEMO_DATASET_NAME = 'demo (synthetic)';
export const DEMO_BATCH_NAME = 'demo study';
export const DEMO_DATAPOINTS = 400;
export const DEMO_SEED = 2503;

/** Loads the demo only into an empty database, so a researcher's data is never mixed with it. */
export async function ensureDemo({ prisma, sql }: Pick<Database, 'prisma' | 'sql'>): Promise<{ loaded: boolean; batch: Batch | null }> {
  if ((await listDatasets(prisma)).length > 0) return { loaded: false, batch: await findDemoBatch(prisma) };
  const text = toJsonl(generateSyntheticDataset(DEMO_DATAPOINTS, createRng(DEMO_SEED)));
  const imported = await importDatasetText(sql, { name: DEMO_DATASET_NAME, text }, SYSTEM_ACTOR);
  if (imported.status !== 'created') throw new Error(`demo import failed: ${imported.status}`);
  const created = await createBatchFromDataset(prisma, {
    dataset: imported.dataset.id,
    name: DEMO_BATCH_NAME,
    questions: 20,
    raters: 50,
    seed: DEMO_SEED,
    completionCode: 'DEMOCOMPLETE',
    ratingsPerTask: 2,
    preferredSide: 'first',
  }, SYSTEM_ACTOR);
  if (!created.ok) throw new Error(`demo batch failed: ${created.reason}`);
  const opened = await changeBatchStatus(prisma, created.batch, 'open', new Date(), SYSTEM_ACTOR);
  return { loaded: true, batch: opened.ok ? opened.batch : created.batch };
}

export function findDemoBatch(prisma: Prisma): Promise<Batch | null> {
  return findBatchByIdOrName(prisma, DEMO_BATCH_NAME);
}

/** A study link with made-up Prolific ids, for trying the rater pages. */
export function demoRaterPath(batch: Pick<Batch, 'id'>): string {
  const id = () => randomBytes(12).toString('hex');
  return `/s/${batch.id}?PROLIFIC_PID=${id()}&STUDY_ID=${id()}&SESSION_ID=${id()}`;
}

export const DEMO_ADMIN_EMAIL = 'admin@localhost';

/**
 * On a fresh demo database, an admin with a random password (printed once at start), so the console
 * can be tried right away. Never a fixed password; never when any account exists.
 */
export async function ensureDemoAdmin(prisma: Prisma): Promise<{ email: string; password: string } | null> {
  if ((await countAccounts(prisma)) > 0) return null;
  const password = randomBytes(12).toString('base64url');
  const created = await createAccount(prisma, { email: DEMO_ADMIN_EMAIL, password, role: 'admin' }, SYSTEM_ACTOR);
  return created.ok ? { email: DEMO_ADMIN_EMAIL, password } : null;
}
