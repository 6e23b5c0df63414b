// SQL for answers' selected kinds as bits (core/option-kinds.ts kindBit), written with each answer
// so that metrics never look options up.
import { kindBit, OPTION_KINDS } from '../core/option-kinds.js';
import * as PrismaSql from './sql.js';

/** `o.kind` as its bit; built from core's constants only (no input reaches this text). */
const KIND_BIT_CASE = PrismaSql.raw(`CASE o.kind ${OPTION_KINDS.map((k) => `WHEN '${k}' THEN ${kindBit(k)}`).join(' ')} END`);

/** The bits of the options of `taskId` among `optionIds` (SQL expressions). */
export const selectedKindBits = (taskId: PrismaSql.Sql, optionIds: PrismaSql.Sql) =>
  PrismaSql.sql`(SELECT coalesce(bit_or(${KIND_BIT_CASE}), 0)::smallint FROM task_options o WHERE o.task_id = ${taskId} AND o.id = ANY(${optionIds}))`;

/**
 * Per kind, in OPTION_KINDS order: how many rows of `a` (answers) selected it, as columns k0 … k5.
 * A sum of the shifted bit: PostgreSQL aggregates it in a third of the time six FILTER clauses take.
 */
export const kindHitCounts = PrismaSql.join(
  OPTION_KINDS.map((k, i) => PrismaSql.raw(`sum((a.selected_kinds >> ${Math.log2(kindBit(k))}) & 1)::int AS k${i}`)),
  ', ',
);

/** The k0 … k5 columns of a row as hits in OPTION_KINDS order. */
export interface KindHitColumns {
  k0: number;
  k1: number;
  k2: number;
  k3: number;
  k4: number;
  k5: number;
}

export const kindHitsOf = (row: KindHitColumns): number[] => [row.k0, row.k1, row.k2, row.k3, row.k4, row.k5];

/** The k0 … k5 column names, also rater_slice_totals' (OPTION_KINDS order). */
const KIND_COLUMNS: readonly (keyof KindHitColumns)[] = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];

/** `k0, …, k5`, each column of `from` (a table alias) when given: a select or group-by list. */
export const kindColumns = (from?: string) => PrismaSql.raw(KIND_COLUMNS.map((k) => (from ? `${from}.${k}` : k)).join(', '));

/** `sum(from.k0)::int AS k0, …`: rows of k0 … k5 columns (rater_slice_totals' own) added up. */
export const kindColumnSums = (from: string) => PrismaSql.raw(KIND_COLUMNS.map((k) => `sum(${from}.${k})::int AS ${k}`).join(', '));

/** Bits per kind count in packedKindCounts: counts up to 1023, three kinds to an int column. */
const PACKED_BITS = 10;
/** packedKindCounts is exact for groups of at most this many answers (each count ≤ the answers). */
export const PACKED_KIND_LIMIT = 2 ** PACKED_BITS - 1;

/**
 * kindHitCounts packed into two columns, kl (k0 … k2) and kh (k3 … k5), ten bits a count: two
 * aggregates per group instead of six. Grouping 1,000,000 answers into 474,000 (rater, topic)
 * groups, six states per group outgrew work_mem and spilled to disk (2.5 s); two do not (1.2 s).
 * Exact only for groups of at most PACKED_KIND_LIMIT answers: a caller checks its counts.
 */
export const packedKindCounts = PrismaSql.raw(
  [OPTION_KINDS.slice(0, 3), OPTION_KINDS.slice(3)]
    .map((kinds, column) => {
      const parts = kinds.map((k, j) => {
        const shift = PACKED_BITS * j - Math.log2(kindBit(k));
        return shift >= 0 ? `((a.selected_kinds & ${kindBit(k)}) << ${shift})` : `((a.selected_kinds & ${kindBit(k)}) >> ${-shift})`;
      });
      return `sum(${parts.join(' | ')})::int AS ${column === 0 ? 'kl' : 'kh'}`;
    })
    .join(', '),
);

export interface PackedKindColumns {
  kl: number;
  kh: number;
}

/** packedKindCounts' columns as hits in OPTION_KINDS order. */
export const unpackKindHits = (row: PackedKindColumns): number[] =>
  [row.kl, row.kh].flatMap((packed) => [0, 1, 2].map((j) => (packed >>> (PACKED_BITS * j)) & PACKED_KIND_LIMIT));
