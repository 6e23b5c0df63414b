// The metrics worker's helper thread (metrics-worker.ts): draws the second half of a bootstrap
// (core metricsBeside) while the metrics worker draws the first, on the machine's other core. At
// 1,000,000 answers the overall bootstrap took 0.6-0.8 s in one thread.
import { parentPort } from 'node:worker_threads';
import { drawHalf, type BootstrapHalf, type BootstrapSamples } from '../core/metrics.js';

export interface BootstrapJob {
  id: number;
  half: BootstrapHalf;
}
export interface BootstrapReply {
  id: number;
  samples: BootstrapSamples;
}

const port = parentPort;
if (!port) throw new Error('bootstrap-worker.ts runs as a worker thread (metrics-worker.ts starts it)');

port.on('message', ({ id, half }: BootstrapJob) => {
  port.postMessage({ id, samples: drawHalf(half) } satisfies BootstrapReply);
});
