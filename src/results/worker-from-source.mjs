// Starts a worker thread's TypeScript module from source (tests, `npm run cli`, `npm run dev`):
// registers tsx in the worker first, which a worker's execArgv cannot do, then imports the module
// its starter named in workerData.sourceModule. Built code starts the compiled module directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(new URL(workerData.sourceModule, import.meta.url).href);
