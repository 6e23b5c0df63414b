// Study batches: creation (tasks generated and frozen), lifecycle and researcher reads.
import { randomBytes } from 'node:crypto';
import { tasksNeeded } from '../core/assignment.js';
import { defaultAttentionChecks } from '../core/attention-checks.js';
import { actionLeadingTo, canChangeStatus } from '../core/batch-lifecycle.js';
import { DEFAULT_MAX_MINUTES, type BatchSettings } from '../core/batch-settings.js';
import type { TaskExportRow } from '../core/export-format.js';
import { OPTION_KINDS } from '../core/option-kinds.js';
import { createRng } from '../core/rng.js';
import { generateTasks, type GeneratedTask, type GenerationReport } from '../core/task-generation.js';
import { writeAuditEvent, type Actor } from './audit.js';
import { bulkInsert } from './bulk-insert.js';
import type { Prisma, Tx } from './connection.js';
import type { SqlRunner } from './sql-runner.js';
import { findDatasetByIdOrName, listAnnotatedDatapoints } from './datasets.js';
import { isUniqueViolation } from './errors.js';
import * as PrismaSql from './sql.js';
import type { Batch, BatchStatus, OptionKind, Prisma as PrismaNamespace } from './generated/client.js';
import { newId } from './ids.js';
import { readAhead } from './read-ahead.js';

export type { Batch, BatchStatus };

export type CreateBatchOutcome =
  | { ok: true; batch: Batch; report: GenerationReport }
  | { ok: false; reason: 'dataset-not-found'; dataset: string }
  | { ok: false; reason: 'name-taken'; name: string }
  | { ok: false; reason: 'too-few-tasks'; made: number; questions: number; report: GenerationReport };

/** Settings with defaults the caller may leave out (the parsed schema always has them). */
type OptionalSettings = 'categoryDraw' | 'maxMinutes' | 'attentionChecks' | 'comprehensionCheck' | 'prolificStudyId' | 'excludeFailedChecks' | 'excludeSpeederSeconds' | 'excludeStraightLinerPercent';
type BatchInput = Omit<BatchSettings, OptionalSettings> & Partial<Pick<BatchSettings, OptionalSettings>>;

/**
 * Generates the batch's tasks from the dataset and freezes them with their options: later changes
 * to the dataset never alter a batch. Generates tasksNeeded(settings) tasks, fewer if the dataset
 * cannot give that many (tasks are then rated more often).
 */
export async function createBatchFromDataset(prisma: Prisma, input: BatchInput, actor: Actor, onStep: (step: number, of: number, what: string) => void = () => {}): Promise<CreateBatchOutcome> {
  const settings = withDefaults(input);
  const dataset = await findDatasetByIdOrName(prisma, settings.dataset);
  if (!dataset) return { ok: false, reason: 'dataset-not-found', dataset: settings.dataset };
  if (await prisma.batch.findUnique({ where: { name: settings.name } })) return { ok: false, reason: 'name-taken', name: settings.name };
  onStep(1, 3, `reading the ${dataset.datapointCount} datapoints of "${dataset.name}"`);
  const datapoints = await listAnnotatedDatapoints(prisma, dataset.id);
  onStep(2, 3, 'generating tasks');
  const limit = tasksNeeded({ raters: settings.raters, questions: settings.questions, ratingsPerTask: settings.ratingsPerTask });
  const { tasks, report } = generateTasks(datapoints, createRng(settings.seed), { limit, categoryDraw: settings.categoryDraw });
  if (tasks.length < settings.questions) return { ok: false, reason: 'too-few-tasks', made: tasks.length, questions: settings.questions, report };
  onStep(3, 3, `freezing ${tasks.length} tasks`);
  try {
    const batch = await prisma.$transaction(
      async (tx) => {
        const created = await tx.batch.create({ data: batchRow(settings, dataset.id, report) });
        await freezeTasks(tx, created.id, tasks);
        await writeAuditEvent(tx, actor, { action: 'batch.create', batchId: created.id, datasetId: dataset.id, details: { name: created.name } });
        return created;
      },
      { timeout: 5 * 60_000, maxWait: 30_000 },
    );
    return { ok: true, batch, report };
  } catch (err) {
    if (isUniqueViolation(err, 'name')) return { ok: false, reason: 'name-taken', name: settings.name };
    throw err;
  }
}

