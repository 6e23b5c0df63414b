// Export benchmark (issue 15.1, 15.2): the answers export (CSV, JSON Lines, Parquet) of a 100,000-
// and a 1,000,000-answer batch, and the tasks export of an 18k- and a 180k-datapoint batch, each
// against `COPY (the same join) TO STDOUT` measured in the same run on the same database (through
// psql, discarding the output), with the process's RSS growth and event-loop delays while it streams
// to an HTTP client (curl, discarding it).
// Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres node --expose-gc --import tsx scripts/bench/export.ts [--large 50000] [--tasks-large 180000]
import { execFile, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createRng } from '../../src/core/rng.js';
import { generateSyntheticDataset, toJsonl } from '../../src/core/synthetic-dataset.js';
import { createBatchFromDataset, type Batch } from '../../src/db/batches.js';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { importDatasetText } from '../../src/db/datasets.js';
import type * as Exports from '../../src/results/exports.js';
import { buildDist } from './lib/build.js';
import { createScratchDatabase } from './lib/scratch-database.js';
import { seedFinishedRaters } from './lib/seed-answers.js';
import { watched, type Watched } from './lib/watched.js';
import { CLI_ACTOR } from '../../src/db/audit.js';

const { values } = parseArgs({ options: { large: { type: 'string', default: '50000' }, 'tasks-large': { type: 'string', default: '180000' } } });
const largeRaters = Number(values.large);
const smallRaters = Math.round(largeRaters / 10);
const largeDatapoints = Number(values['tasks-large']);
const smallDatapoints = Math.round(largeDatapoints / 10);

/** A batch of `raters` finished raters × 20 answers, written by SQL. */
async function fillBatch(db: Database, client: pg.Client, name: string, raters: number): Promise<Batch> {
  const created = await createBatchFromDataset(db.prisma, { dataset: 'bench', name, questions: 20, raters, seed: 1, completionCode: 'BENCH1', ratingsPerTask: Math.max(1, Math.ceil((raters * 20) / 18_000)), preferredSide: 'first' }, CLI_ACTOR);
  if (!created.ok) throw new Error(created.reason);
  await seedFinishedRaters(client, created.batch.id, raters, name);
  return created.batch;
}

/** COPY of the same rows the export writes (answer, rater, task, datapoint, options in order) to nowhere. */
function copyAnswersMs(url: string, batchId: string): number {
  return copyMs(url, `COPY (
    SELECT a.participant_id, p.prolific_pid, p.study_id, p.session_id, p.status, p.evaluator, a.task_id, t.datapoint_id, d.source_id,
           t.sampled_category, t.topic_category, a.position + 1,
           (SELECT string_agg(o.id || ',' || o.kind || ',' || o.text, ',' ORDER BY array_position(a.option_order, o.id)) FROM task_options o WHERE o.task_id = a.task_id),
           a.selected_option_ids, a.shown_at, a.answered_at, s.preferred_first
    FROM answers a JOIN participants p ON p.id = a.participant_id JOIN tasks t ON t.id = a.task_id JOIN datapoints d ON d.id = t.datapoint_id
    LEFT JOIN assignments s ON s.participant_id = a.participant_id AND s.position = a.position
    WHERE p.batch_id = '${batchId}' ORDER BY a.participant_id, a.position) TO STDOUT WITH CSV`);
}

/** COPY of the tasks export's rows: each task with its datapoint and its six options. */
function copyTasksMs(url: string, batchId: string): number {
  return copyMs(url, `COPY (
    SELECT t.id, t.position, t.datapoint_id, d.source_id, t.sampled_category, t.topic_category,
           (SELECT string_agg(o.id || ',' || o.kind || ',' || o.text || ',' || coalesce(o.source_datapoint_id, ''), ',' ORDER BY o.kind) FROM task_options o WHERE o.task_id = t.id)
    FROM tasks t JOIN datapoints d ON d.id = t.datapoint_id WHERE t.batch_id = '${batchId}' ORDER BY t.position) TO STDOUT WITH CSV`);
}

