// Starts a worker thread's module compiled (`npm start`), or from source under tsx (tests,
// `npm run cli`), where worker-from-source.mjs registers the same loader in the worker first and
// then imports the module named in workerData.sourceModule.
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** A function that starts the worker module `name` (e.g. 'export-worker', beside this file) with its data. */
export function workerStarter(name: string): (workerData: object, options?: Omit<WorkerOptions, 'workerData'>) => Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? './worker-from-source.mjs' : `./${name}.js`, import.meta.url);
  return (workerData, options = {}) => new Worker(url, { ...options, workerData: { ...workerData, sourceModule: `./${name}.ts` } });
}
