// What a batch's frozen tasks mean for its raters (issue 12.6): datapoints skipped and why, and how
// often each task will be rated when the dataset gives fewer tasks than the batch asked for.
import { SKIP_REASON_TEXT, SKIP_REASONS, type GenerationReport } from './task-generation.js';

export interface TaskSupply {
  /** One line per skip reason met: "Skipped 12 datapoints: …". */
  skips: string[];
  /** Set when fewer tasks were made than the batch asked for. */
  shortfall: string | null;
}

/** `batch.ratingsPerTask` null asks for one rating per task (as many tasks as ratings). */
export function describeTaskSupply(report: Pick<GenerationReport, 'made' | 'skippedByReason'>, batch: { raters: number; questions: number; ratingsPerTask: number | null }): TaskSupply {
  const skips = SKIP_REASONS.filter((r) => report.skippedByReason[r]).map((r) => {
    const n = report.skippedByReason[r];
    return `Skipped ${n} datapoint${n === 1 ? '' : 's'}: ${SKIP_REASON_TEXT[r]}.`;
  });
  const ratings = batch.raters * batch.questions;
  const asked = batch.ratingsPerTask ?? 1;
  const wanted = Math.ceil(ratings / asked);
  if (report.made >= wanted || report.made === 0) return { skips, shortfall: null };
  const each = (ratings / report.made).toFixed(1);
  return {
    skips,
    shortfall: `The dataset gives ${report.made} tasks where ${wanted} were asked for (${batch.raters} raters × ${batch.questions} questions${batch.ratingsPerTask ? `, ${asked} ratings each` : ''}): each task will be rated about ${each} times, more than the ${asked} asked.`,
  };
}
