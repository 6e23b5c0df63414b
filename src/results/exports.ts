// Streams exports to any writable (an HTTP response, a file, stdout), respecting backpressure, so
// memory stays flat whatever the batch size. One home for the API, the console and the CLI.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import {
  ANSWER_CSV_HEADER,
  ANSWER_PARQUET_COLUMNS,
  type AnswerExportRow,
  type FlaggedAnswerExportRow,
  answerCsvValues,
  answerJsonLine,
  CHECK_CSV_HEADER,
  checkCsvValues,
  csvRecord,
  describeExclusionRules,
  type RaterExportFlags,
  METRICS_CSV_HEADER,
  metricsCsvRows,
  TASK_CSV_HEADER,
  taskCsvValues,
} from '../core/export-format.js';
import { countBatchTasks, streamAnswerExportRows } from '../db/answers.js';
import { listCheckExportRows } from '../db/attention-checks.js';
import { streamBatchTasks } from '../db/batches.js';
import type { Prisma } from '../db/connection.js';
import type { SqlRunner } from '../db/sql-runner.js';
import { exclusionRulesOf } from '../core/exclusions.js';
import { reportRaters, rulesOfBatch, type RulesOfBatch } from './exclusions.js';
import type { BatchMetrics } from './metrics.js';
import { DownloadAborted, drainedOrClosed } from './backpressure.js';
import { runExportInWorker } from './export-thread.js';
import { openParquetStream } from './parquet.js';

export type ExportFormat = 'csv' | 'jsonl';
/** Answers also come as Parquet (typed columns, for pandas, polars, R and DuckDB). */
export type AnswersFormat = ExportFormat | 'parquet';

export const EXPORT_CONTENT_TYPE: Record<AnswersFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

/** Rows formatted between two turns of the event loop. */
const ROWS_PER_TURN = 200;

/** Writes with backpressure; a destination closed meanwhile (client gone) never 'drain's: stop then. */
async function write(out: Writable, chunk: string | Uint8Array): Promise<void> {
  if (out.destroyed) throw new DownloadAborted();
  if (out.write(chunk)) return;
  await drainedOrClosed(out);
  if (out.destroyed) throw new DownloadAborted();
}

/**
 * Every answer of the batch, each row carrying its rater's attention checks and exclusion flags
 * under the batch's rules: excluded raters are flagged, never dropped. Returns the rows written.
 * On PostgreSQL the export runs in a worker thread (export-thread.ts), here otherwise.
 */
export async function writeAnswersExport(sql: SqlRunner, batch: RulesOfBatch, format: AnswersFormat, out: Writable, onRows: (read: number) => void = () => {}): Promise<number> {
  if (sql.connectionString === null) return writeAnswersExportHere(sql, batch, format, out, onRows);
  const job = { what: 'answers', batch: rulesOfBatch(batch), format } as const;
  return runExportInWorker({ connectionString: sql.connectionString, job, tasksKept: await countBatchTasks(sql, batch.id) }, out, onRows);
}

/** The batch's tasks with their options, one row per task; in a worker thread on PostgreSQL. */
export function writeTasksExport(sql: SqlRunner, batchId: string, format: ExportFormat, out: Writable): Promise<number> {
  if (sql.connectionString === null) return writeTasksExportHere(sql, batchId, format, out);
  return runExportInWorker({ connectionString: sql.connectionString, job: { what: 'tasks', batchId, format }, tasksKept: 0 }, out, () => {});
}

/** Where an export runs: in the server's thread (embedded database) or in a worker of its own. */
export type ExportThread = 'server' | 'worker';

/** writeAnswersExport in this thread. */
export async function writeAnswersExportHere(sql: SqlRunner, batch: RulesOfBatch, format: AnswersFormat, out: Writable, onRows: (read: number) => void = () => {}, thread: ExportThread = 'server'): Promise<number> {
  const pages = flaggedPages(sql, batch, counted(streamAnswerExportRows(sql, batch.id), onRows));
  if (format === 'parquet') return writeAnswersParquet(pages, out, PARQUET_ROW_GROUPS[thread]);
  let count = 0;
  if (format === 'csv') await write(out, csvRecord(ANSWER_CSV_HEADER));
  for await (const page of pages) {
    // Formatted a few hundred rows at a time, with the event loop's turn in between: a large
    // export never holds up the raters' requests for more than a few milliseconds.
    for (let i = 0; i < page.length; i += ROWS_PER_TURN) {
      const rows = page.slice(i, i + ROWS_PER_TURN);
      await write(out, rows.map((r) => (format === 'csv' ? csvRecord(answerCsvValues(r)) : answerJsonLine(r))).join(''));
      await nextTurn();
    }
    count += page.length;
  }
  return count;
}

/**
 * Each page's rows with their raters' attention checks and exclusion flags, read for the page's
 * raters only (a rater's figures are their own), so memory holds a page whatever the batch's
 * size. The flags of the next page are read while this one is formatted.
 */
