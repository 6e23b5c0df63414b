// Streams exports to any writable (an HTTP response, a file, stdout), respecting backpressure, so
// memory stays flat whatever the batch size. One home for the API, the console and the CLI.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import {
  ANSWER_CSV_HEADER,
  answerCsvValues,
  answerJsonLine,
  csvRecord,
  METRICS_CSV_HEADER,
  metricsCsvRows,
  TASK_CSV_HEADER,
  taskCsvValues,
} from '../core/export-format.js';
import type { SlicedMetrics } from '../core/metric-slices.js';
import { streamAnswerExportRows } from '../db/answers.js';
import { listBatchTasks } from '../db/batches.js';
import type { Prisma } from '../db/connection.js';

export type ExportFormat = 'csv' | 'jsonl';

export const EXPORT_CONTENT_TYPE: Record<ExportFormat, string> = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson; charset=utf-8' };

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

export async function writeAnswersExport(prisma: Prisma, batchId: string, format: ExportFormat, out: Writable): Promise<number> {
  let count = 0;
  if (format === 'csv') await write(out, csvRecord(ANSWER_CSV_HEADER));
  for await (const page of streamAnswerExportRows(prisma, batchId)) {
    const chunk = page.map((r) => (format === 'csv' ? csvRecord(answerCsvValues(r)) : answerJsonLine(r))).join('');
    await write(out, chunk);
    count += page.length;
  }
  return count;
}

export async function writeTasksExport(prisma: Prisma, batchId: string, format: ExportFormat, out: Writable): Promise<number> {
  const tasks = await listBatchTasks(prisma, batchId);
  if (format === 'csv') await write(out, csvRecord(TASK_CSV_HEADER));
  for (const t of tasks) await write(out, format === 'csv' ? csvRecord(taskCsvValues(t)) : JSON.stringify(t) + '\n');
  return tasks.length;
}

export async function writeMetricsExport(metrics: SlicedMetrics, format: ExportFormat, out: Writable): Promise<void> {
  if (format === 'jsonl') {
    await write(out, JSON.stringify(metrics) + '\n');
    return;
  }
  await write(out, csvRecord(METRICS_CSV_HEADER));
  for (const row of metricsCsvRows(metrics)) await write(out, csvRecord(row));
}
