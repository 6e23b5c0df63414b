// Loaded with --import before a module under test: writes the URL of every module the process
// resolves, one per line, to the file named in PREFBASIS_RECORD_MODULES (test/results/worker-modules.test.ts).
import { register } from 'node:module';

register('./record-modules-hook.mjs', import.meta.url, { data: { file: process.env.PREFBASIS_RECORD_MODULES } });