/** The settings a caller left out, filled in as the API's schema would. */
function withDefaults(input: BatchInput): BatchSettings {
  return {
    categoryDraw: 'uniform',
    maxMinutes: DEFAULT_MAX_MINUTES,
    prolificStudyId: null,
    comprehensionCheck: false,
    excludeFailedChecks: 2,
    excludeSpeederSeconds: null,
    excludeStraightLinerPercent: null,
    ...input,
    attentionChecks: input.attentionChecks ?? defaultAttentionChecks(input.questions),
  };
}

function batchRow(settings: BatchSettings, datasetId: string, report: GenerationReport): PrismaNamespace.BatchUncheckedCreateInput {
  return {
    id: newId('b', 10),
    datasetId,
    name: settings.name,
    questionsPerRater: settings.questions,
    targetRaters: settings.raters,
    seed: settings.seed,
    completionCode: settings.completionCode,
    ratingsPerTask: settings.ratingsPerTask,
    preferredSide: settings.preferredSide,
    categoryDraw: settings.categoryDraw,
    maxMinutes: settings.maxMinutes,
    attentionChecks: settings.attentionChecks ?? defaultAttentionChecks(settings.questions),
    prolificStudyId: settings.prolificStudyId,
    comprehensionCheck: settings.comprehensionCheck,
    excludeFailedChecks: settings.excludeFailedChecks,
    excludeSpeederSeconds: settings.excludeSpeederSeconds,
    excludeStraightLinerPercent: settings.excludeStraightLinerPercent,
    previewKey: randomBytes(12).toString('base64url'),
    // Plain data (numbers, strings, arrays, null): Prisma's JSON input type only lacks the index signature.
    generationReport: report as unknown as PrismaNamespace.InputJsonObject,
  };
}

async function freezeTasks(tx: Tx, batchId: string, tasks: readonly GeneratedTask[]): Promise<void> {
  const taskRows = tasks.map((t, position) => ({ ...t, id: newId('t', 12), position }));
  await bulkInsert(tx, 'tasks', [
    { name: 'id', type: 'text', value: (t) => t.id },
    { name: 'batch_id', type: 'text', value: () => batchId },
    { name: 'position', type: 'int4', value: (t) => t.position },
    { name: 'datapoint_id', type: 'text', value: (t) => t.datapointId },
    { name: 'sampled_category', type: 'text', value: (t) => t.sampledCategory },
    { name: 'topic_category', type: 'text', value: (t) => t.topicCategory },
  ], taskRows);
  // Option ids are random: nothing in an id tells a rater which kind of option it is.
  const optionRows = taskRows.flatMap((t) => t.options.map((o) => ({ ...o, id: newId('o', 16), taskId: t.id })));
  await bulkInsert(tx, 'task_options', [
    { name: 'id', type: 'text', value: (o) => o.id },
    { name: 'task_id', type: 'text', value: (o) => o.taskId },
    { name: 'kind', type: 'text', value: (o) => o.kind, select: (v) => `${v}::"OptionKind"` },
    { name: 'text', type: 'text', value: (o) => o.text },
    { name: 'source_datapoint_id', type: 'text', value: (o) => o.sourceDatapointId },
  ], optionRows);
}

export function findBatchById(prisma: Prisma, id: string): Promise<Batch | null> {
  return prisma.batch.findUnique({ where: { id } });
}

