// Answers as researchers read them: for metrics (per-rater totals aggregated in SQL) and for exports
// (everything, streamed).
import type { AnswerExportRow } from '../core/export-format.js';
import { groupSliceNames, type SliceClasses, type SliceableTotals } from '../core/metric-slices.js';
import type { RaterClass } from '../core/metrics.js';
import type { OptionKind } from '../core/option-kinds.js';
import { Prisma as PrismaSql } from './generated/client.js';
import type { SqlRunner, SqlStatements } from './sql-runner.js';
import { kindHitCounts, kindHitsOf, PACKED_KIND_LIMIT, packedKindCounts, unpackKindHits, type KindHitColumns, type PackedKindColumns } from './kind-bits.js';
import { readAhead } from './read-ahead.js';

export interface AnswerFilter {
  batchIds: readonly string[];
  /** Count answers of raters who have not finished too (default: completed sessions only). */
  includePartial: boolean;
}

interface TotalsRow extends KindHitColumns {
  participant_id: string;
  /** The task, for an LLM evaluator's answers (clustered by task); null for a rater's. */
  task_id: string | null;
  evaluator: string;
  batch_id: string;
  answers: number;
}

/**
 * Per-rater totals aggregated in PostgreSQL from each answer's kind bits: answers and, per option
 * kind (OPTION_KINDS order), answers that selected it, one row per participant. What the
 * bootstrap needs, without loading every answer. An LLM
 * evaluator's answers are clustered by task instead (DECISIONS: a model is one participant per
 * repeat, so its tasks are what varies). The answers are grouped before the participants are
 * joined (50,000 rows, not 1,000,000: ~2.5 × faster).
 */
export async function listRaterKindTotals(sql: SqlStatements, filter: AnswerFilter): Promise<SliceableTotals[]> {
  const finished = filter.includePartial ? PrismaSql.sql`true` : PrismaSql.sql`completed_at IS NOT NULL`;
  const rows = await sql.rows<TotalsRow>(PrismaSql.sql`
      SELECT x.*, p.evaluator, p.batch_id
      FROM (SELECT a.participant_id, CASE WHEN a.participant_id IN (SELECT participant_id FROM llm_runs) THEN a.task_id END AS task_id,
                   count(*)::int AS answers, ${kindHitCounts}
            FROM answers a
            WHERE a.participant_id IN (SELECT id FROM participants WHERE batch_id = ANY(${[...filter.batchIds]}::text[]) AND ${finished})
            GROUP BY 1, 2) x
      JOIN participants p ON p.id = x.participant_id
      -- In rater id order (bytes; for PrefBasis's ASCII ids the order JavaScript compares in): core's
      -- merge then has nothing to do (it merges whatever is out of order or repeated).
      ORDER BY (CASE WHEN x.task_id IS NULL THEN x.participant_id ELSE 'task:' || x.task_id END) COLLATE "C"`);
  // The evaluator and batch repeat on every row (50,000 rows at 1,000,000 answers): one string
  // each is kept, not one per row.
  const once = keptOnce();
  return rows.map((r) => ({
    raterId: r.task_id === null ? r.participant_id : `task:${r.task_id}`,
    unit: r.task_id === null ? ('rater' as const) : ('task' as const),
    evaluator: once(r.evaluator),
    batchId: once(r.batch_id),
    // Topic and category slices are counted in SQL (listSliceClasses).
    topicCategory: '',
    sampledCategory: '',
    answers: r.answers,
    hits: kindHitsOf(r),
  }));
}

const sliceColumn = { topic: PrismaSql.sql`topic_category`, category: PrismaSql.sql`sampled_category` };

/** The topic or category names of these batches' tasks, every spelling (listSliceClasses groups them). */
export async function listSliceNames(sql: SqlStatements, batchIds: readonly string[], by: 'topic' | 'category'): Promise<string[]> {
  const rows = await sql.rows<{ name: string }>(PrismaSql.sql`SELECT DISTINCT ${sliceColumn[by]} AS name FROM tasks WHERE batch_id = ANY(${[...batchIds]}::text[])`);
  return rows.map((r) => r.name);
}

