// The worker thread of results/metrics.ts: for each job it is sent, opens two connections, reads
// what the figures are computed from and their data version in one snapshot, computes them
// (nothing here waits on it but the request that asked) and sends them to the server's thread.
// It is kept for the next job, its code warm.
import { parentPort, type Worker } from 'node:worker_threads';
import { overallStream } from '../core/metric-slices.js';
import { drawHalf, mergeRaterTotals, metricsBeside, type BootstrapHalf, type BootstrapSamples } from '../core/metrics.js';
import { findAnswersVersion } from '../db/answers.js';
import { openWorkerConnection, readSharedSnapshot } from '../db/sql-runner.js';
import type { BootstrapJob, BootstrapReply } from './bootstrap-worker.js';
import { METRICS_APPLICATION_NAME, slicesBeside, startMetricsInputs, type MetricsJob, type MetricsWorkerInput, type MetricsWorkerMessage, type MetricsWorkerReply } from './metrics.js';
import { askWorker, workerStarter } from './worker-script.js';

const port = parentPort;
if (!port) throw new Error('metrics-worker.ts runs as a worker thread (results/metrics.ts starts it)');

const startBootstrapWorker = workerStarter('bootstrap-worker');
/** The helper thread, started at the first bootstrap and kept while this worker is (it ends with it). */
let helper: Worker | null = null;
let lastHalfId = 0;

/**
 * Draws a bootstrap half in the helper thread; if the helper fails, here instead (the same
 * figures, one core). A helper that failed is replaced at the next half.
 */
function drawElsewhere(half: BootstrapHalf): Promise<BootstrapSamples> {
  return drawInHelper(half).catch(() => drawHalf(half));
}

async function drawInHelper(half: BootstrapHalf): Promise<BootstrapSamples> {
  if (!helper) {
    const started = startBootstrapWorker({});
    started.on('error', () => {});
    started.once('exit', () => {
      if (helper === started) helper = null;
    });
    helper = started;
  }
  const worker = helper;
  worker.ref();
  const outcome = await askWorker<BootstrapReply, BootstrapJob>(worker, { id: ++lastHalfId, half }, 'the bootstrap helper');
  // Idle, it does not keep this worker alive.
  worker.unref();
  if (outcome.answered) return outcome.reply.samples;
  // One that did not answer (e.g. a reply it could not send readably) is ended.
  if (helper === worker) helper = null;
  void worker.terminate();
  throw outcome.error;
}

async function main({ connectionString, query }: MetricsWorkerInput): Promise<MetricsWorkerMessage> {
  // Two connections in one snapshot: the exclusions (and the version, or the slices' classes) are
  // read on the second while the first reads the totals (at 1,000,000 answers ~0.7 s).
  const { sql, close } = openWorkerConnection(connectionString, METRICS_APPLICATION_NAME, 2);
  try {
    const { version, summary, overall, slices } = await readSharedSnapshot(sql, async (first, second) => {
      const batchIds = query.batches.map((b) => b.id);
      // The version is read beside the totals; but when the second connection counts topic or
      // category slices, they start at once and the version follows the totals on the first.
      const slicesInSql = query.by === 'topic' || query.by === 'category';
      let version = slicesInSql ? null : findAnswersVersion(second, batchIds);
      // Awaited below: a failure is not unhandled while the inputs are read.
      version?.catch(() => {});
      const inputs = startMetricsInputs(first, query, second);
      // The slices' bootstraps start as soon as their classes are counted (on the second
      // connection, while the first still reads the totals): a core would wait otherwise.
      const sliceFigures = inputs.slices.then((slices) => slicesBeside(slices, query, drawElsewhere));
      sliceFigures.catch(() => {});
      // When the version's statement fails, the next on its connection fails only as "transaction
      // aborted": the version's own error is the one to report.
      const { summary, overallRows, overallClasses } = await inputs.totals.catch(async (err: unknown) => {
        await version;
        throw err;
      });
      version ??= findAnswersVersion(first, batchIds);
      version.catch(() => {});
      // The overall bootstrap runs beside the slices' (and PostgreSQL counting them), half of it in
      // the helper thread (the same figures as mergedSteps).
      const clusters = overallClasses ? { classes: overallClasses } : { raters: mergeRaterTotals(overallRows) };
      const overall = await metricsBeside(clusters, overallStream(query.seed), query.options, drawElsewhere);
      return { version: await version, summary, overall, slices: await sliceFigures };
    });
    return { type: 'done', version, figures: { by: query.by, seed: query.seed, overall, slices, exclusions: summary } };
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