/** Accepts an id or a name (CLI convenience). */
export function findBatchByIdOrName(prisma: Prisma, idOrName: string): Promise<Batch | null> {
  return prisma.batch.findFirst({ where: { OR: [{ id: idOrName }, { name: idOrName }] } });
}

export function listBatches(prisma: Prisma): Promise<Batch[]> {
  return prisma.batch.findMany({ orderBy: { createdAt: 'asc' } });
}

/** Batches a Prolific sync looks at: with a study id, and open, paused or closed less than a day ago. */
export function listBatchesToSync(prisma: Prisma, now: Date): Promise<Batch[]> {
  const dayAgo = new Date(now.getTime() - 24 * 3600_000);
  return prisma.batch.findMany({
    where: { prolificStudyId: { not: null }, OR: [{ status: { in: ['open', 'paused'] } }, { status: 'closed', closedAt: { gte: dayAgo } }] },
    orderBy: { createdAt: 'asc' },
  });
}

export type StatusChange = { ok: true; batch: Batch } | { ok: false; reason: 'not-allowed'; from: BatchStatus; to: BatchStatus };

/**
 * Moves the batch along its lifecycle (core/batch-lifecycle.ts) and audits the action; asking for
 * its own status changes (and audits) nothing.
 */
export async function changeBatchStatus(prisma: Prisma, batch: Batch, to: BatchStatus, now: Date, actor: Actor): Promise<StatusChange> {
  if (batch.status === to) return { ok: true, batch };
  if (!canChangeStatus(batch.status, to)) return { ok: false, reason: 'not-allowed', from: batch.status, to };
  const updated = await prisma.$transaction(async (tx) => {
    const changed = await tx.batch.update({
      where: { id: batch.id },
      data: { status: to, ...(to === 'open' ? { openedAt: batch.openedAt ?? now } : to === 'closed' ? { closedAt: now } : {}) },
    });
    await writeAuditEvent(tx, actor, { action: `batch.${actionLeadingTo(to)}`, batchId: batch.id });
    return changed;
  });
  return { ok: true, batch: updated };
}

/** A frozen task as researchers read and export it. */
export type FrozenTask = TaskExportRow;

/** The frozen tasks with their options (kind order), for researchers. */
export async function listBatchTasks(prisma: Prisma, batchId: string): Promise<FrozenTask[]> {
  const rows = await prisma.task.findMany({
    where: { batchId },
    orderBy: { position: 'asc' },
    include: { options: true, datapoint: { select: { sourceId: true } }, batch: { select: { categoryDraw: true } } },
  });
  const kindOrder: readonly string[] = OPTION_KINDS;
  return rows.map((t) => ({
    id: t.id,
    categoryDraw: t.batch.categoryDraw,
    position: t.position,
    datapointId: t.datapointId,
    sourceId: t.datapoint.sourceId,
    sampledCategory: t.sampledCategory,
    topicCategory: t.topicCategory,
    options: t.options
      .sort((a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind))
      .map((o) => ({ id: o.id, kind: o.kind, text: o.text, sourceDatapointId: o.sourceDatapointId })),
  }));
}

/** Tasks per page of the tasks export. */
const TASKS_PER_PAGE = 2000;

/**
 * The frozen tasks page by page in position order (keyset on the position index), options in kind
 * order: every page costs the same and memory stays flat however large the batch.
 */
