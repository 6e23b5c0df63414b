// Answers as researchers read them: for metrics (per-rater totals aggregated in SQL) and for exports
// (everything, streamed).
import type { AnswerExportRow } from '../core/export-format.js';
import { groupSliceNames, type SliceClasses, type SliceableTotals } from '../core/metric-slices.js';
import type { RaterClass } from '../core/metrics.js';
import type { OptionKind } from '../core/option-kinds.js';
import * as PrismaSql from './sql.js';
import { type SqlRunner, type SqlStatements, utcTimestampIso } from './sql-runner.js';
import { kindColumns, kindColumnSums, kindHitCounts, kindHitsOf, PACKED_KIND_LIMIT, packedKindCounts, unpackKindHits, type KindHitColumns, type PackedKindColumns } from './kind-bits.js';
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
 * Rows of rater_slice_totals (a row per participant and topic or category, kept by triggers on
 * answers) of these batches' raters whose answers count: finished (unless `includePartial`), not
 * `excluded`, not an LLM evaluator (clustered by task: counted from its answers). The participants
 * left out are few: checking each row against them costs half what a join with the many kept ones
 * did (by topic at 1,000,000 answers, 0.3 against 0.7 s).
 */
function countedRaterRows(filter: AnswerFilter, slice: 'topic' | 'category', excluded: readonly string[]): PrismaSql.Sql {
  const batchIds = [...filter.batchIds];
  const unfinished = filter.includePartial ? PrismaSql.sql`false` : PrismaSql.sql`completed_at IS NULL`;
  return PrismaSql.sql`
    r.batch_id = ANY(${batchIds}::text[]) AND r.slice = ${slice}
      AND r.participant_id NOT IN (
        SELECT id FROM participants p WHERE batch_id = ANY(${batchIds}::text[])
          AND (${unfinished} OR id = ANY(${[...excluded]}::text[]) OR EXISTS (SELECT 1 FROM llm_runs l WHERE l.participant_id = p.id)))`;
}

/** Each counted rater's totals (countedRaterRows), their topic rows added up: one row per rater. */
function raterSums(filter: AnswerFilter, excluded: readonly string[]): PrismaSql.Sql {
  return PrismaSql.sql`
    SELECT r.participant_id, sum(r.answers)::int AS answers, ${kindColumnSums('r')}
    FROM rater_slice_totals r WHERE ${countedRaterRows(filter, 'topic', excluded)}
    GROUP BY 1`;
}

/** These batches' LLM evaluator participants whose answers count (finished unless `includePartial`). */
function countedEvaluators(filter: AnswerFilter): PrismaSql.Sql {
  const finished = filter.includePartial ? PrismaSql.sql`true` : PrismaSql.sql`p.completed_at IS NOT NULL`;
  return PrismaSql.sql`SELECT p.id FROM participants p JOIN llm_runs l ON l.participant_id = p.id WHERE p.batch_id = ANY(${[...filter.batchIds]}::text[]) AND ${finished}`;
}

/**
 * Per-rater totals: answers and, per option kind (OPTION_KINDS order), answers that selected it,
 * one row per participant. What the bootstrap needs, without loading every answer. A rater's are
 * the sum of their rows per topic in rater_slice_totals (474,000 rows at 1,000,000 answers, not
 * 1,000,000 answers: 0.3 s on one core against 0.5 s on two). An LLM evaluator's answers are
 * clustered by task instead (DECISIONS: a model is one participant per repeat, so its tasks are
 * what varies), summed from its answers.
 */
