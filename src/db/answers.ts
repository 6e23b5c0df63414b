// Answers as researchers read them: for metrics (per-rater totals aggregated in SQL) and for exports
// (everything, streamed).
import type { AnswerExportRow } from '../core/export-format.js';
import type { SliceBy, SliceableTotals } from '../core/metric-slices.js';
import type { OptionKind } from '../core/option-kinds.js';
import { Prisma as PrismaSql } from './generated/client.js';
import type { SqlRunner, SqlStatements } from './sql-runner.js';
import { kindHitCounts, kindHitsOf, type KindHitColumns } from './kind-bits.js';

export interface AnswerFilter {
  batchIds: readonly string[];
  /** Count answers of raters who have not finished too (default: completed sessions only). */
  includePartial: boolean;
}

interface TotalsRow extends KindHitColumns {
  cluster: string;
  llm: boolean;
  evaluator: string;
  batch_id: string;
  slice: string;
  answers: number;
}

/**
 * Per-rater totals aggregated in PostgreSQL from each answer's kind bits: answers and, per option
 * kind (OPTION_KINDS order), answers that selected it, one row per participant, or per participant and slice value when
 * `by` is topic or category. What the bootstrap needs, without loading every answer. An LLM
 * evaluator's answers are clustered by task instead (DECISIONS: a model is one participant per
 * repeat, so its tasks are what varies).
 */
export async function listRaterKindTotals(sql: SqlStatements, filter: AnswerFilter & { by: SliceBy | null }): Promise<SliceableTotals[]> {
  const slice =
    filter.by === 'topic' ? PrismaSql.sql`t.topic_category` : filter.by === 'category' ? PrismaSql.sql`t.sampled_category` : PrismaSql.sql`''`;
  const finished = filter.includePartial ? PrismaSql.sql`true` : PrismaSql.sql`p.completed_at IS NOT NULL`;
  // The task is needed only for a topic or category slice; the participant gives the batch.
  const tasks = filter.by === 'topic' || filter.by === 'category' ? PrismaSql.sql`JOIN tasks t ON t.id = a.task_id` : PrismaSql.empty;
  const rows = await sql.rows<TotalsRow>(PrismaSql.sql`
      SELECT CASE WHEN r.participant_id IS NULL THEN a.participant_id ELSE 'task:' || a.task_id END AS cluster, r.participant_id IS NOT NULL AS llm,
             p.evaluator, p.batch_id, ${slice} AS slice, count(*)::int AS answers, ${kindHitCounts}
      FROM answers a JOIN participants p ON p.id = a.participant_id LEFT JOIN llm_runs r ON r.participant_id = a.participant_id ${tasks}
      WHERE p.batch_id = ANY(${[...filter.batchIds]}::text[]) AND ${finished}
      GROUP BY 1, 2, p.evaluator, p.batch_id, 5`);
  return rows.map((r) => ({
    raterId: r.cluster,
    unit: r.llm ? ('task' as const) : ('rater' as const),
    evaluator: r.evaluator,
    batchId: r.batch_id,
    topicCategory: r.slice,
    sampledCategory: r.slice,
    answers: r.answers,
    hits: kindHitsOf(r),
  }));
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
  batchId: string;
  datapointId: string;
  sourceId: string;
  sampledCategory: string;
  topicCategory: string;
  categoryDraw: string;
  options: Map<string, { id: string; kind: OptionKind; text: string }>;
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

/** The batch's tasks with their options, once per export (a task per datapoint: bounded by the dataset). */
async function mapTasksForExport(sql: SqlRunner, batchId: string): Promise<Map<string, TaskForExport>> {
  const rows = await sql.rows<{ id: string; datapoint_id: string; source_id: string; sampled_category: string; topic_category: string; category_draw: string; options: [string, OptionKind, string][] }>(PrismaSql.sql`
    SELECT t.id, t.datapoint_id, d.source_id, t.sampled_category, t.topic_category, b.category_draw::text AS category_draw,
           (SELECT json_agg(json_build_array(o.id, o.kind, o.text)) FROM task_options o WHERE o.task_id = t.id) AS options
    FROM tasks t JOIN datapoints d ON d.id = t.datapoint_id JOIN batches b ON b.id = t.batch_id
    WHERE t.batch_id = ${batchId}`);
  return new Map(
    rows.map((t) => [
      t.id,
      {
        batchId,
        datapointId: t.datapoint_id,
        sourceId: t.source_id,
        sampledCategory: t.sampled_category,
        topicCategory: t.topic_category,
        categoryDraw: t.category_draw,
        options: new Map(t.options.map(([id, kind, text]) => [id, { id, kind, text }])),
      },
    ]),
  );
}

/**
 * Yields the batch's answers page by page (participant, then question order): each page is the
 * next participants by id (keyset, from an index) and their answers, so every page costs the same
 * whatever the batch's size and memory stays flat. All answers are included; participantStatus
 * and completedAt tell partial ones.
 */
export async function* streamAnswerExportRows(sql: SqlRunner, batchId: string): AsyncGenerator<AnswerExportRow[]> {
  const tasks = await mapTasksForExport(sql, batchId);
  let after = '';
  for (;;) {
    const participants = await sql.rows<{ id: string }>(PrismaSql.sql`
      SELECT id FROM participants WHERE batch_id = ${batchId} AND id > ${after} ORDER BY id LIMIT ${PARTICIPANTS_PER_PAGE}`);
    const last = participants.at(-1);
    if (!last) return;
    after = last.id;
    const rows = await sql.rows<ExportAnswerRow>(PrismaSql.sql`
      SELECT a.participant_id, a.position, a.task_id, a.selected_option_ids, a.option_order, a.shown_at, a.answered_at,
             p.prolific_pid, p.study_id, p.session_id, p.status::text AS status, p.evaluator, p.timed_out_at, p.completed_at,
             p.prolific_status, p.session_unknown, s.preferred_first
      FROM answers a JOIN participants p ON p.id = a.participant_id
      LEFT JOIN assignments s ON s.participant_id = a.participant_id AND s.position = a.position
      WHERE a.participant_id = ANY(${participants.map((p) => p.id)}::text[])
      ORDER BY a.participant_id, a.position`);
    if (rows.length > 0) yield rows.map((r) => exportRowOf(r, tasks));
  }
}

function exportRowOf(a: ExportAnswerRow, tasks: ReadonlyMap<string, TaskForExport>): AnswerExportRow {
  const task = tasks.get(a.task_id);
  // Every answer has its task in this batch and the assignment it was copied from: a gap is a bug, not a default.
  if (!task) throw new Error(`answer ${a.participant_id}#${a.position} has a task outside its batch`);
  if (a.preferred_first === null) throw new Error(`answer ${a.participant_id}#${a.position} has no assignment`);
  const options = a.option_order.map((id) => task.options.get(id)).filter((o) => o !== undefined);
  return {
    batchId: task.batchId,
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
    selectedKinds: a.selected_option_ids.map((id) => task.options.get(id)?.kind).filter((k): k is OptionKind => k !== undefined),
    shownAt: a.shown_at.toISOString(),
    answeredAt: a.answered_at.toISOString(),
    secondsSpent: (a.answered_at.getTime() - a.shown_at.getTime()) / 1000,
    categoryDraw: task.categoryDraw,
    preferredShownFirst: a.preferred_first,
    timedOutAt: a.timed_out_at?.toISOString() ?? null,
    completedAt: a.completed_at?.toISOString() ?? null,
    prolificStatus: a.prolific_status,
    sessionUnknown: a.session_unknown,
  };
}
