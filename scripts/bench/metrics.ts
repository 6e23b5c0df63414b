// Metrics benchmark: the 1,000-round rater bootstrap against the point estimates alone (baseline),
// for the paper's study size (50 raters × 20 answers) and for 1,000 raters × 20 answers.
// Usage: npx tsx scripts/bench/metrics.ts
import { computeSlicedMetrics, type SliceableAnswer } from '../../src/core/metric-slices.js';
import { OPTION_KINDS } from '../../src/core/option-kinds.js';
import { createRng } from '../../src/core/rng.js';

function study(raters: number): SliceableAnswer[] {
  const rng = createRng(raters);
  return Array.from({ length: raters * 20 }, (_, i) => ({
    raterId: `r${Math.floor(i / 20)}`,
    selectedKinds: OPTION_KINDS.filter(() => rng.next() < 0.35),
    batchId: 'b',
    topicCategory: `topic ${i % 21}`,
    sampledCategory: `category ${i % 17}`,
    evaluator: 'human',
  }));
}

function time(fn: () => unknown, repeat: number): number {
  const start = performance.now();
  for (let i = 0; i < repeat; i++) fn();
  return (performance.now() - start) / repeat;
}

for (const raters of [50, 1000]) {
  const answers = study(raters);
  const baseline = time(() => computeSlicedMetrics(answers, null, 1, { rounds: 1, level: 0.95 }), 20);
  const overall = time(() => computeSlicedMetrics(answers, null, 1), 3);
  const byTopic = time(() => computeSlicedMetrics(answers, 'topic', 1), 3);
  console.log(`${raters} raters × 20 answers: baseline (1 round) = 1.0 (${baseline.toFixed(1)} ms); 1,000 rounds overall ${(overall / baseline).toFixed(0)} x (${overall.toFixed(0)} ms); by topic (21 slices) ${(byTopic / baseline).toFixed(0)} x (${byTopic.toFixed(0)} ms)`);
}