async function* flaggedPages(sql: SqlRunner, batch: RulesOfBatch, pages: AsyncIterable<AnswerExportRow[]>): AsyncGenerator<FlaggedAnswerExportRow[]> {
  const exclusionRules = describeExclusionRules(exclusionRulesOf(batch));
  const noFlags: RaterExportFlags = { checksAnswered: 0, checksFailed: 0, excludedBy: [], exclusionRules };
  const flagsOf = async (rows: AnswerExportRow[]) => {
    const raters = await reportRaters(sql, [batch], { medians: true, participantIds: [...new Set(rows.map((r) => r.participantId))] });
    return new Map(raters.map((r) => [r.participantId, { checksAnswered: r.checksAnswered, checksFailed: r.checksFailed, excludedBy: r.excludedBy, exclusionRules }]));
  };
  // The flags are set on the page's own rows (nobody else holds them): a copy of every row's 26
  // fields cost as much as formatting it, in time and in garbage (a CPU profile of the export).
  const flagged = (rows: AnswerExportRow[], flags: Map<string, RaterExportFlags>): FlaggedAnswerExportRow[] =>
    rows.map((r) => {
      const f = flags.get(r.participantId) ?? noFlags;
      return Object.assign(r, { checksAnswered: f.checksAnswered, checksFailed: f.checksFailed, excludedBy: f.excludedBy, exclusionRules: f.exclusionRules });
    });
  let previous: { rows: AnswerExportRow[]; flags: Promise<Map<string, RaterExportFlags>> } | null = null;
  for await (const rows of pages) {
    const current = { rows, flags: flagsOf(rows) };
    // Awaited below, a page later; a download cut before then leaves it unawaited: not an error.
    current.flags.catch(() => {});
    if (previous) yield flagged(previous.rows, await previous.flags);
    previous = current;
  }
  if (previous) yield flagged(previous.rows, await previous.flags);
}

/** The pages as they come, telling `onRows` how many rows were read so far (a progress bar). */
async function* counted<T>(pages: AsyncIterable<T[]>, onRows: (read: number) => void): AsyncGenerator<T[]> {
  let read = 0;
  for await (const page of pages) {
    yield page;
    onRows((read += page.length));
  }
}

/**
 * Rows per Parquet row group. In the server's thread a group is encoded in one turn of the event
 * loop: 1,000 take ~20 ms once the code is warm (2,000 took ~70 ms), and the first group is small
 * because cold code runs several times slower. In a worker nothing waits on a turn; what counts
 * there is memory, two ways: the file's index of its groups, held until the footer is written
 * (~46 KB per group: 46 MB for 1,000,000 answers in groups of 1,000), and a group's column pages
 * while it is encoded. The process's RSS growth during a 1,000,000-answer export, by group size:
 * 1,000 rows 168 MB, 2,500 rows 89-99 MB, 5,000 rows 101-103 MB, 10,000 rows 116-137 MB
 * (BENCHMARKS.md, exports).
 */
const PARQUET_ROW_GROUPS: Record<ExportThread, { first: number; rest: number }> = {
  server: { first: 200, rest: 1000 },
  worker: { first: 2500, rest: 2500 },
};

async function writeAnswersParquet(pages: AsyncIterable<FlaggedAnswerExportRow[]>, out: Writable, groups: { first: number; rest: number }): Promise<number> {
  const parquet = openParquetStream(ANSWER_PARQUET_COLUMNS, (bytes) => write(out, bytes));
  let count = 0;
  let groupSize = groups.first;
  for await (const page of pages) {
    for (const row of page) {
      parquet.add(row);
      if (parquet.gathered < groupSize) continue;
      await parquet.writeRowGroup();
      groupSize = groups.rest;
      await nextTurn();
    }
    count += page.length;
  }
  await parquet.finish();
  return count;
}

/** writeTasksExport in this thread. */
export async function writeTasksExportHere(sql: SqlRunner, batchId: string, format: ExportFormat, out: Writable): Promise<number> {
  let count = 0;
  if (format === 'csv') await write(out, csvRecord(TASK_CSV_HEADER));
  for await (const page of streamBatchTasks(sql, batchId)) {
    for (let i = 0; i < page.length; i += ROWS_PER_TURN) {
      const rows = page.slice(i, i + ROWS_PER_TURN);
      await write(out, rows.map((t) => (format === 'csv' ? csvRecord(taskCsvValues(t)) : JSON.stringify(t) + '\n')).join(''));
      await nextTurn();
    }
    count += page.length;
  }
  return count;
}

export async function writeMetricsExport(metrics: BatchMetrics, format: ExportFormat, out: Writable): Promise<void> {
  if (format === 'jsonl') {
    await write(out, JSON.stringify(metrics) + '\n');
    return;
  }
  await write(out, csvRecord(METRICS_CSV_HEADER));
  for (const row of metricsCsvRows(metrics)) await write(out, csvRecord(row));
}

export async function writeChecksExport(prisma: Prisma, batchId: string, format: ExportFormat, out: Writable): Promise<number> {
  // A batch has a few checks per rater: one read is bounded by the batch's size.
  const rows = await listCheckExportRows(prisma, batchId);
  if (format === 'csv') await write(out, csvRecord(CHECK_CSV_HEADER));
  for (const r of rows) await write(out, format === 'csv' ? csvRecord(checkCsvValues(r)) : JSON.stringify(r) + '\n');
  return rows.length;
}
