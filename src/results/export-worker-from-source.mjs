// Starts export-worker.ts from source (tests, `npm run cli`, `npm run dev`): registers tsx in the
// worker first, which a worker's execArgv cannot do. Built code starts export-worker.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./export-worker.ts');