interface ClassRow extends Partial<KindHitColumns>, Partial<PackedKindColumns> {
  grp: number;
  is_task: boolean;
  answers: number;
  size: number;
}

/**
 * Each topic or category slice's classes of equal per-rater totals, counted in PostgreSQL: the
 * bootstrap needs no more (core classMetricsSteps), and at 1,000,000 answers a few thousand rows
 * come back instead of 474,000 per-rater rows (1.3 s to decode, 0.7 s to merge per rater, and
 * most of the memory). Names are grouped as core groups them (groupSliceNames) before the
 * per-rater totals are summed, so a rater's answers under two spellings of one topic count once.
 * `excluded` raters' answers are left out (an LLM evaluator's never: it is clustered by task).
 * `names` are listSliceNames'. The first statement is sent before this function first awaits, so a
 * caller can compute meanwhile. Slices in no particular order; both units, as listRaterKindTotals
 * gives them.
 */
export async function listSliceClasses(
  sql: SqlStatements,
  filter: AnswerFilter & { by: 'topic' | 'category'; excluded: readonly string[]; names: readonly string[] },
): Promise<SliceClasses[]> {
  const column = sliceColumn[filter.by];
  const batchIds = [...filter.batchIds];
  const names = [...filter.names];
  const { groups, groupOfName } = groupSliceNames(names);
  const finished = filter.includePartial ? PrismaSql.sql`true` : PrismaSql.sql`completed_at IS NOT NULL`;
  const classRows = (counts: PrismaSql.Sql, countColumns: PrismaSql.Sql) =>
    sql.rows<ClassRow>(PrismaSql.sql`
      SELECT x.grp, x.is_task, x.answers, ${countColumns}, count(*)::int AS size
      FROM (SELECT CASE WHEN l.participant_id IS NULL THEN a.participant_id ELSE a.task_id END AS cluster,
                   l.participant_id IS NOT NULL AS is_task, g.grp, count(*)::int AS answers, ${counts}
            FROM answers a JOIN tasks t ON t.id = a.task_id
            JOIN unnest(${names}::text[], ${groupOfName}::int[]) AS g(name, grp) ON g.name = t.${column}
            LEFT JOIN llm_runs l ON l.participant_id = a.participant_id
            WHERE a.participant_id IN (
              SELECT id FROM participants WHERE batch_id = ANY(${batchIds}::text[]) AND ${finished}
                AND (id NOT IN (SELECT unnest(${[...filter.excluded]}::text[])) OR id IN (SELECT participant_id FROM llm_runs)))
            GROUP BY 1, 2, 3) x
      GROUP BY x.grp, x.is_task, x.answers, ${countColumns}`);
  let rows = await classRows(packedKindCounts, PrismaSql.sql`x.kl, x.kh`);
  const packed = rows.every((r) => r.answers <= PACKED_KIND_LIMIT);
  // A cluster of more answers (an LLM evaluator's task over many repeats): counted unpacked.
  if (!packed) rows = await classRows(kindHitCounts, PrismaSql.sql`x.k0, x.k1, x.k2, x.k3, x.k4, x.k5`);
  const hitsOf = (r: ClassRow) => (packed ? unpackKindHits(r as ClassRow & PackedKindColumns) : kindHitsOf(r as ClassRow & KindHitColumns));
  const classes: RaterClass[][] = groups.map(() => []);
  for (const r of rows) classes[r.grp]!.push({ size: r.size, unit: r.is_task ? 'task' : 'rater', answers: r.answers, hits: hitsOf(r) });
  return groups.map((g, i) => ({ ...g, classes: classes[i]! })).filter((g) => g.classes.length > 0);
}

/** A function that returns the first string it was given equal to its argument: equal texts kept once. */
function keptOnce(): (text: string) => string {
  const seen = new Map<string, string>();
  return (text) => seen.get(text) ?? (seen.set(text, text), text);
}

/**
 * What metrics of these batches depend on, cheaply: answers (count, last time), answered attention
 * checks and finished sessions. Equal versions give equal figures, so results can be cached.
 */
