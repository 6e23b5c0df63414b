// prefbasis summary <dataset> [--json]
import { summarizeDataset } from '../../core/dataset-summary.js';
import { listAnnotatedDatapoints } from '../../db/datasets.js';
import type { CliContext } from '../context.js';
import { formatTable } from '../table.js';
import { requireDataset } from './require-dataset.js';

export async function summaryCommand(ctx: CliContext, idOrName: string, options: { json: boolean }): Promise<void> {
  const dataset = await requireDataset(ctx, idOrName);
  const summary = summarizeDataset(await listAnnotatedDatapoints(ctx.db.prisma, dataset.id));
  if (options.json) {
    ctx.out(JSON.stringify({ dataset: { id: dataset.id, name: dataset.name }, summary }, null, 2));
    return;
  }
  ctx.out(`Dataset "${dataset.name}" (${dataset.id}): ${summary.datapoints} datapoints, ${summary.granularPhrases} granular phrases (${summary.distinctGranular} distinct)\n`);
  ctx.out(
    formatTable(
      ['Preference category', 'Datapoints', '% of data', 'Distinct granular', 'Most prevalent in'],
      summary.categories.map((c) => [c.category, c.datapoints, c.percent.toFixed(2), c.distinctGranular, c.mostPrevalentIn.slice(0, 2).map((t) => t.topicCategory).join(', ')]),
    ),
  );
  ctx.out('');
  ctx.out(
    formatTable(
      ['Topic category', 'Datapoints', '% of data', 'Most distinctive categories'],
      summary.topics.map((t) => [t.topicCategory, t.datapoints, t.percent.toFixed(2), t.mostDistinctive.slice(0, 2).map((c) => c.category).join(', ')]),
    ),
  );
}
