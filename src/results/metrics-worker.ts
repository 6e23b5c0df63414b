// The worker thread of results/metrics.ts: for each job it is sent, opens two connections, reads
// what the figures are computed from and their data version in one snapshot, computes them
// (nothing here waits on it but the request that asked) and sends them to the server's thread.
// It is kept for the next job, its code warm.
import { parentPort } from 'node:worker_threads';
import { overallStream } from '../core/metric-slices.js';
import { drain } from '../core/steps.js';
import { findAnswersVersion } from '../db/answers.js';
import { openWorkerConnection, readSharedSnapshot } from '../db/sql-runner.js';
import { mergedSteps, METRICS_APPLICATION_NAME, readMetricsInputs, sliceSteps, type MetricsJob, type MetricsWorkerInput, type MetricsWorkerMessage, type MetricsWorkerReply } from './metrics.js';

const port = parentPort;
if (!port) throw new Error('metrics-worker.ts runs as a worker thread (results/metrics.ts starts it)');

async function main({ connectionString, query }: MetricsWorkerInput): Promise<MetricsWorkerMessage> {
  // Two connections in one snapshot: the data version and the exclusions are read on the second
  // while the first reads the totals (at 1,000,000 answers 0.3-0.6 s and 0.9 s).
  const { sql, close } = openWorkerConnection(connectionString, METRICS_APPLICATION_NAME, 2);
  try {
    const { version, summary, overall, slices } = await readSharedSnapshot(sql, async (first, second) => {
      const version = findAnswersVersion(second, query.batches.map((b) => b.id));
      // Awaited below: a failure is not unhandled while the inputs are read.
      version.catch(() => {});
      // When the version's statement fails, the next on its connection fails only as "transaction
      // aborted": the version's own error is the one to report.
      const inputs = await readMetricsInputs(first, query, second).catch(async (err: unknown) => {
        await version;
        throw err;
      });
      // The overall bootstrap runs while PostgreSQL counts the slices' classes (1.2 s by topic at
      // 1,000,000 answers).
      const overall = drain(mergedSteps(inputs.overallRows, overallStream(query.seed), query.options));
      return { version: await version, summary: inputs.summary, overall, slices: await inputs.slices };
    });
    const sliceFigures = sliceSteps(slices, query).map(([key, steps]) => ({ key, metrics: drain(steps) }));
    return { type: 'done', version, figures: { by: query.by, seed: query.seed, overall, slices: sliceFigures, exclusions: summary } };
  } finally {
    await close();
  }
}

port.on('message', ({ id, input }: MetricsJob) => {
  main(input).then(
    (message) => port.postMessage({ ...message, id } satisfies MetricsWorkerReply),
    (err: Error & { code?: unknown }) => port.postMessage({ type: 'failed', message: err.message, code: typeof err.code === 'string' ? err.code : null, id } satisfies MetricsWorkerReply),
  );
});