function copyMs(url: string, query: string): number {
  const start = performance.now();
  const out = spawnSync('psql', [url, '-q', '-c', query], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (out.status !== 0) throw new Error('psql COPY failed');
  return performance.now() - start;
}

/**
 * An export as the server sends it: to an HTTP response on this process, read to the end by curl
 * (another process, so its buffers are not counted) and thrown away. Time, bytes, this process's
 * event-loop delays and RSS growth. A stand-in sink would differ from a socket in memory: a
 * counting Writable turns every string into a Buffer and keeps Parquet's moved buffers until a
 * collection, where a socket writes strings natively and frees what it has sent.
 */
async function exportWatched(run: (out: Writable) => Promise<number>): Promise<Watched<{ rows: number; bytes: number }>> {
  let rows: Promise<number> | undefined;
  const server = createServer((_request, response) => {
    rows = run(response).then(
      (count) => (response.end(), count),
      (error: unknown) => (response.destroy(error as Error), Promise.reject(error)),
    );
    rows.catch(() => {}); // awaited once curl is done
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await watched(async () => {
      const curl = await promisify(execFile)('curl', ['--silent', '--show-error', '--fail', '--output', '/dev/null', '--write-out', '%{size_download}', `http://127.0.0.1:${port}/`]);
      if (!rows) throw new Error('curl finished without a request reaching the export');
      return { rows: await rows, bytes: Number(curl.stdout) };
    });
  } finally {
    server.close();
  }
}

function report(what: string, ours: Watched<{ rows: number; bytes: number }>, copy: number): string {
  return `  ${what} ${(ours.ms / copy).toFixed(2)} x (${(ours.ms / 1000).toFixed(2)} s, ${(ours.value.bytes / 1e6).toFixed(0)} MB); RSS +${ours.rssGrowthMb.toFixed(0)} MB; event loop max ${ours.maxDelayMs.toFixed(0)} ms`;
}

// The exports as `npm start` runs them: built, so the worker thread starts from compiled code too
// (from source, each worker would compile the modules it loads with tsx).
buildDist();
const { writeAnswersExport, writeTasksExport } = (await import(new URL('../../dist/src/results/exports.js', import.meta.url).href)) as typeof Exports;

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error('set DATABASE_URL to a PostgreSQL server');
const scratch = await createScratchDatabase(serverUrl, 'export');
const db = await openDatabase({ kind: 'postgres', url: scratch.url });
const client = new pg.Client({ connectionString: scratch.url });
try {
  await db.migrate();
  await client.connect();
  await importDatasetText(db.sql, { name: 'bench', text: toJsonl(generateSyntheticDataset(18_319, createRng(1))) }, CLI_ACTOR);
  const small = await fillBatch(db, client, 's', smallRaters);
  const large = await fillBatch(db, client, 'l', largeRaters);
  for (const batch of [small, large]) {
    const copy = copyAnswersMs(scratch.url, batch.id);
    const lines = [];
    for (const format of ['csv', 'jsonl', 'parquet'] as const) {
      const ours = await exportWatched((sink) => writeAnswersExport(db.sql, batch, format, sink));
      lines.push(report(`answers ${format}`, ours, copy));
      if (format === 'csv') lines.unshift(`${ours.value.rows.toLocaleString('en')} answers: COPY of the same join = 1.0 (${(copy / 1000).toFixed(2)} s)`);
    }
    console.log(lines.join('\n'));
  }
  for (const datapoints of [smallDatapoints, largeDatapoints]) {
    const name = `tasks-${datapoints}`;
    await importDatasetText(db.sql, { name, text: toJsonl(generateSyntheticDataset(datapoints, createRng(datapoints))) }, CLI_ACTOR);
    const created = await createBatchFromDataset(db.prisma, { dataset: name, name, questions: 20, raters: datapoints, seed: 1, completionCode: 'BENCH1', ratingsPerTask: 1, preferredSide: 'first' }, CLI_ACTOR);
    if (!created.ok) throw new Error(created.reason);
    const copy = copyTasksMs(scratch.url, created.batch.id);
    const ours = await exportWatched((sink) => writeTasksExport(db.sql, created.batch.id, 'csv', sink));
    console.log(`${ours.value.rows.toLocaleString('en')} tasks (${datapoints.toLocaleString('en')} datapoints): COPY of the same join = 1.0 (${(copy / 1000).toFixed(2)} s)\n${report('tasks csv', ours, copy)}`);
  }
} finally {
  await client.end().catch(() => {});
  await db.close();
  await scratch.drop();
}