export async function findAnswersVersion(sql: SqlStatements, batchIds: readonly string[]): Promise<string> {
  const ids = [...batchIds];
  const [row] = await sql.rows<{ answers: number; last: Date | null; checks: number; finished: number }>(PrismaSql.sql`
    SELECT count(*)::int AS answers, max(a.answered_at) AS last,
           (SELECT count(*)::int FROM attention_checks c JOIN participants p ON p.id = c.participant_id
            WHERE p.batch_id = ANY(${ids}::text[]) AND c.answered_at IS NOT NULL) AS checks,
           (SELECT count(*)::int FROM participants WHERE batch_id = ANY(${ids}::text[]) AND completed_at IS NOT NULL) AS finished
    FROM answers a JOIN tasks t ON t.id = a.task_id WHERE t.batch_id = ANY(${ids}::text[])`);
  return `${row?.answers ?? 0}:${row?.last?.toISOString() ?? '-'}:${row?.checks ?? 0}:${row?.finished ?? 0}`;
}

/** Participants per page of the export: their answers (20 each) come in one statement. */
const PARTICIPANTS_PER_PAGE = 50;

interface TaskForExport {
  datapointId: string;
  sourceId: string;
  sampledCategory: string;
  topicCategory: string;
  /** Six options; looked up by id among them (smaller than a Map per task, kept for the whole export). */
  options: { id: string; kind: OptionKind; text: string }[];
}

interface ExportAnswerRow {
  participant_id: string;
  position: number;
  task_id: string;
  selected_option_ids: string[];
  option_order: string[];
  shown_at: Date;
  answered_at: Date;
  prolific_pid: string;
  study_id: string;
  session_id: string;
  status: string;
  evaluator: string;
  timed_out_at: Date | null;
  completed_at: Date | null;
  prolific_status: string | null;
  session_unknown: boolean;
  preferred_first: boolean | null;
}

/**
 * The batch's tasks with their options, once per export (a task per datapoint: bounded by the
 * dataset). Kept compact, texts and categories stored once however many tasks share them: an
 * export keeps these for its whole run, in a worker whose heap is kept small (export-thread.ts).
 */
async function mapTasksForExport(sql: SqlRunner, batchId: string): Promise<Map<string, TaskForExport>> {
  const once = keptOnce();
  const tasks = new Map<string, TaskForExport>();
  // Read in pages (keyset on the task id), so the rows as read never all sit in memory beside the map.
  for (let after = ''; ; ) {
    const rows = await sql.rows<{ id: string; datapoint_id: string; source_id: string; sampled_category: string; topic_category: string; options: [string, OptionKind, string][] }>(PrismaSql.sql`
      SELECT t.id, t.datapoint_id, d.source_id, t.sampled_category, t.topic_category,
             (SELECT json_agg(json_build_array(o.id, o.kind, o.text)) FROM task_options o WHERE o.task_id = t.id) AS options
      FROM tasks t JOIN datapoints d ON d.id = t.datapoint_id
      WHERE t.batch_id = ${batchId} AND t.id > ${after} ORDER BY t.id LIMIT ${TASKS_PER_READ}`);
    const last = rows.at(-1);
    if (!last) return tasks;
    after = last.id;
    for (const t of rows) {
      tasks.set(t.id, {
        datapointId: t.datapoint_id,
        sourceId: t.source_id,
        sampledCategory: once(t.sampled_category),
        topicCategory: once(t.topic_category),
        options: t.options.map(([id, kind, text]) => ({ id, kind, text: once(text) })),
      });
    }
  }
}

const TASKS_PER_READ = 2000;

/** How many tasks the batch has: what an answers export keeps in memory (mapTasksForExport). */
export async function countBatchTasks(sql: SqlStatements, batchId: string): Promise<number> {
  const [row] = await sql.rows<{ tasks: number }>(PrismaSql.sql`SELECT count(*)::int AS tasks FROM tasks WHERE batch_id = ${batchId}`);
  return row?.tasks ?? 0;
}

