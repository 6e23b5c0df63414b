// Datasets and their datapoints: bulk import and the reads that core modules need.
import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { textPieces } from '../core/text-pieces.js';
import { validDatapointSteps, type DatapointInput, type LineError, type LineProblems } from '../core/dataset-format.js';
import type { AnnotatedDatapoint } from '../core/task-pools.js';
import type { Prisma } from './connection.js';
import * as PrismaSql from './sql.js';
import { insertAuditEvents, type Actor } from './audit.js';
import { copyTextRow } from './copy-text.js';
import { isUniqueViolation } from './errors.js';
import { newId } from './ids.js';
import { SLICE_MS } from '../run-in-slices.js';
import type { SqlRunner, SqlStatements } from './sql-runner.js';

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

/**
 * Validates a JSON Lines text and imports it; invalid input writes nothing. Lines are validated in
 * slices of a few milliseconds (a large file never holds up the raters' pages). On PostgreSQL the
 * valid ones are stored while the next are checked, in one transaction rolled back at the first
 * problem; the embedded database, whose transaction would hold every other query meanwhile, gets
 * them once the whole file is checked. `onProgress(done, total)` counts lines (blank ones
 * included) as their datapoints are handed to the database.
 */
export async function importDatasetText(
  sql: SqlRunner,
  input: { name: string; text: string },
  actor: Actor,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<ImportTextOutcome> {
  const contentHash = await hashText(input.text);
  // Same bytes or name as an earlier import: say so before spending time on validation.
  const existing = await datasetWith(sql, 'content_hash', contentHash);
  if (existing) return { status: 'duplicate-content', dataset: existing };
  if (await datasetWith(sql, 'name', input.name)) return { status: 'name-taken', name: input.name };
  const datasetId = newId('ds', 10);
  const pieces = new CopyPieces(datasetId, input.text, onProgress);
  try {
    const rows = sql.connectionString ? pieces.stream() : await pieces.all();
    const dataset = await sql.transaction(async (tx) => {
      const now = new Date();
      await tx.rows(PrismaSql.sql`
        INSERT INTO datasets (id, name, content_hash, datapoint_count, created_at)
        VALUES (${datasetId}, ${input.name}, ${contentHash}, 0, ${now})`);
      await tx.copyFrom('datapoints', DATAPOINT_COPY_COLUMNS, rows);
      const count = pieces.count;
      await insertAuditEvents(tx, actor, [{ action: 'dataset.import', batchId: null, datasetId, details: { name: input.name, datapoints: count } }], now);
      const [created] = await tx.rows<DatasetRow>(PrismaSql.sql`
        UPDATE datasets SET datapoint_count = ${count} WHERE id = ${datasetId} RETURNING ${DATASET_COLUMNS}`);
      return created!;
    });
    return { status: 'created', dataset };
  } catch (err) {
    if (err instanceof InvalidDataset) return { status: 'invalid', errors: err.problems.errors, errorCount: err.problems.errorCount };
    // A concurrent import of the same file or name won the race: report it as the plain case.
    if (isUniqueViolation(err, 'content_hash')) {
      const winner = await datasetWith(sql, 'content_hash', contentHash);
      if (winner) return { status: 'duplicate-content', dataset: winner };
    }
    if (isUniqueViolation(err, 'name')) return { status: 'name-taken', name: input.name };
    throw err;
  }
}

/** Thrown (inside the import's transaction, rolling it back) when a line is invalid. */
class InvalidDataset extends Error {
  constructor(readonly problems: LineProblems) {
    super('invalid dataset');
  }
}

/** Datapoints per piece of COPY data: a few milliseconds of encoding, and the progress bar's steps. */
const DATAPOINTS_PER_PIECE = 1000;

/** Characters of text per piece at most (besides DATAPOINTS_PER_PIECE): long texts make few per piece. */
const CHARACTERS_PER_PIECE = 4_000_000;

/**
 * A file's valid datapoints as pieces of COPY data, validated and encoded in slices: a piece
 * holds DATAPOINTS_PER_PIECE datapoints or CHARACTERS_PER_PIECE characters of text, whichever
 * comes first. After the first problem nothing more is encoded; the rest is still checked, so that
 * the problems are counted, and then InvalidDataset is thrown.
 */
class CopyPieces {
  /** Datapoints in the pieces handed out so far. */
  count = 0;
  private readonly lines: number;
  private readonly nextId = sequentialIds('dp');

  constructor(
    private readonly datasetId: string,
    private readonly text: string,
    private readonly onProgress: (done: number, total: number) => void,
  ) {
    this.lines = lineCount(text);
  }

  /** Every piece, once the whole file is checked. */
  async all(): Promise<string[]> {
    const pieces: string[] = [];
    for await (const piece of this.stream()) pieces.push(piece);
    return pieces;
  }

  async *stream(): AsyncGenerator<string> {
    let waiting: DatapointInput[] = [];
    let characters = 0;
    const steps = validDatapointSteps(this.text);
    let deadline = performance.now() + SLICE_MS;
    for (;;) {
      const step = steps.next();
      const found = step.done ? step.value.last : step.value;
      if (step.done && step.value.errorCount > 0) throw new InvalidDataset(step.value);
      for (const d of found) {
        waiting.push(d);
        characters += d.prompt.length + d.responseA.length + d.responseB.length;
        if (waiting.length >= DATAPOINTS_PER_PIECE || characters >= CHARACTERS_PER_PIECE) {
          yield this.piece(waiting);
          waiting = [];
          characters = 0;
        }
      }
      if (step.done) {
        if (waiting.length > 0) yield this.piece(waiting);
        this.onProgress(this.lines, this.lines);
        return;
      }
      if (performance.now() >= deadline) {
        await nextTurn();
        deadline = performance.now() + SLICE_MS;
      }
    }
  }

  /** Datapoints in COPY text format, their annotations as a JSON column. */
  private piece(datapoints: readonly DatapointInput[]): string {
    let rows = '';
    for (const d of datapoints) {
      rows += copyTextRow([
        this.nextId(), this.datasetId, d.lineNumber, d.sourceId, d.source, d.prompt, d.responseA, d.responseB,
        d.modelA, d.modelB, d.winner, d.topicCategory, d.topic, d.truncated, JSON.stringify(d.preferences),
      ]);
    }
    this.count += datapoints.length;
    this.onProgress(datapoints.at(-1)!.lineNumber, this.lines);
    return rows;
  }
}

/** Physical lines of the text (a cheap scan, for the progress bar's total). */
function lineCount(text: string): number {
  let lines = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < text.length - 1; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
}

/**
 * Ids for the rows of one import: a random stem of its own, then a counter. Rows loaded in order
 * then go to the end of their indexes instead of random places (cheaper for PostgreSQL); the ids
 * are still unique and say nothing about what they identify.
 */
function sequentialIds(prefix: string): () => string {
  const stem = newId(prefix, 8);
  let next = 0;
  return () => `${stem}${(next++).toString(32).padStart(6, '0')}`;
}

/** Datapoints per read of listAnnotatedDatapoints. */
const DATAPOINTS_PER_READ = 1000;

/** Characters hashed between two turns of the event loop (~10 ms of SHA-256). */
const HASH_SLICE = 4_000_000;

/** The SHA-256 of the text's UTF-8 bytes, hashed a slice at a time (never cutting a surrogate pair). */
export async function hashText(text: string): Promise<string> {
  const hash = createHash('sha256');
  for (const [i, piece] of textPieces(text, HASH_SLICE).entries()) {
    if (i > 0) await nextTurn();
    hash.update(piece);
  }
  return hash.digest('hex');
}

/** Accepts an id or a name, so the CLI can say `summary arena-sample`. */
export function findDatasetByIdOrName(prisma: Prisma, idOrName: string): Promise<DatasetRow | null> {
  return prisma.dataset.findFirst({ where: { OR: [{ id: idOrName }, { name: idOrName }] } });
}

export function listDatasets(prisma: Prisma): Promise<DatasetRow[]> {
  return prisma.dataset.findMany({ orderBy: { createdAt: 'asc' } });
}

const DATASET_COLUMNS = PrismaSql.sql`id, name, content_hash AS "contentHash", datapoint_count AS "datapointCount", created_at AS "createdAt"`;

async function datasetWith(sql: SqlStatements, column: 'content_hash' | 'name', value: string): Promise<DatasetRow | null> {
  const where = column === 'name' ? PrismaSql.sql`name = ${value}` : PrismaSql.sql`content_hash = ${value}`;
  const [row] = await sql.rows<DatasetRow>(PrismaSql.sql`SELECT ${DATASET_COLUMNS} FROM datasets WHERE ${where}`);
  return row ?? null;
}

const DATAPOINT_COPY_COLUMNS = [
  'id', 'dataset_id', 'line_number', 'source_id', 'source', 'prompt', 'response_a', 'response_b',
  'model_a', 'model_b', 'winner', 'topic_category', 'topic', 'truncated', 'preferences',
] as const;

/** Datapoints in file order with their annotations, in the shape task generation and summaries take. */
export async function listAnnotatedDatapoints(
  prisma: Prisma,
  datasetId: string,
): Promise<(AnnotatedDatapoint & { sourceId: string })[]> {
  // A page of datapoints at a time by line (keyset; a query naming every datapoint id fails past
  // 32,766 datapoints, P2029): decoding one page is a short task, so a large dataset never holds up
  // the raters.
  const out: (AnnotatedDatapoint & { sourceId: string })[] = [];
  for (let after = -1; ; ) {
    const rows = await prisma.$queryRaw<{ id: string; line_number: number; source_id: string; topic_category: string; preferences: { category: string; granular: string[] }[] }[]>`
      SELECT d.id, d.line_number, d.source_id, d.topic_category, d.preferences
      FROM datapoints d WHERE d.dataset_id = ${datasetId} AND d.line_number > ${after}
      ORDER BY d.line_number LIMIT ${DATAPOINTS_PER_READ}`;
    for (const r of rows) out.push({ id: r.id, sourceId: r.source_id, topicCategory: r.topic_category, preferences: r.preferences });
    const last = rows.at(-1);
    if (!last || rows.length < DATAPOINTS_PER_READ) return out;
    after = last.line_number;
  }
}
