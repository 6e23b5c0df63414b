// Export formats: CSV (RFC 4180) and JSON Lines, for answers, tasks and metrics.
import { RATE_NAMES, RATIO_NAMES, type Metrics } from './metrics.js';
import type { SlicedMetrics } from './metric-slices.js';
import { OPTION_KINDS, type OptionKind } from './option-kinds.js';

/** One answered question with everything needed to recompute every figure. */
export interface AnswerExportRow {
  batchId: string;
  participantId: string;
  prolificPid: string;
  studyId: string;
  sessionId: string;
  participantStatus: string;
  evaluator: string;
  taskId: string;
  datapointId: string;
  datapointSourceId: string;
  sampledCategory: string;
  topicCategory: string;
  position: number;
  /** The six options in the order shown. */
  options: { id: string; kind: OptionKind; text: string }[];
  selectedOptionIds: string[];
  selectedKinds: OptionKind[];
  shownAt: string;
  answeredAt: string;
  secondsSpent: number;
  /** How the batch drew each datapoint's category (task generation). */
  categoryDraw: string;
  /** Whether the preferred response was shown as Response 1 (always, unless the batch randomises sides). */
  preferredShownFirst: boolean;
  timedOutAt: string | null;
  /** When the rater finished (null: partial session); metrics count finished sessions by default. */
  completedAt: string | null;
  /** The submission's status on Prolific at the last sync (null before any). */
  prolificStatus: string | null;
  /** A sync found no submission of the study with this SESSION_ID (a made-up entry?). */
  sessionUnknown: boolean;
}

/** The rater's attention checks and exclusion flags, repeated on each of their rows. */
export interface RaterExportFlags {
  checksAnswered: number;
  checksFailed: number;
  /** The batch's rules this rater falls under (empty: kept). Exports never drop excluded raters. */
  excludedBy: string[];
  /** The rules the flags were computed with, e.g. `failed_checks>=2 speeder<4s straight_liner=off`. */
  exclusionRules: string;
}

export type FlaggedAnswerExportRow = AnswerExportRow & RaterExportFlags;

/** A batch's exclusion rules in one cell. */
export function describeExclusionRules(r: { failedChecks: number | null; speederSeconds: number | null; straightLinerPercent: number | null }): string {
  return [
    r.failedChecks === null ? 'failed_checks=off' : `failed_checks>=${r.failedChecks}`,
    r.speederSeconds === null ? 'speeder=off' : `speeder<${r.speederSeconds}s`,
    r.straightLinerPercent === null ? 'straight_liner=off' : `straight_liner>=${r.straightLinerPercent}%`,
  ].join(' ');
}

export type Cell = string | number | boolean | null;

/**
 * A CSV field: quoted when it holds a comma, quote, CR or LF; quotes doubled (RFC 4180). Text
 * starting with =, +, -, @, tab or CR gets a leading ' so a spreadsheet shows it instead of running
 * it as a formula (OWASP CSV injection); numbers are written as they are.
 */
