// Where a worker thread's module is: compiled (`npm start`), or from source under tsx (tests,
// `npm run cli`), where worker-from-source.mjs registers the same loader in the worker first.

export interface WorkerScript {
  /** What to pass to `new Worker`. */
  url: URL;
  /** For workerData.sourceModule: the module worker-from-source.mjs imports when run from source. */
  sourceModule: string;
}

/** The worker module `name` (e.g. 'export-worker') beside this file. */
export function workerScript(name: string): WorkerScript {
  const fromSource = import.meta.url.endsWith('.ts');
  return {
    url: new URL(fromSource ? './worker-from-source.mjs' : `./${name}.js`, import.meta.url),
    sourceModule: `./${name}.ts`,
  };
}
