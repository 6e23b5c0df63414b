// prefbasis metrics <batch...> and prefbasis export <batch>: the researcher's numbers and files.
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { RATE_NAMES, RATIO_NAMES, type Metrics } from '../../core/metrics.js';
import type { SliceBy } from '../../core/metric-slices.js';
import type { ExclusionMode } from '../../core/exclusions.js';
import { writeAnswersExport, writeChecksExport, writeMetricsExport, writeTasksExport, type AnswersFormat } from '../../results/exports.js';
import { computeBatchMetrics } from '../../results/metrics.js';
import { CliError, type CliContext } from '../context.js';
import { requireBatch } from './require-batch.js';
import { getBatchProgress } from '../../db/batches.js';
import { progressBar } from '../progress.js';
import { formatTable } from '../table.js';

export interface MetricsOptions {
  by: SliceBy | null;
  format: 'table' | 'json' | 'csv';
  rounds: number;
  seed?: number;
  includePartial: boolean;
  exclusions: ExclusionMode;
}

export async function metricsCommand(ctx: CliContext, batchArgs: string[], options: MetricsOptions): Promise<void> {
  const batches = await Promise.all(batchArgs.map((b) => requireBatch(ctx, b)));
  const metrics = await computeBatchMetrics(ctx.db.sql, { batches, by: options.by, seed: options.seed, rounds: options.rounds, includePartial: options.includePartial, exclusions: options.exclusions });
  if (options.format === 'json') return ctx.out(JSON.stringify(metrics, null, 2));
  if (options.format === 'csv') {
    await writeMetricsExport(metrics, 'csv', ctx.stdout);
    return;
  }
  ctx.out(`${batches.map((b) => `"${b.name}"`).join(', ')}: bootstrap ${options.rounds} rounds over raters, seed ${metrics.seed}, ${options.includePartial ? 'partial sessions included' : 'completed sessions only'}`);
  const ex = metrics.exclusions;
  ctx.out(`Exclusions ${ex.mode === 'applied' ? 'applied' : 'not applied (--exclusions none)'}: the rules exclude ${ex.excludedRaters} rater(s) (failed checks ${ex.byRule.failed_checks}, speeders ${ex.byRule.speeder}, straight-liners ${ex.byRule.straight_liner}).\n`);
  ctx.out(metricsTable('all', metrics.overall));
  for (const slice of metrics.slices) ctx.out('\n' + metricsTable(`${options.by}: ${slice.key}`, slice.metrics));
}

const fmt = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? '—' : x.toFixed(digits));

function metricsTable(title: string, m: Metrics): string {
  const rows = [
    ...RATE_NAMES.map((name) => [name, fmt(m.rates[name].estimate), `[${fmt(m.rates[name].ci?.low)}, ${fmt(m.rates[name].ci?.high)}]`, '']),
    ...RATIO_NAMES.map((name) => {
      const f = m.ratios[name];
      return [f.label, fmt(f.estimate, 2), f.ci ? `[${fmt(f.ci.low, 2)}, ${f.ci.highUnbounded ? '∞' : fmt(f.ci.high, 2)}]` : '—', f.note ?? ''];
    }),
  ];
  const clusters = m.clusterUnit === 'task' ? 'tasks resampled' : m.clusterUnit === 'mixed' ? 'raters and model tasks resampled' : 'raters';
  return `${title} (${m.n.answers} answers, ${m.n.raters} ${clusters})\n${formatTable(['Figure', 'Estimate', '95% interval', 'Note'], rows)}`;
}

export async function exportCommand(
  ctx: CliContext,
  batchArg: string,
  options: { what: 'answers' | 'tasks' | 'checks' | 'metrics'; format: AnswersFormat; out: string; rounds: number; includePartial: boolean; exclusions: ExclusionMode },
): Promise<void> {
  const { what, format } = options;
  // Checked before the file is created: a refused export leaves nothing behind.
  const textFormat = format === 'parquet' ? null : format;
  if (what !== 'answers' && textFormat === null) throw new CliError(`--format parquet is offered for answers only; use csv or jsonl for the ${what}.`, 2);
  const batch = await requireBatch(ctx, batchArg);
  const file = createWriteStream(options.out);
  let summary: string;
  if (what === 'answers' || textFormat === null) {
    const total = (await getBatchProgress(ctx.db.prisma, batch.id)).answers;
    const bar = progressBar(ctx, `Exporting ${total} answers`);
    summary = `${await writeAnswersExport(ctx.db.sql, batch, format, file, (read) => bar(read, total))} answers`;
  }
  else if (what === 'tasks') summary = `${await writeTasksExport(ctx.db.sql, batch.id, textFormat, file)} tasks`;
  else if (what === 'checks') summary = `${await writeChecksExport(ctx.db.prisma, batch.id, textFormat, file)} attention checks`;
  else {
    const metrics = await computeBatchMetrics(ctx.db.sql, { batches: [batch], by: null, rounds: options.rounds, includePartial: options.includePartial, exclusions: options.exclusions });
    await writeMetricsExport(metrics, textFormat, file);
    summary = 'metrics';
  }
  file.end();
  await finished(file);
  ctx.err(`Wrote ${summary} of batch "${batch.name}" to ${options.out} (${format}).`);
}
