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

/** How a job asked of a kept worker ended: its reply, or why there is none. */
export type WorkerOutcome<T> = { answered: true; reply: T } | { answered: false; error: Error };

/**
 * Posts `job` to `worker` and waits for the reply with the job's id, or for the worker to fail
 * (an error, a reply it cannot read, its exit) or `timeout` to pass; the listeners are gone either
 * way. A worker that answered can take the next job; one that did not is the caller's to end.
 */
export function askWorker<T extends { id: number }, J extends { id: number } = { id: number }>(worker: Worker, job: J, what: string, timeout?: { ms: number; message: string }): Promise<WorkerOutcome<T>> {
  return new Promise((resolve) => {
    const timer = timeout ? setTimeout(() => settle({ answered: false, error: new Error(timeout.message) }), timeout.ms) : undefined;
    timer?.unref();
    const settle = (outcome: WorkerOutcome<T>) => {
      clearTimeout(timer);
      worker.off('message', onMessage).off('error', onError).off('messageerror', onError).off('exit', onExit);
      resolve(outcome);
    };
    const onMessage = (reply: T) => {
      if (reply.id === job.id) settle({ answered: true, reply });
    };
    const onError = (error: Error) => settle({ answered: false, error });
    const onExit = (code: number) => settle({ answered: false, error: new Error(`${what} stopped (exit code ${code}) before it answered`) });
    worker.on('message', onMessage).on('error', onError).on('messageerror', onError).on('exit', onExit);
    worker.postMessage(job);
  });
}
