// prefbasis elo | agreement | position-bias | convergence: the analyses beside R1–R6 (issue 14),
// as tables on the terminal, or JSON / CSV for other tools.
import { agreementTable, convergenceTable, eloTable, positionBiasTable, type AnalysisTable } from '../../core/analysis-csv.js';
import type { Agreement } from '../../core/agreement.js';
import type { ExclusionMode } from '../../core/exclusions.js';
import { csvRecord } from '../../core/export-format.js';
import { computeBatchAgreement, computeBatchConvergence, computeBatchPositionBias, computeDatasetElo } from '../../results/analysis.js';
import { CliError, type CliContext } from '../context.js';
import { formatTable } from '../table.js';
import { requireBatch } from './require-batch.js';
import { requireDataset } from './require-dataset.js';

export type AnalysisFormat = 'table' | 'json' | 'csv';

interface BatchAnalysisOptions {
  rounds: number;
  seed?: number;
  exclusions: ExclusionMode;
  format: AnalysisFormat;
}

/** Fixed digits, and never "-0.000" for a value that rounds to zero. */
const fmt = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? '—' : (Math.abs(x) < 0.5 * 10 ** -digits ? 0 : x).toFixed(digits));
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(100 * x).toFixed(1)} %`);
const interval = (c: { low: number; high: number } | null, f: (x: number) => string) => (c ? `[${f(c.low)}, ${f(c.high)}]` : '—');

/** JSON or CSV when asked for; false when the caller prints its table. */
function machineOutput(ctx: CliContext, format: AnalysisFormat, result: unknown, table: () => AnalysisTable): boolean {
  if (format === 'json') ctx.out(JSON.stringify(result, null, 2));
  else if (format === 'csv') {
    const t = table();
    ctx.stdout.write(csvRecord(t.header) + t.rows.map(csvRecord).join(''));
  }
  return format !== 'table';
}

const exclusionsLine = (e: { mode: string; excludedRaters: number }) =>
  `Exclusions ${e.mode === 'applied' ? 'applied' : 'not applied (--exclusions none)'}: the batch's rules exclude ${e.excludedRaters} rater(s).`;

export async function eloCommand(ctx: CliContext, datasetArg: string, options: { categories: string[] | null; anchor: string | null; rounds: number; seed?: number; format: AnalysisFormat }): Promise<void> {
  const dataset = await requireDataset(ctx, datasetArg);
  const outcome = await computeDatasetElo(ctx.db.sql, dataset.id, { anchor: options.anchor, categories: options.categories, rounds: options.rounds, seed: options.seed });
  if (!outcome.ok) {
    const what = outcome.reason === 'unknown-anchor' ? `--anchor ${outcome.value}: no such model in "${dataset.name}"; its models are` : `--category ${outcome.value}: no such category in "${dataset.name}"; its categories are`;
    throw new CliError(`${what}: ${outcome.known.join(', ')}.`, 2);
  }
  const elo = outcome.elo;
  if (machineOutput(ctx, options.format, elo, () => eloTable(elo))) return;
  ctx.out(`pElo of "${dataset.name}": Bradley–Terry on the Elo scale, anchor ${elo.anchor} = 1000; 95% bootstrap over battles, ${elo.rounds} rounds, seed ${elo.seed}.`);
  for (const s of elo.subsets) {
    ctx.out(`\n${s.category ?? 'Overall'} (${s.battles} battles)`);
    if (s.ranked.length) ctx.out(formatTable(['Rank', 'Rank interval', 'Model', 'pElo', '95% interval', 'Battles'], s.ranked.map((m) => [m.rank, `${m.rankCi.low}-${m.rankCi.high}`, m.model, `${m.bound === 'lower' ? '>= ' : m.bound === 'upper' ? '<= ' : ''}${m.rating.toFixed(1)}`, m.bound ? `${m.bound === 'lower' ? 'won' : 'lost'} every battle` : interval(m.ci, (x) => x.toFixed(1)), m.battles])));
    for (const m of s.apart) ctx.out(`  not ranked: ${m.model} (${m.battles} battles): ${m.reason}`);
  }
}

