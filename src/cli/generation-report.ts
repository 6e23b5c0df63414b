// The task-generation report on the terminal: skips by reason and the category table (issue 14.1).
import { coverageWarningText, percent } from '../core/category-coverage.js';
import { SKIP_REASON_TEXT, SKIP_REASONS, type GenerationReport } from '../core/task-generation.js';
import { formatTable } from './table.js';

export function formatGenerationReport(report: GenerationReport): string[] {
  const lines = SKIP_REASONS.filter((reason) => report.skippedByReason[reason]).map((reason) => `  skipped ${report.skippedByReason[reason]} datapoints: ${SKIP_REASON_TEXT[reason]}`);
  lines.push(
    `Categories (p drawn ${report.categoryDraw === 'uniform' ? 'uniformly among each datapoint\'s categories, SPEC 2' : 'among each datapoint\'s usable categories'}):`,
    formatTable(
      ['Category', 'Datapoints', 'In dataset', 'Expected share', 'Share of tasks', 'Warning'],
      report.categories.map((c) => [c.category, c.datapoints, percent(c.prevalence), percent(c.expectedShare), percent(c.taskShare), coverageWarningText(c.warning)]),
    ),
  );
  const flagged = report.categories.filter((c) => c.warning).length;
  if (flagged && report.categoryDraw === 'uniform') {
    lines.push(`${flagged} categor${flagged === 1 ? 'y is' : 'ies are'} lost or shifted by skipped datapoints; --category-draw usable draws only among categories that can form a task, and loses fewer datapoints.`);
  }
  return lines;
}
