// The analyses as long CSV tables (one figure per row), for spreadsheets and R/pandas: pElo,
// agreement, position bias and convergence. Which exclusions applied is a column, never a preamble.
import type { Agreement, AgreementFigure } from './agreement.js';
import type { Convergence } from './convergence.js';
import type { PElo } from './elo.js';
import type { Cell } from './export-format.js';
import { OPTION_KINDS } from './option-kinds.js';
import type { PositionBias, SelectionRate } from './position-bias.js';

export interface AnalysisTable {
  header: readonly string[];
  rows: Cell[][];
}

export function eloTable(result: PElo & { seed: number; rounds: number }): AnalysisTable {
  return {
    header: ['subset', 'model', 'battles', 'rating', 'rating_low', 'rating_high', 'rank', 'rank_low', 'rank_high', 'status', 'bound', 'anchor', 'bootstrap_rounds', 'seed'],
    rows: result.subsets.flatMap((s) => [
      ...s.ranked.map((m): Cell[] => [s.category ?? 'overall', m.model, m.battles, m.rating, m.ci.low, m.ci.high, m.rank, m.rankCi.low, m.rankCi.high, 'ranked', m.bound, result.anchor, result.rounds, result.seed]),
      ...s.apart.map((m): Cell[] => [s.category ?? 'overall', m.model, m.battles, null, null, null, null, null, null, m.reason, null, result.anchor, result.rounds, result.seed]),
    ]),
  };
}

export function agreementTable(result: { by: string | null; overall: Agreement; slices: { key: string; agreement: Agreement }[]; exclusions: { mode: string }; seed: number }): AnalysisTable {
  const rows = (by: string, slice: string, a: Agreement): Cell[][] => {
    const figures: [string, AgreementFigure][] = [
      ['alpha_masi', a.alphaMasi],
      ['alpha_jaccard', a.alphaJaccard],
      ['pair_agreement', a.pairAgreement],
      ...OPTION_KINDS.map((k): [string, AgreementFigure] => [`alpha_${k}`, a.alphaByKind[k]]),
    ];
    return figures.map(([name, f]) => [by, slice, name, f.estimate, f.ci?.low ?? null, f.ci?.high ?? null, a.tasks.rated, a.tasks.counted, a.ratings, a.pairs, a.bootstrap.rounds, result.seed, result.exclusions.mode]);
  };
  return {
    header: ['slice_by', 'slice', 'figure', 'estimate', 'ci_low', 'ci_high', 'tasks_rated', 'tasks_counted', 'ratings', 'pairs', 'bootstrap_rounds', 'seed', 'exclusions'],
    rows: [...rows('overall', 'all', result.overall), ...result.slices.flatMap((s) => rows(result.by ?? '', s.key, s.agreement))],
  };
}

export function positionBiasTable(result: PositionBias & { exclusions: { mode: string }; seed: number }): AnalysisTable {
  const common = [result.raters, result.bootstrap.rounds, result.seed, result.exclusions.mode];
  const rate = (table: string, kind: string, slot: number | null, side: string | null, r: SelectionRate): Cell[] => [table, kind, slot, side, r.shown, r.selected, r.rate, r.ci?.low ?? null, r.ci?.high ?? null, null, null, null, ...common];
  const test = (kind: string, t: PositionBias['equalRates']): Cell[] => ['equal_rates_test', kind, null, null, null, null, null, null, null, t?.statistic ?? null, t?.df ?? null, t?.pValue ?? null, ...common];
  return {
    header: ['table', 'kind', 'slot', 'preferred_side', 'shown', 'selected', 'rate', 'ci_low', 'ci_high', 'chi_square', 'df', 'p_value', 'raters', 'bootstrap_rounds', 'seed', 'exclusions'],
    rows: [
      ...result.bySlot.map((s) => rate('by_slot', 'all', s.slot, null, s)),
      test('all', result.equalRates),
      ...result.byKind.flatMap((k) => [...k.bySlot.map((s) => rate('by_slot', k.kind, s.slot, null, s)), test(k.kind, k.equalRates)]),
      ...(result.bySide ?? []).flatMap((s) => [
        rate('by_side', s.kind, null, 'first', s.preferredFirst),
        rate('by_side', s.kind, null, 'second', s.preferredSecond),
        ['by_side', s.kind, null, 'first_minus_second', null, null, s.difference.estimate, s.difference.ci?.low ?? null, s.difference.ci?.high ?? null, null, null, null, ...common],
      ]),
    ],
  };
}

export function convergenceTable(result: Convergence & { exclusions: { mode: string }; seed: number }): AnalysisTable {
  return {
    header: ['ratio', 'label', 'raters', 'width', 'target_width', 'projected_raters', 'reached', 'bootstrap_rounds', 'seed', 'exclusions'],
    rows: result.ratios.flatMap((r) => r.points.map((p): Cell[] => [r.ratio, r.label, p.raters, p.width, result.targetWidth, r.projectedRaters, r.reached, result.bootstrap.rounds, result.seed, result.exclusions.mode])),
  };
}