export async function agreementCommand(ctx: CliContext, batchArg: string, options: BatchAnalysisOptions & { by: 'topic' | 'category' | null }): Promise<void> {
  const batch = await requireBatch(ctx, batchArg);
  const result = await computeBatchAgreement(ctx.db.sql, batch, { by: options.by, rounds: options.rounds, seed: options.seed, exclusions: options.exclusions });
  if (machineOutput(ctx, options.format, result, () => agreementTable(result))) return;
  ctx.out(`Agreement in "${batch.name}": 95% bootstrap over tasks, ${options.rounds} rounds, seed ${result.seed}. ${exclusionsLine(result.exclusions)}`);
  const show = (title: string, a: Agreement) => {
    ctx.out(`\n${title}: ${a.tasks.counted} of ${a.tasks.rated} rated tasks have two or more ratings (${a.ratings} ratings, ${a.pairs} pairs); only those count.`);
    if (a.tasks.counted === 0) return;
    ctx.out(formatTable(['Figure', 'Estimate', '95% interval'], [
      ["Krippendorff's alpha (MASI)", fmt(a.alphaMasi.estimate), interval(a.alphaMasi.ci, fmt)],
      ["Krippendorff's alpha (Jaccard)", fmt(a.alphaJaccard.estimate), interval(a.alphaJaccard.ci, fmt)],
      ['Pairs who ticked the same options', pct(a.pairAgreement.estimate), interval(a.pairAgreement.ci, pct)],
      ...Object.entries(a.alphaByKind).map(([kind, f]) => [`alpha on ticking ${kind}`, fmt(f.estimate), interval(f.ci, fmt)]),
    ]));
  };
  show('All tasks', result.overall);
  for (const s of result.slices) show(`${options.by}: ${s.key}`, s.agreement);
}

export async function positionBiasCommand(ctx: CliContext, batchArg: string, options: BatchAnalysisOptions): Promise<void> {
  const batch = await requireBatch(ctx, batchArg);
  const result = await computeBatchPositionBias(ctx.db.sql, batch, { rounds: options.rounds, seed: options.seed, exclusions: options.exclusions });
  if (machineOutput(ctx, options.format, result, () => positionBiasTable(result))) return;
  ctx.out(`Selection rate by displayed slot in "${batch.name}" (${result.raters} raters; "other" is always 6th and left out; intervals in --format json or csv). ${exclusionsLine(result.exclusions)}`);
  const p = (t: typeof result.equalRates) => (t ? `chi2 ${t.statistic.toFixed(2)}, df ${t.df}, p ${t.pValue.toPrecision(2)}` : '—');
  ctx.out(formatTable(['Kind', 'Slot 1', 'Slot 2', 'Slot 3', 'Slot 4', 'Slot 5', 'Equal rates'], [
    ['all kinds', ...result.bySlot.map((s) => pct(s.rate)), p(result.equalRates)],
    ...result.byKind.map((k) => [k.kind, ...k.bySlot.map((s) => pct(s.rate)), p(k.equalRates)]),
  ]));
  if (result.bySide) {
    ctx.out('\nBy the side the preferred response was shown on:');
    ctx.out(formatTable(['Kind', 'Shown first', 'Shown second', 'Difference', '95% interval'], result.bySide.map((s) => [s.kind, pct(s.preferredFirst.rate), pct(s.preferredSecond.rate), pct(s.difference.estimate), interval(s.difference.ci, pct)])));
  }
}

export async function convergenceCommand(ctx: CliContext, batchArg: string, options: BatchAnalysisOptions & { width: number }): Promise<void> {
  const batch = await requireBatch(ctx, batchArg);
  const result = await computeBatchConvergence(ctx.db.sql, batch, { width: options.width, rounds: options.rounds, seed: options.seed, exclusions: options.exclusions });
  if (machineOutput(ctx, options.format, result, () => convergenceTable(result))) return;
  ctx.out(`Convergence in "${batch.name}": ${result.raters} finished raters; target interval width ${result.targetWidth}. ${exclusionsLine(result.exclusions)}`);
  ctx.out(formatTable(['Ratio', 'Width now', `Raters for ${result.targetWidth}`, 'Status'], result.ratios.map((r) => [r.label, fmt(r.width), r.projectedRaters === null ? '—' : r.projectedRaters, r.reached ? 'reached' : r.projectedRaters === null ? 'not enough raters yet' : 'not yet'])));
}
