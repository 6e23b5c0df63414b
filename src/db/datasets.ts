// Datasets and their datapoints: bulk import and the reads that core modules need.
import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parseDatasetSteps, type DatapointInput, type LineError } from '../core/dataset-format.js';
import { runInSlices } from '../run-in-slices.js';
import type { AnnotatedDatapoint } from '../core/task-pools.js';
import type { Prisma } from './connection.js';
import { Prisma as PrismaSql } from './generated/client.js';
import { writeAuditEvent, type Actor } from './audit.js';
import { bulkInsert, jsonTextArray, type BulkColumn } from './bulk-insert.js';
import { isUniqueViolation } from './errors.js';
import { newId } from './ids.js';

export interface DatasetRow {
  id: string;
  name: string;
  contentHash: string;
  datapointCount: number;
  createdAt: Date;
}

export type ImportOutcome =
  | { status: 'created'; dataset: DatasetRow }
  | { status: 'duplicate-content'; dataset: DatasetRow }
  | { status: 'name-taken'; name: string };

/** Invalid: the first problems (core's MAX_LINE_ERRORS) and how many there are in all. */
export type ImportTextOutcome = ImportOutcome | { status: 'invalid'; errors: LineError[]; errorCount: number };

/** Validates a JSON Lines text and imports it; invalid input writes nothing. */
export async function importDatasetText(
  prisma: Prisma,
  input: { name: string; text: string },
  actor: Actor,
  onProgress?: (done: number, total: number) => void,
): Promise<ImportTextOutcome> {
  const contentHash = await hashText(input.text);
  // Same bytes as an earlier import: say so before spending time on validation.
  const existing = await findDatasetByContentHash(prisma, contentHash);
  if (existing) return { status: 'duplicate-content', dataset: existing };
  // Validated in slices of a few milliseconds: a large file never holds up the raters' pages.
  const parsed = await runInSlices(parseDatasetSteps(input.text));
  if (!parsed.ok) return { status: 'invalid', errors: parsed.errors, errorCount: parsed.errorCount };
  return importDatapoints(prisma, { name: input.name, contentHash, datapoints: parsed.datapoints }, actor, onProgress);
}

/** Datapoints per read of listAnnotatedDatapoints. */
const DATAPOINTS_PER_READ = 1000;

/** Characters hashed between two turns of the event loop (~10 ms of SHA-256). */
const HASH_SLICE = 4_000_000;

/** The SHA-256 of the text's UTF-8 bytes, hashed a slice at a time (never cutting a surrogate pair). */
export async function hashText(text: string): Promise<string> {
  const hash = createHash('sha256');
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + HASH_SLICE, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end++;
    hash.update(text.slice(start, end));
    start = end;
    if (start < text.length) await nextTurn();
  }
  return hash.digest('hex');
}

/** Rows per INSERT: bounds statement size and gives the progress bar steps. */
const DATAPOINT_CHUNK = 1000;
const ANNOTATION_CHUNK = 5000;

export function findDatasetByContentHash(prisma: Prisma, contentHash: string): Promise<DatasetRow | null> {
  return prisma.dataset.findUnique({ where: { contentHash } });
}

/** Accepts an id or a name, so the CLI can say `summary arena-sample`. */
export function findDatasetByIdOrName(prisma: Prisma, idOrName: string): Promise<DatasetRow | null> {
  return prisma.dataset.findFirst({ where: { OR: [{ id: idOrName }, { name: idOrName }] } });
}

export function listDatasets(prisma: Prisma): Promise<DatasetRow[]> {
  return prisma.dataset.findMany({ orderBy: { createdAt: 'asc' } });
}

/**
 * Writes a dataset, all its datapoints and its audit row in one transaction: either everything
 * lands or nothing. `onProgress(done, total)` is called after each chunk of datapoints.
 */