export function csvField(value: Cell): string {
  const raw = value === null ? '' : String(value);
  const s = typeof value === 'string' && /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** A CSV record terminated by CRLF, as RFC 4180 asks. */
export function csvRecord(values: readonly Cell[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

const OPTION_SLOTS = [1, 2, 3, 4, 5, 6] as const;

export const ANSWER_CSV_HEADER: readonly string[] = [
  'batch_id', 'participant_id', 'prolific_pid', 'study_id', 'session_id', 'participant_status', 'evaluator',
  'task_id', 'datapoint_id', 'datapoint_source_id', 'sampled_category', 'topic_category', 'question_number',
  ...OPTION_SLOTS.flatMap((i) => [`option_${i}_id`, `option_${i}_kind`, `option_${i}_text`]),
  'selected_option_ids', 'selected_kinds', 'shown_at', 'answered_at', 'seconds_spent', 'category_draw', 'preferred_shown_first',
  'timed_out_at', 'completed_at', 'prolific_status', 'session_unknown', 'checks_answered', 'checks_failed', 'excluded_by', 'exclusion_rules',
];

/** Lists inside one CSV field are separated by spaces (ids and kinds contain none). */
export function answerCsvValues(r: FlaggedAnswerExportRow): Cell[] {
  const values: Cell[] = [
    r.batchId, r.participantId, r.prolificPid, r.studyId, r.sessionId, r.participantStatus, r.evaluator,
    r.taskId, r.datapointId, r.datapointSourceId, r.sampledCategory, r.topicCategory, r.position + 1,
  ];
  // Pushed one by one: a million rows' flatMap made six small arrays and a closure call each.
  for (const i of OPTION_SLOTS) {
    const o = r.options[i - 1];
    values.push(o?.id ?? null, o?.kind ?? null, o?.text ?? null);
  }
  values.push(
    r.selectedOptionIds.join(' '), r.selectedKinds.join(' '), r.shownAt, r.answeredAt, r.secondsSpent, r.categoryDraw, r.preferredShownFirst,
    r.timedOutAt, r.completedAt, r.prolificStatus, r.sessionUnknown, r.checksAnswered, r.checksFailed, r.excludedBy.join(' '), r.exclusionRules,
  );
  return values;
}

/** Column types of the Parquet answers export (results/parquet.ts turns them into a schema). */
export type ParquetColumnType = 'string' | 'int' | 'double' | 'boolean' | 'timestamp' | 'string-list';

export interface ParquetColumn<R> {
  name: string;
  type: ParquetColumnType;
  /** Absent values are null; lists are never null (empty instead). */
  nullable: boolean;
  value: (row: R) => string | number | boolean | Date | string[] | null;
}

const at = (iso: string | null) => (iso === null ? null : new Date(iso));

/**
 * The answers export as typed columns: the CSV's columns, with numbers as numbers, times as UTC
 * timestamps and id and kind lists as lists (no CSV neutralisation: Parquet has no formulas).
 */
export const ANSWER_PARQUET_COLUMNS: readonly ParquetColumn<FlaggedAnswerExportRow>[] = [
  { name: 'batch_id', type: 'string', nullable: false, value: (r) => r.batchId },
  { name: 'participant_id', type: 'string', nullable: false, value: (r) => r.participantId },
  { name: 'prolific_pid', type: 'string', nullable: false, value: (r) => r.prolificPid },
  { name: 'study_id', type: 'string', nullable: false, value: (r) => r.studyId },
  { name: 'session_id', type: 'string', nullable: false, value: (r) => r.sessionId },
  { name: 'participant_status', type: 'string', nullable: false, value: (r) => r.participantStatus },
  { name: 'evaluator', type: 'string', nullable: false, value: (r) => r.evaluator },
  { name: 'task_id', type: 'string', nullable: false, value: (r) => r.taskId },
  { name: 'datapoint_id', type: 'string', nullable: false, value: (r) => r.datapointId },
  { name: 'datapoint_source_id', type: 'string', nullable: false, value: (r) => r.datapointSourceId },
  { name: 'sampled_category', type: 'string', nullable: false, value: (r) => r.sampledCategory },
  { name: 'topic_category', type: 'string', nullable: false, value: (r) => r.topicCategory },
  { name: 'question_number', type: 'int', nullable: false, value: (r) => r.position + 1 },
  ...OPTION_SLOTS.flatMap((i): ParquetColumn<FlaggedAnswerExportRow>[] => [
    { name: `option_${i}_id`, type: 'string', nullable: true, value: (r) => r.options[i - 1]?.id ?? null },
    { name: `option_${i}_kind`, type: 'string', nullable: true, value: (r) => r.options[i - 1]?.kind ?? null },
    { name: `option_${i}_text`, type: 'string', nullable: true, value: (r) => r.options[i - 1]?.text ?? null },
  ]),
  { name: 'selected_option_ids', type: 'string-list', nullable: false, value: (r) => r.selectedOptionIds },
  { name: 'selected_kinds', type: 'string-list', nullable: false, value: (r) => r.selectedKinds },
  { name: 'shown_at', type: 'timestamp', nullable: false, value: (r) => at(r.shownAt) },
  { name: 'answered_at', type: 'timestamp', nullable: false, value: (r) => at(r.answeredAt) },
  { name: 'seconds_spent', type: 'double', nullable: false, value: (r) => r.secondsSpent },
  { name: 'category_draw', type: 'string', nullable: false, value: (r) => r.categoryDraw },
  { name: 'preferred_shown_first', type: 'boolean', nullable: false, value: (r) => r.preferredShownFirst },
  { name: 'timed_out_at', type: 'timestamp', nullable: true, value: (r) => at(r.timedOutAt) },
  { name: 'completed_at', type: 'timestamp', nullable: true, value: (r) => at(r.completedAt) },
  { name: 'prolific_status', type: 'string', nullable: true, value: (r) => r.prolificStatus },
  { name: 'session_unknown', type: 'boolean', nullable: false, value: (r) => r.sessionUnknown },
  { name: 'checks_answered', type: 'int', nullable: false, value: (r) => r.checksAnswered },
  { name: 'checks_failed', type: 'int', nullable: false, value: (r) => r.checksFailed },
  { name: 'excluded_by', type: 'string-list', nullable: false, value: (r) => r.excludedBy },
  { name: 'exclusion_rules', type: 'string', nullable: false, value: (r) => r.exclusionRules },
];

export function answerJsonLine(r: FlaggedAnswerExportRow): string {
  // The row's own JSON with questionNumber added last: the same text as stringifying a copy with it,
  // without copying every row.
  return `${JSON.stringify(r).slice(0, -1)},"questionNumber":${r.position + 1}}\n`;
}

export const TASK_CSV_HEADER: readonly string[] = [
  'task_id', 'position', 'datapoint_id', 'datapoint_source_id', 'sampled_category', 'topic_category',
  ...OPTION_KINDS.flatMap((k) => [`${k}_option_id`, `${k}_text`, `${k}_source_datapoint_id`]),
  'category_draw',
];

export interface TaskExportRow {
  id: string;
  position: number;
  datapointId: string;
  sourceId: string;
  sampledCategory: string;
  topicCategory: string;
  options: { id: string; kind: string; text: string; sourceDatapointId: string | null }[];
  categoryDraw: string;
}

export function taskCsvValues(t: TaskExportRow): Cell[] {
  return [
    t.id, t.position, t.datapointId, t.sourceId, t.sampledCategory, t.topicCategory,
    ...OPTION_KINDS.flatMap((k) => {
      const o = t.options.find((x) => x.kind === k);
      return [o?.id ?? null, o?.text ?? null, o?.sourceDatapointId ?? null];
    }),
    t.categoryDraw,
  ];
}

export const METRICS_CSV_HEADER: readonly string[] = [
  'slice_by', 'slice', 'figure', 'label', 'estimate', 'ci_low', 'ci_high', 'n_answers', 'n_raters', 'bootstrap_rounds', 'seed', 'note', 'exclusions', 'cluster_unit',
];

/** Metrics as a long table: one row per figure per slice (overall first); `exclusions` says which applied. */
export function metricsCsvRows(result: SlicedMetrics & { exclusions: { mode: string } }): Cell[][] {
  const rows = (by: string, slice: string, m: Metrics): Cell[][] => [
    ...RATE_NAMES.map((name) => {
      const f = m.rates[name];
      return [by, slice, name, name, f.estimate, f.ci?.low ?? null, f.ci?.high ?? null, m.n.answers, m.n.raters, m.bootstrap.rounds, result.seed, null, result.exclusions.mode, m.clusterUnit];
    }),
    ...RATIO_NAMES.map((name) => {
      const f = m.ratios[name];
      return [by, slice, name, f.label, f.estimate, f.ci?.low ?? null, f.ci?.high ?? null, m.n.answers, m.n.raters, m.bootstrap.rounds, result.seed, f.note, result.exclusions.mode, m.clusterUnit];
    }),
  ];
  return [...rows('overall', 'all', result.overall), ...result.slices.flatMap((s) => rows(result.by ?? '', s.key, s.metrics))];
}

/** One attention check as exported: what the rater read, what they ticked, and whether it passed. */
export interface CheckExportRow {
  batchId: string;
  participantId: string;
  prolificPid: string;
  /** Shown before this study question (1-based). */
  beforeQuestionNumber: number;
  sourceTaskId: string;
  instruction: string;
  targetOptionId: string;
  targetText: string;
  selectedOptionIds: string[];
  shownAt: string | null;
  answeredAt: string | null;
  /** Null while unanswered. */
  passed: boolean | null;
}

export const CHECK_CSV_HEADER: readonly string[] = [
  'batch_id', 'participant_id', 'prolific_pid', 'before_question_number', 'source_task_id', 'instruction',
  'target_option_id', 'target_text', 'selected_option_ids', 'shown_at', 'answered_at', 'passed',
];

export function checkCsvValues(r: CheckExportRow): Cell[] {
  return [
    r.batchId, r.participantId, r.prolificPid, r.beforeQuestionNumber, r.sourceTaskId, r.instruction,
    r.targetOptionId, r.targetText, r.selectedOptionIds.join(' '), r.shownAt, r.answeredAt, r.passed,
  ];
}
