// Import benchmark at the paper's scale (18,319 datapoints), issue 10.3: the whole import (hash,
// validation, COPY, audit row) on a PostgreSQL server against a plain COPY of the same file into a
// jsonb column, measured in the same run through the same driver; and on the embedded database.
// Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx scripts/bench/import.ts [--count N] [--runs 3]
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createScratchDatabase } from './lib/scratch-database.js';
import { parseDatasetJsonl } from '../../src/core/dataset-format.js';
import { createRng } from '../../src/core/rng.js';
import { generateSyntheticDataset, toJsonl } from '../../src/core/synthetic-dataset.js';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { importDatasetText } from '../../src/db/datasets.js';
import { CLI_ACTOR } from '../../src/db/audit.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '18319' }, runs: { type: 'string', default: '3' } } });
const count = Number(values.count);
const runs = Number(values.runs);
const text = toJsonl(generateSyntheticDataset(count, createRng(1)));

async function time(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function best(fn: (run: number) => unknown): Promise<number> {
  let fastest = Infinity;
  for (let run = 0; run < runs; run++) fastest = Math.min(fastest, await time(() => fn(run)));
  return fastest;
}

/** Best of `runs` imports, each of a different file (a trailing blank line) under its own name. */
async function importInto(db: Database): Promise<number> {
  await db.migrate();
  const ms = await best(async (run) => {
    const outcome = await importDatasetText(db.sql, { name: `bench ${run}`, text: text + '\n'.repeat(run) }, CLI_ACTOR);
    if (outcome.status !== 'created') throw new Error(outcome.status);
  });
  await db.close();
  return ms;
}

/**
 * The file as one jsonb value per line, COPY text format (backslashes escaped; lines hold no
 * tabs), in 64 KB buffers (one 22 MB write is slower for PostgreSQL to take in).
 */
function fileAsCopyBuffers(): Buffer[] {
  const bytes = Buffer.from(`${text.trim().split('\n').map((line) => line.replaceAll('\\', '\\\\')).join('\n')}\n`);
  const buffers: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 65_536) buffers.push(bytes.subarray(at, at + 65_536));
  return buffers;
}

const parse = await best(() => text.trim().split('\n').forEach((l) => JSON.parse(l)));
const validate = await best(() => parseDatasetJsonl(text));
console.log(`${count} datapoints, ${(Buffer.byteLength(text) / 1e6).toFixed(1)} MB, best of ${runs}`);
console.log(`JSON.parse of every line ${(parse / 1000).toFixed(2)} s; validation (zod) ${(validate / 1000).toFixed(2)} s`);

const serverUrl = process.env.DATABASE_URL;
if (serverUrl) {
  const scratch = await createScratchDatabase(serverUrl, 'import');
  try {
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    await client.query('CREATE TABLE plain_copy (line jsonb)');
    const copyBuffers = fileAsCopyBuffers();
    const plainCopy = await best(async () => {
      await client.query('TRUNCATE plain_copy');
      await pipeline(Readable.from(copyBuffers), client.query(copyFrom('COPY plain_copy FROM STDIN')));
    });
    await client.end();
    const ours = await importInto(await openDatabase({ kind: 'postgres', url: scratch.url }));
    console.log(`baseline: plain COPY of the file into a jsonb column ${(plainCopy / 1000).toFixed(2)} s`);
    console.log(`import, PostgreSQL server ${(ours / 1000).toFixed(2)} s = ${(ours / plainCopy).toFixed(2)} x plain COPY (target <= 3)`);
  } finally {
    await scratch.drop();
  }
}
const embedded = await importInto(await openDatabase({ kind: 'embedded', dataDir: null }));
console.log(`import, embedded (in memory) ${(embedded / 1000).toFixed(2)} s = ${(embedded / parse).toFixed(1)} x JSON.parse`);