/**
 * Yields the batch's answers page by page (participant, then question order): each page is the
 * next participants by id (keyset, from an index) and their answers, so every page costs the same
 * whatever the batch's size. The next page is read while the caller formats this one. All answers
 * are included; participantStatus and completedAt tell partial ones.
 */
export async function* streamAnswerExportRows(sql: SqlRunner, batchId: string): AsyncGenerator<AnswerExportRow[]> {
  const [batch] = await sql.rows<{ category_draw: string }>(PrismaSql.sql`SELECT category_draw::text AS category_draw FROM batches WHERE id = ${batchId}`);
  if (!batch) return;
  const tasks = await mapTasksForExport(sql, batchId);
  const readPage = async (after: string): Promise<{ last: string; rows: ExportAnswerRow[] } | null> => {
    const participants = await sql.rows<{ id: string }>(PrismaSql.sql`
      SELECT id FROM participants WHERE batch_id = ${batchId} AND id > ${after} ORDER BY id LIMIT ${PARTICIPANTS_PER_PAGE}`);
    const last = participants.at(-1);
    if (!last) return null;
    const rows = await sql.rows<ExportAnswerRow>(PrismaSql.sql`
      SELECT a.participant_id, a.position, a.task_id, a.selected_option_ids, a.option_order, a.shown_at, a.answered_at,
             p.prolific_pid, p.study_id, p.session_id, p.status::text AS status, p.evaluator, p.timed_out_at, p.completed_at,
             p.prolific_status, p.session_unknown, s.preferred_first
      FROM answers a JOIN participants p ON p.id = a.participant_id
      LEFT JOIN assignments s ON s.participant_id = a.participant_id AND s.position = a.position
      WHERE a.participant_id = ANY(${participants.map((p) => p.id)}::text[])
      ORDER BY a.participant_id, a.position`);
    return { last: last.id, rows };
  };
  const context = { batchId, categoryDraw: batch.category_draw, tasks };
  for await (const page of readAhead(readPage(''), (page) => readPage(page.last))) {
    if (page.rows.length > 0) yield page.rows.map((r) => exportRowOf(r, context));
  }
}

function exportRowOf(a: ExportAnswerRow, context: { batchId: string; categoryDraw: string; tasks: ReadonlyMap<string, TaskForExport> }): AnswerExportRow {
  const task = context.tasks.get(a.task_id);
  // Every answer has its task in this batch and the assignment it was copied from: a gap is a bug, not a default.
  if (!task) throw new Error(`answer ${a.participant_id}#${a.position} has a task outside its batch`);
  if (a.preferred_first === null) throw new Error(`answer ${a.participant_id}#${a.position} has no assignment`);
  const optionOf = (id: string) => task.options.find((o) => o.id === id);
  const options = a.option_order.map(optionOf).filter((o) => o !== undefined);
  return {
    batchId: context.batchId,
    participantId: a.participant_id,
    prolificPid: a.prolific_pid,
    studyId: a.study_id,
    sessionId: a.session_id,
    participantStatus: a.status,
    evaluator: a.evaluator,
    taskId: a.task_id,
    datapointId: task.datapointId,
    datapointSourceId: task.sourceId,
    sampledCategory: task.sampledCategory,
    topicCategory: task.topicCategory,
    position: a.position,
    options,
    selectedOptionIds: a.selected_option_ids,
    selectedKinds: a.selected_option_ids.map((id) => optionOf(id)?.kind).filter((k): k is OptionKind => k !== undefined),
    shownAt: a.shown_at.toISOString(),
    answeredAt: a.answered_at.toISOString(),
    secondsSpent: (a.answered_at.getTime() - a.shown_at.getTime()) / 1000,
    categoryDraw: context.categoryDraw,
    preferredShownFirst: a.preferred_first,
    timedOutAt: a.timed_out_at?.toISOString() ?? null,
    completedAt: a.completed_at?.toISOString() ?? null,
    prolificStatus: a.prolific_status,
    sessionUnknown: a.session_unknown,
  };
}