export async function importDatapoints(
  prisma: Prisma,
  input: { name: string; contentHash: string; datapoints: readonly DatapointInput[] },
  actor: Actor,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<ImportOutcome> {
  const existing = await findDatasetByContentHash(prisma, input.contentHash);
  if (existing) return { status: 'duplicate-content', dataset: existing };
  if (await prisma.dataset.findUnique({ where: { name: input.name } })) return { status: 'name-taken', name: input.name };
  const datasetId = newId('ds', 10);
  const total = input.datapoints.length;
  try {
    const dataset = await prisma.$transaction(
      async (tx) => {
        const created = await tx.dataset.create({
          data: { id: datasetId, name: input.name, contentHash: input.contentHash, datapointCount: total },
        });
        for (let start = 0; start < total; start += DATAPOINT_CHUNK) {
          const chunk = input.datapoints.slice(start, start + DATAPOINT_CHUNK).map((d) => ({ ...d, id: newId('dp', 12) }));
          await bulkInsert(tx, 'datapoints', datapointColumns(datasetId), chunk);
          const annotations = chunk.flatMap((d) =>
            d.preferences.map((p, position) => ({ id: newId('pa', 12), datapointId: d.id, position, ...p })),
          );
          for (let a = 0; a < annotations.length; a += ANNOTATION_CHUNK) {
            await bulkInsert(tx, 'preference_annotations', ANNOTATION_COLUMNS, annotations.slice(a, a + ANNOTATION_CHUNK));
          }
          onProgress(Math.min(start + DATAPOINT_CHUNK, total), total);
        }
        await writeAuditEvent(tx, actor, { action: 'dataset.import', datasetId, details: { name: input.name, datapoints: total } });
        return created;
      },
      { timeout: 10 * 60_000, maxWait: 30_000 },
    );
    return { status: 'created', dataset };
  } catch (err) {
    // A concurrent import of the same file or name won the race: report it as the plain case.
    if (isUniqueViolation(err, 'content_hash') || isUniqueViolation(err, 'contentHash')) {
      const winner = await findDatasetByContentHash(prisma, input.contentHash);
      if (winner) return { status: 'duplicate-content', dataset: winner };
    }
    if (isUniqueViolation(err, 'name')) return { status: 'name-taken', name: input.name };
    throw err;
  }
}

function datapointColumns(datasetId: string): BulkColumn<DatapointInput & { id: string }>[] {
  return [
    { name: 'id', type: 'text', value: (d) => d.id },
    { name: 'dataset_id', type: 'text', value: () => datasetId },
    { name: 'line_number', type: 'int4', value: (d) => d.lineNumber },
    { name: 'source_id', type: 'text', value: (d) => d.sourceId },
    { name: 'source', type: 'text', value: (d) => d.source },
    { name: 'prompt', type: 'text', value: (d) => d.prompt },
    { name: 'response_a', type: 'text', value: (d) => d.responseA },
    { name: 'response_b', type: 'text', value: (d) => d.responseB },
    { name: 'model_a', type: 'text', value: (d) => d.modelA },
    { name: 'model_b', type: 'text', value: (d) => d.modelB },
    { name: 'winner', type: 'text', value: (d) => d.winner, select: (v) => `${v}::"Winner"` },
    { name: 'topic_category', type: 'text', value: (d) => d.topicCategory },
    { name: 'topic', type: 'text', value: (d) => d.topic },
    { name: 'truncated', type: 'bool', value: (d) => d.truncated },
  ];
}

const ANNOTATION_COLUMNS: BulkColumn<{ id: string; datapointId: string; position: number; category: string; granular: string[] }>[] = [
  { name: 'id', type: 'text', value: (a) => a.id },
  { name: 'datapoint_id', type: 'text', value: (a) => a.datapointId },
  { name: 'position', type: 'int4', value: (a) => a.position },
  { name: 'category', type: 'text', value: (a) => a.category },
  { name: 'granular', type: 'text', value: (a) => JSON.stringify(a.granular), select: jsonTextArray },
];

/** Datapoints in file order with their annotations, in the shape task generation and summaries take. */
export async function listAnnotatedDatapoints(
  prisma: Prisma,
  datasetId: string,
): Promise<(AnnotatedDatapoint & { sourceId: string })[]> {
  // Annotations aggregated in PostgreSQL (a nested Prisma include would pass every datapoint id as a
  // parameter, which fails past 32,766 datapoints: P2029), a page of datapoints at a time by line
  // (keyset): decoding one page is a short task, so a large dataset never holds up the raters.
  const out: (AnnotatedDatapoint & { sourceId: string })[] = [];
  for (let after = -1; ; ) {
    const rows = await prisma.$queryRaw<{ id: string; line_number: number; source_id: string; topic_category: string; preferences: { category: string; granular: string[] }[] }[]>(PrismaSql.sql`
      SELECT d.id, d.line_number, d.source_id, d.topic_category,
             coalesce((SELECT json_agg(json_build_object('category', a.category, 'granular', a.granular) ORDER BY a.position)
                       FROM preference_annotations a WHERE a.datapoint_id = d.id), '[]'::json) AS preferences
      FROM datapoints d WHERE d.dataset_id = ${datasetId} AND d.line_number > ${after}
      ORDER BY d.line_number LIMIT ${DATAPOINTS_PER_READ}`);
    for (const r of rows) out.push({ id: r.id, sourceId: r.source_id, topicCategory: r.topic_category, preferences: r.preferences });
    const last = rows.at(-1);
    if (!last || rows.length < DATAPOINTS_PER_READ) return out;
    after = last.line_number;
  }
}