export async function listRaterKindTotals(sql: SqlStatements, filter: AnswerFilter): Promise<SliceableTotals[]> {
  const rows = await sql.rows<TotalsRow>(PrismaSql.sql`
      SELECT x.*, p.evaluator, p.batch_id
      FROM (SELECT s.participant_id, NULL AS task_id, s.answers, ${kindColumns('s')} FROM (${raterSums(filter, [])}) s
            UNION ALL
            SELECT a.participant_id, a.task_id, count(*)::int AS answers, ${kindHitCounts}
            FROM answers a WHERE a.participant_id IN (${countedEvaluators(filter)})
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

/**
 * The classes of equal per-rater totals among these batches' counted raters (not `excluded`, not
 * LLM evaluators), counted in PostgreSQL from their topic rows: 8,000 rows at 1,000,000 answers
 * instead of listRaterKindTotals' 50,000 (0.5 against 0.7-1.2 s with the rows decoded and grouped
 * in code). What the overall bootstrap needs when it draws by class (core drawnByClass).
 */
export async function listRaterClasses(sql: SqlStatements, filter: AnswerFilter & { excluded: readonly string[] }): Promise<RaterClass[]> {
  const rows = await sql.rows<KindHitColumns & { answers: number; size: number }>(PrismaSql.sql`
    SELECT answers, ${kindColumns()}, count(*)::int AS size FROM (${raterSums(filter, filter.excluded)}) x
    GROUP BY answers, ${kindColumns()}`);
  return rows.map((r) => ({ size: r.size, unit: 'rater' as const, answers: r.answers, hits: kindHitsOf(r) }));
}

const sliceColumn = { topic: PrismaSql.sql`topic_category`, category: PrismaSql.sql`sampled_category` };

/** The topic or category names of these batches' tasks, every spelling (listSliceClasses groups them). */
export async function listSliceNames(sql: SqlStatements, batchIds: readonly string[], by: 'topic' | 'category'): Promise<string[]> {
  const rows = await sql.rows<{ name: string }>(PrismaSql.sql`SELECT DISTINCT ${sliceColumn[by]} AS name FROM tasks WHERE batch_id = ANY(${[...batchIds]}::text[])`);
  return rows.map((r) => r.name);
}

interface ClassRow extends Partial<KindHitColumns>, Partial<PackedKindColumns> {
  grp: number;
  answers: number;
  size: number;
}

/**
 * Each topic or category slice's classes of equal per-rater totals, counted in PostgreSQL: the
 * bootstrap needs no more (core classMetricsSteps), and at 1,000,000 answers a few thousand rows
 * come back instead of 474,000 per-rater rows. Raters' classes come from rater_slice_totals
 * (countedRaterRows), not from every answer with its task: by topic at 1,000,000 answers 0.3-0.4 s
 * of PostgreSQL time instead of 1.3-1.6 s. Names are grouped as core groups
 * them (groupSliceNames) before the per-rater totals are summed, so a rater's answers under two
 * spellings of one topic count once. `excluded` raters are left out; an LLM evaluator never is (its
 * answers are clustered by task, counted from the answers). `names` are listSliceNames'. The first
 * statement is sent before this function first awaits, so a caller can compute meanwhile. Slices in
 * no particular order; both units, as listRaterKindTotals gives them.
 */
export async function listSliceClasses(
  sql: SqlStatements,
  filter: AnswerFilter & { by: 'topic' | 'category'; excluded: readonly string[]; names: readonly string[] },
): Promise<SliceClasses[]> {
  const names = [...filter.names];
  const { groups, groupOfName } = groupSliceNames(names);
  const nameGroups = PrismaSql.sql`unnest(${names}::text[], ${groupOfName}::int[]) AS g(name, grp)`;
  const kinds = kindColumns();
  const kept = countedRaterRows(filter, filter.by, filter.excluded);
  const groupOf = new Map(names.map((name, i) => [name, groupOfName[i]!]));
  // Grouped by the name as spelled, each mapped to its group here; when some group has two
  // spellings, a rater's rows under them are summed first.
  const raterRows =
    new Set(groupOfName).size === names.length
      ? sql.rows<ClassRow & KindHitColumns & { name: string }>(PrismaSql.sql`SELECT name, answers, ${kinds}, count(*)::int AS size FROM rater_slice_totals r WHERE ${kept} GROUP BY name, answers, ${kinds}`).then((found) =>
          found.map((r) => ({ ...r, grp: groupOf.get(r.name) ?? unknownName(r.name) })),
        )
      : sql.rows<ClassRow & KindHitColumns>(PrismaSql.sql`
          SELECT grp, answers, ${kinds}, count(*)::int AS size
          FROM (SELECT r.participant_id, g.grp, sum(r.answers)::int AS answers, ${kindColumnSums('r')}
                FROM rater_slice_totals r JOIN ${nameGroups} ON g.name = r.name WHERE ${kept} GROUP BY 1, 2) x
          GROUP BY grp, answers, ${kinds}`);
  const evaluatorRows = listEvaluatorSliceClasses(sql, { column: sliceColumn[filter.by], evaluators: countedEvaluators(filter), nameGroups });
  const [raterClasses, evaluatorClasses] = await Promise.all([raterRows, evaluatorRows]);
  const classes: RaterClass[][] = groups.map(() => []);
  for (const r of raterClasses) classes[r.grp]!.push({ size: r.size, unit: 'rater', answers: r.answers, hits: kindHitsOf(r) });
  for (const { grp, ...c } of evaluatorClasses) classes[grp]!.push(c);
  return groups.map((g, i) => ({ ...g, classes: classes[i]! })).filter((g) => g.classes.length > 0);
}

/**
 * LLM evaluators' classes per slice: their answers clustered by task (DECISIONS), counted from the
 * answers (rater_slice_totals has a row per participant, not per task). Kind counts are
 * packed into two columns (kind-bits.ts); a cluster of more than PACKED_KIND_LIMIT answers (a task
 * over many repeats) has them counted again unpacked.
 */
async function listEvaluatorSliceClasses(
  sql: SqlStatements,
  q: { column: PrismaSql.Sql; evaluators: PrismaSql.Sql; nameGroups: PrismaSql.Sql },
): Promise<(RaterClass & { grp: number })[]> {
  const classRows = (counts: PrismaSql.Sql, countColumns: PrismaSql.Sql) =>
    sql.rows<ClassRow>(PrismaSql.sql`
      SELECT x.grp, x.answers, ${countColumns}, count(*)::int AS size
      FROM (SELECT a.task_id, g.grp, count(*)::int AS answers, ${counts}
            FROM answers a JOIN tasks t ON t.id = a.task_id
            JOIN ${q.nameGroups} ON g.name = t.${q.column}
            WHERE a.participant_id IN (${q.evaluators})
            GROUP BY 1, 2) x
      GROUP BY x.grp, x.answers, ${countColumns}`);
  let rows = await classRows(packedKindCounts, PrismaSql.sql`x.kl, x.kh`);
  const packed = rows.every((r) => r.answers <= PACKED_KIND_LIMIT);
  if (!packed) rows = await classRows(kindHitCounts, kindColumns('x'));
  const hitsOf = (r: ClassRow) => (packed ? unpackKindHits(r as ClassRow & PackedKindColumns) : kindHitsOf(r as ClassRow & KindHitColumns));
  return rows.map((r) => ({ grp: r.grp, size: r.size, unit: 'task' as const, answers: r.answers, hits: hitsOf(r) }));
}

function unknownName(name: string): never {
  // Names and rows are read in one snapshot from the same tasks: this would be a bug.
  throw new Error(`rater_slice_totals has a slice name that none of the batch's tasks has: ${JSON.stringify(name)}`);
}

/** A function that returns the first string it was given equal to its argument: equal texts kept once. */
function keptOnce(): (text: string) => string {
  const seen = new Map<string, string>();
  return (text) => seen.get(text) ?? (seen.set(text, text), text);
}

/**
 * What metrics of these batches depend on, cheaply: answers (count, last time; summed from
 * rater_slice_totals' topic rows, a third of the time the answers themselves took at 1,000,000),
 * answered attention checks and finished sessions. Equal versions give equal figures, so results
 * can be cached.
 */
export async function findAnswersVersion(sql: SqlStatements, batchIds: readonly string[]): Promise<string> {
  const ids = [...batchIds];
  const [row] = await sql.rows<{ answers: number; last: Date | null; checks: number; finished: number }>(PrismaSql.sql`
    SELECT coalesce(sum(r.answers), 0)::int AS answers, max(r.last_answered_at) AS last,
           (SELECT count(*)::int FROM attention_checks c JOIN participants p ON p.id = c.participant_id
            WHERE p.batch_id = ANY(${ids}::text[]) AND c.answered_at IS NOT NULL) AS checks,
           (SELECT count(*)::int FROM participants WHERE batch_id = ANY(${ids}::text[]) AND completed_at IS NOT NULL) AS finished
    FROM rater_slice_totals r WHERE r.batch_id = ANY(${ids}::text[]) AND r.slice = 'topic'`);
  return `${row?.answers ?? 0}:${row?.last?.toISOString() ?? '-'}:${row?.checks ?? 0}:${row?.finished ?? 0}`;
}

/** Participants per page of the export: their answers (20 each) come in one statement. */
const PARTICIPANTS_PER_PAGE = 50;

interface TaskForExport {
  datapointId: string;
  sourceId: string;
  sampledCategory: string;
  topicCategory: string;
  /**
   * The options as three lists in one order: their ids in one space-separated string (ids are
   * ours, letters, digits and `_`), their kinds (one shared array per distinct list) and texts.
   * Six objects and six id strings per task took 17.6 MB for 17,858 tasks, this 10.9 MB
   * (BENCHMARKS.md, exports); the export's worker holds them for its whole run.
   */
  optionIds: string;
  kinds: readonly OptionKind[];
  texts: readonly string[];
}

/** The ids of a space-separated list (ours: letters, digits and `_`). */
function idsOf(list: string): string[] {
  return list === '' ? [] : list.split(' ');
}

/** Where `id` stands in a space-separated list of ids, or -1. */
function slotOf(ids: string, id: string): number {
  for (let start = 0, slot = 0; start < ids.length; slot++) {
    const space = ids.indexOf(' ', start);
    const end = space === -1 ? ids.length : space;
    if (end - start === id.length && ids.startsWith(id, start)) return slot;
    start = end + 1;
  }
  return -1;
}

interface ExportAnswerRow {
  participant_id: string;
  position: number;
  task_id: string;
  /** Space-separated ids (array_to_string): splitting them costs a fraction of parsing a text[]. */
  selected_option_ids: string;
  option_order: string;
  /** The times as PostgreSQL's text (`::text`), made ISO by utcTimestampIso (no Date is made and formatted back). */
  shown_at: string;
  answered_at: string;
  prolific_pid: string;
  study_id: string;
  session_id: string;
  status: string;
  evaluator: string;
  timed_out_at: string | null;
  completed_at: string | null;
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
  const kindLists = new Map<string, readonly OptionKind[]>();
  const kindsOnce = (kinds: OptionKind[]) => {
    const key = kinds.join(' ');
    return kindLists.get(key) ?? (kindLists.set(key, kinds), kinds);
  };
  const tasks = new Map<string, TaskForExport>();
  // Read in pages (keyset on the task id), so the rows as read never all sit in memory beside the map.
  for (let after = ''; ; ) {
    const rows = await sql.rows<{ id: string; datapoint_id: string; source_id: string; sampled_category: string; topic_category: string; option_ids: string; kinds: OptionKind[]; texts: string[] }>(PrismaSql.sql`
      SELECT t.id, t.datapoint_id, d.source_id, t.sampled_category, t.topic_category, o.option_ids, o.kinds, o.texts
      FROM tasks t JOIN datapoints d ON d.id = t.datapoint_id
      CROSS JOIN LATERAL (SELECT string_agg(id, ' ' ORDER BY id) AS option_ids, array_agg(kind::text ORDER BY id) AS kinds, array_agg(text ORDER BY id) AS texts
                          FROM task_options WHERE task_id = t.id) o
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
        optionIds: t.option_ids ?? '',
        kinds: kindsOnce((t.kinds ?? []).map((k) => once(k) as OptionKind)),
        texts: (t.texts ?? []).map(once),
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
      SELECT a.participant_id, a.position, a.task_id, array_to_string(a.selected_option_ids, ' ') AS selected_option_ids,
             array_to_string(a.option_order, ' ') AS option_order, a.shown_at::text AS shown_at, a.answered_at::text AS answered_at,
             p.prolific_pid, p.study_id, p.session_id, p.status::text AS status, p.evaluator,
             p.timed_out_at::text AS timed_out_at, p.completed_at::text AS completed_at,
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
  const options: AnswerExportRow['options'] = [];
  const shownAt = utcTimestampIso(a.shown_at);
  const answeredAt = utcTimestampIso(a.answered_at);
  const selectedOptionIds = idsOf(a.selected_option_ids);
  for (const id of idsOf(a.option_order)) {
    const slot = slotOf(task.optionIds, id);
    if (slot !== -1) options.push({ id, kind: task.kinds[slot]!, text: task.texts[slot]! });
  }
  const selectedKinds: OptionKind[] = [];
  for (const id of selectedOptionIds) {
    const slot = slotOf(task.optionIds, id);
    if (slot !== -1) selectedKinds.push(task.kinds[slot]!);
  }
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
    selectedOptionIds,
    selectedKinds,
    shownAt,
    answeredAt,
    secondsSpent: (Date.parse(answeredAt) - Date.parse(shownAt)) / 1000,
    categoryDraw: context.categoryDraw,
    preferredShownFirst: a.preferred_first,
    timedOutAt: a.timed_out_at === null ? null : utcTimestampIso(a.timed_out_at),
    completedAt: a.completed_at === null ? null : utcTimestampIso(a.completed_at),
    prolificStatus: a.prolific_status,
    sessionUnknown: a.session_unknown,
  };
}
