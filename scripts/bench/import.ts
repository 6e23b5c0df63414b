// Import benchmark at the paper's scale (18,319 datapoints): PostgreSQL server and embedded database.
// Reports each step as a ratio to a baseline measured in the same run: JSON.parse of every line.
// Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx scripts/bench/import.ts [--count N]
import { parseArgs } from 'node:util';
import { createScratchDatabase } from './lib/scratch-database.js';
import { parseDatasetJsonl } from '../../src/core/dataset-format.js';
import { createRng } from '../../src/core/rng.js';
import { generateSyntheticDataset, toJsonl } from '../../src/core/synthetic-dataset.js';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { importDatasetText } from '../../src/db/datasets.js';
import { CLI_ACTOR } from '../../src/db/audit.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '18319' } } });
const count = Number(values.count);
const text = toJsonl(generateSyntheticDataset(count, createRng(1)));
const lines = text.trim().split('\n');

async function time(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function importInto(db: Database): Promise<number> {
  await db.migrate();
  const ms = await time(async () => {
    const outcome = await importDatasetText(db.prisma, { name: 'bench', text }, CLI_ACTOR);
    if (outcome.status !== 'created') throw new Error(outcome.status);
  });
  await db.close();
  return ms;
}

const baseline = await time(() => lines.forEach((l) => JSON.parse(l)));
const validate = await time(() => parseDatasetJsonl(text));
const rows: [string, number][] = [['validate (zod)', validate]];

const serverUrl = process.env.DATABASE_URL;
if (serverUrl) {
  const scratch = await createScratchDatabase(serverUrl, 'import');
  try {
    rows.push(['import, PostgreSQL server', await importInto(await openDatabase({ kind: 'postgres', url: scratch.url }))]);
  } finally {
    await scratch.drop();
  }
}
rows.push(['import, embedded (in memory)', await importInto(await openDatabase({ kind: 'embedded', dataDir: null }))]);

const phrases = text.match(/"granular":/g)?.length ?? 0;
console.log(`${count} datapoints, ${(text.length / 1e6).toFixed(1)} MB, ${phrases} annotations`);
console.log(`baseline: JSON.parse of every line = 1.0 (${baseline.toFixed(0)} ms)`);
for (const [label, ms] of rows) console.log(`${label.padEnd(30)} ${(ms / baseline).toFixed(1).padStart(7)} x baseline (${(ms / 1000).toFixed(2)} s)`);
