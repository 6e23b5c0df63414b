// What the analyses read (issue 14): a dataset's battles for pElo, and, for a batch's raters who
// finished and are not excluded, each task's selected sets (agreement), each rater's ticks by
// displayed slot (position bias) and the order raters finished in (convergence).
import type { AnnotatedBattle } from '../core/elo.js';
import type { SliceBy } from '../core/metric-slices.js';
import type { SlotCounts, SlottedKind } from '../core/position-bias.js';
import * as PrismaSql from './sql.js';
import type { SqlStatements } from './sql-runner.js';

/** Every datapoint's battle (file order) with the categories it is annotated with. */
export async function listDatasetBattles(sql: SqlStatements, datasetId: string): Promise<AnnotatedBattle[]> {
  const rows = await sql.rows<{ model_a: string; model_b: string; winner: 'model_a' | 'model_b'; categories: string[] | null }>(PrismaSql.sql`
    SELECT d.model_a, d.model_b, d.winner::text AS winner,
           ARRAY(SELECT p.value->>'category' FROM jsonb_array_elements(d.preferences) WITH ORDINALITY AS p(value, position) ORDER BY p.position) AS categories
    FROM datapoints d WHERE d.dataset_id = ${datasetId} ORDER BY d.line_number`);
  return rows.map((r) => ({ modelA: r.model_a, modelB: r.model_b, winner: r.winner, categories: r.categories ?? [] }));
}

/** Which raters an analysis counts: the study's people who finished, minus those left out. */
export interface RaterFilter {
  batchIds: readonly string[];
  /** Participant ids the batch's exclusion rules leave out (empty: everyone counts). */
  excluded: readonly string[];
}

/** People only (LLM evaluators have runs), finished, not excluded: a SQL condition on `p`. */
const countedRaters = (f: RaterFilter) => PrismaSql.sql`
  p.batch_id = ANY(${[...f.batchIds]}::text[]) AND p.completed_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM llm_runs r WHERE r.participant_id = p.id)
  AND NOT (p.id = ANY(${[...f.excluded]}::text[]))`;

/** Per task (and slice value when `by` is topic or category), the kind bits each counted rater selected. */
export async function listTaskSelections(sql: SqlStatements, filter: RaterFilter & { by: SliceBy | null }): Promise<{ taskId: string; slice: string; selections: number[] }[]> {
  const slice = filter.by === 'topic' ? PrismaSql.sql`t.topic_category` : filter.by === 'category' ? PrismaSql.sql`t.sampled_category` : PrismaSql.sql`''`;
  const rows = await sql.rows<{ task_id: string; slice: string; selections: number[] }>(PrismaSql.sql`
    SELECT a.task_id, ${slice} AS slice, array_agg(a.selected_kinds::int ORDER BY a.participant_id) AS selections
    FROM answers a JOIN participants p ON p.id = a.participant_id JOIN tasks t ON t.id = a.task_id
    WHERE ${countedRaters(filter)}
    GROUP BY a.task_id, 2 ORDER BY a.task_id`);
  return rows.map((r) => ({ taskId: r.task_id, slice: r.slice, selections: r.selections }));
}

/**
 * Per counted rater, side the preferred response was shown on, displayed slot (1–5) and kind: how
 * many options were shown there and how many of them were ticked. "Other" (always sixth) is left out.
 */
export async function listSlotCounts(sql: SqlStatements, filter: RaterFilter): Promise<SlotCounts[]> {
  const rows = await sql.rows<{ participant_id: string; preferred_first: boolean; slot: number; kind: SlottedKind; shown: number; selected: number }>(PrismaSql.sql`
    SELECT a.participant_id, s.preferred_first, o.slot::int AS slot, k.kind::text AS kind, count(*)::int AS shown,
           sum((o.option_id = ANY(a.selected_option_ids))::int)::int AS selected
    FROM answers a JOIN participants p ON p.id = a.participant_id
    JOIN assignments s ON s.participant_id = a.participant_id AND s.position = a.position
    CROSS JOIN LATERAL unnest(a.option_order) WITH ORDINALITY AS o(option_id, slot)
    JOIN task_options k ON k.id = o.option_id
    WHERE ${countedRaters(filter)} AND k.kind <> 'other'
    GROUP BY 1, 2, 3, 4`);
  return rows.map((r) => ({ raterId: r.participant_id, preferredFirst: r.preferred_first, slot: r.slot, kind: r.kind, shown: r.shown, selected: r.selected }));
}

/** The counted raters' ids in the order they finished (ties by id). */
export async function listRatersInCompletionOrder(sql: SqlStatements, filter: RaterFilter): Promise<string[]> {
  const rows = await sql.rows<{ id: string }>(PrismaSql.sql`
    SELECT p.id FROM participants p WHERE ${countedRaters(filter)} ORDER BY p.completed_at, p.id`);
  return rows.map((r) => r.id);
}
