import { parseDatasetJsonl } from '../src/core/dataset-format.js';
import { summarizeDataset } from '../src/core/dataset-summary.js';
import { generateSyntheticDataset, toJsonl } from '../src/core/synthetic-dataset.js';
import { createRng } from '../src/core/rng.js';
import { generateTasks } from '../src/core/task-generation.js';
for (const n of [18_319, 200_000]) {
  const text = toJsonl(generateSyntheticDataset(n, createRng(1)));
  let t0 = performance.now();
  const parsed = parseDatasetJsonl(text);
  const parseMs = performance.now() - t0;
  if (!parsed.ok) throw new Error('bad');
  const dps = parsed.datapoints.map((d) => ({ ...d, id: d.sourceId }));
  t0 = performance.now();
  summarizeDataset(dps);
  const sumMs = performance.now() - t0;
  t0 = performance.now();
  generateTasks(dps as never, createRng(1), { limit: 1000, categoryDraw: 'uniform' });
  console.log(n, 'parse', parseMs.toFixed(0), 'ms; summary', sumMs.toFixed(0), 'ms; tasks(1000)', (performance.now() - t0).toFixed(0), 'ms', (text.length / 1e6).toFixed(0), 'MB');
}
