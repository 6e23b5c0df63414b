// prefbasis tasks <dataset> --seed N [--limit N] [--category-draw uniform|usable] [--json]: task generation report (SPEC 2).
import { createRng } from '../../core/rng.js';
import { generateTasks, type CategoryDraw } from '../../core/task-generation.js';
import { listAnnotatedDatapoints } from '../../db/datasets.js';
import type { CliContext } from '../context.js';
import { formatGenerationReport } from '../generation-report.js';
import { requireDataset } from './require-dataset.js';

export async function tasksCommand(
  ctx: CliContext,
  idOrName: string,
  options: { seed: number; limit?: number; categoryDraw?: CategoryDraw; json: boolean },
): Promise<void> {
  const dataset = await requireDataset(ctx, idOrName);
  const { tasks, report } = generateTasks(await listAnnotatedDatapoints(ctx.db.prisma, dataset.id), createRng(options.seed), {
    limit: options.limit,
    categoryDraw: options.categoryDraw,
  });
  if (options.json) {
    ctx.out(JSON.stringify({ dataset: { id: dataset.id, name: dataset.name }, seed: options.seed, report, tasks }, null, 2));
    return;
  }
  ctx.out(`Dataset "${dataset.name}", seed ${options.seed}: ${report.considered} datapoints considered, ${report.made} tasks made, ${report.skipped} skipped.`);
  for (const line of formatGenerationReport(report)) ctx.out(line);
}
