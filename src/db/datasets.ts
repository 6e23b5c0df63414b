// Datasets and their datapoints: bulk import and the reads that core modules need.
import { createHash } from 'node:crypto';
import { parseDatasetJsonl, type DatapointInput, type LineError } from '../core/dataset-format.js';
import type { AnnotatedDatapoint } from '../core/task-pools.js';
import type { Prisma } from './connection.js';
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

export type ImportTextOutcome = ImportOutcome | { status: 'invalid'; errors: LineError[] };

/** Validates a JSON Lines text and imports it; invalid input writes nothing. */
export async function importDatasetText(
  prisma: Prisma,
  input: { name: string; text: string },
  onProgress?: (done: number, total: number) => void,
): Promise<ImportTextOutcome> {
  const contentHash = createHash('sha256').update(input.text).digest('hex');
  // Same bytes as an earlier import: say so before spending time on validation.
  const existing = await findDatasetByContentHash(prisma, contentHash);
  if (existing) return { status: 'duplicate-content', dataset: existing };
  const parsed = parseDatasetJsonl(input.text);
  if (!parsed.ok) return { status: 'invalid', errors: parsed.errors };
  return importDatapoints(prisma, { name: input.name, contentHash, datapoints: parsed.datapoints }, onProgress);
}

/** Rows per INSERT: keeps each statement well under PostgreSQL's 65,535 bind parameters. */
const DATAPOINT_CHUNK = 2000;
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
 * Writes a dataset and all its datapoints in one transaction: either everything lands or nothing.
 * `onProgress(done, total)` is called after each chunk of datapoints.
 */
export async function importDatapoints(
  prisma: Prisma,
  input: { name: string; contentHash: string; datapoints: readonly DatapointInput[] },
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
          const chunk = input.datapoints.slice(start, start + DATAPOINT_CHUNK);
          const ids = chunk.map(() => newId('dp', 12));
          await tx.datapoint.createMany({
            data: chunk.map((d, i) => ({
              id: ids[i] as string,
              datasetId,
              lineNumber: d.lineNumber,
              sourceId: d.sourceId,
              source: d.source,
              prompt: d.prompt,
              responseA: d.responseA,
              responseB: d.responseB,
              modelA: d.modelA,
              modelB: d.modelB,
              winner: d.winner,
              topicCategory: d.topicCategory,
              topic: d.topic,
              truncated: d.truncated,
            })),
          });
          const annotations = chunk.flatMap((d, i) =>
            d.preferences.map((p, position) => ({
              id: newId('pa', 12),
              datapointId: ids[i] as string,
              position,
              category: p.category,
              granular: p.granular,
            })),
          );
          for (let a = 0; a < annotations.length; a += ANNOTATION_CHUNK) {
            await tx.preferenceAnnotation.createMany({ data: annotations.slice(a, a + ANNOTATION_CHUNK) });
          }
          onProgress(Math.min(start + DATAPOINT_CHUNK, total), total);
        }
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

/** Datapoints in file order with their annotations, in the shape task generation and summaries take. */
export async function listAnnotatedDatapoints(
  prisma: Prisma,
  datasetId: string,
): Promise<(AnnotatedDatapoint & { sourceId: string })[]> {
  const rows = await prisma.datapoint.findMany({
    where: { datasetId },
    orderBy: { lineNumber: 'asc' },
    select: {
      id: true,
      sourceId: true,
      topicCategory: true,
      annotations: { orderBy: { position: 'asc' }, select: { category: true, granular: true } },
    },
  });
  return rows.map((r) => ({ id: r.id, sourceId: r.sourceId, topicCategory: r.topicCategory, preferences: r.annotations }));
}
