// SQL for answers' selected kinds as bits (core/option-kinds.ts kindBit), written with each answer
// so that metrics never look options up.
import { kindBit, OPTION_KINDS } from '../core/option-kinds.js';
import { Prisma as PrismaSql } from './generated/client.js';

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