export async function* streamBatchTasks(sql: SqlRunner, batchId: string): AsyncGenerator<FrozenTask[]> {
  const kinds = [...OPTION_KINDS];
  const readPage = async (after: number) => {
    const rows = await sql.rows<{ id: string; position: number; datapoint_id: string; source_id: string; sampled_category: string; topic_category: string; category_draw: string; options: FrozenTask['options'] }>(PrismaSql.sql`
      SELECT t.id, t.position, t.datapoint_id, d.source_id, t.sampled_category, t.topic_category, b.category_draw::text AS category_draw,
             (SELECT json_agg(json_build_object('id', o.id, 'kind', o.kind, 'text', o.text, 'sourceDatapointId', o.source_datapoint_id)
                              ORDER BY array_position(${kinds}::text[], o.kind::text))
              FROM task_options o WHERE o.task_id = t.id) AS options
      FROM tasks t JOIN datapoints d ON d.id = t.datapoint_id JOIN batches b ON b.id = t.batch_id
      WHERE t.batch_id = ${batchId} AND t.position > ${after}
      ORDER BY t.position LIMIT ${TASKS_PER_PAGE}`);
    const last = rows.at(-1);
    return last ? { rows, last: last.position } : null;
  };
  for await (const { rows } of readAhead(readPage(-1), (page) => readPage(page.last))) {
    yield rows.map((t) => ({ id: t.id, position: t.position, datapointId: t.datapoint_id, sourceId: t.source_id, sampledCategory: t.sampled_category, topicCategory: t.topic_category, options: t.options, categoryDraw: t.category_draw }));
  }
}

export interface BatchProgress {
  tasks: number;
  participants: Record<'entered' | 'consenting' | 'declined' | 'active' | 'completed' | 'returned' | 'timed_out' | 'rejected' | 'failed_comprehension', number>;
  answers: number;
  /** Answers per task: min and max over all tasks of the batch. */
  ratingsPerTask: { min: number; max: number };
  /** [answers, number of tasks with that many answers], ascending. */
  ratingsHistogram: [number, number][];
}

export async function getBatchProgress(prisma: Prisma, batchId: string): Promise<BatchProgress> {
  // The study's raters: LLM evaluators' runs (their own progress) are left out.
  const raters = { batchId, llmRun: null };
  const [tasks, byStatus, answers, perTask] = await Promise.all([
    prisma.task.count({ where: { batchId } }),
    prisma.participant.groupBy({ by: ['status'], where: raters, _count: { _all: true } }),
    prisma.answer.count({ where: { participant: raters } }),
    prisma.task.findMany({ where: { batchId }, select: { _count: { select: { answers: { where: { participant: { llmRun: null } } } } } } }),
  ]);
  const participants = { entered: 0, consenting: 0, declined: 0, active: 0, completed: 0, returned: 0, timed_out: 0, rejected: 0, failed_comprehension: 0 };
  for (const row of byStatus) {
    participants[row.status] = row._count._all;
    participants.entered += row._count._all;
  }
  const counts = perTask.map((t) => t._count.answers);
  const histogram = new Map<number, number>();
  for (const c of counts) histogram.set(c, (histogram.get(c) ?? 0) + 1);
  return {
    tasks,
    participants,
    answers,
    ratingsPerTask: { min: counts.length ? Math.min(...counts) : 0, max: counts.length ? Math.max(...counts) : 0 },
    ratingsHistogram: [...histogram.entries()].sort((a, b) => a[0] - b[0]),
  };
}

/** The batch's task at `position` (0-based, clamped to the last) with its options, and how many tasks the batch has. */
export async function findTaskAtPosition(
  prisma: Prisma,
  batchId: string,
  position: number,
): Promise<{ total: number; task: { taskId: string; position: number; options: { id: string; kind: string }[] } } | null> {
  const total = await prisma.task.count({ where: { batchId } });
  if (total === 0) return null;
  const task = await prisma.task.findUnique({
    where: { batchId_position: { batchId, position: Math.min(position, total - 1) } },
    select: { id: true, position: true, options: { select: { id: true, kind: true } } },
  });
  return task ? { total, task: { taskId: task.id, position: task.position, options: task.options } } : null;
}

/** Every option of the batch's tasks with its kind (researchers and simulations only: never sent to raters). */
export async function listOptionKinds(prisma: Prisma, batchId: string): Promise<Map<string, OptionKind>> {
  const rows = await prisma.taskOption.findMany({ where: { task: { batchId } }, select: { id: true, kind: true } });
  return new Map(rows.map((o) => [o.id, o.kind]));
}
