#!/usr/bin/env node
// Runs the built CLI (npm run build); during development use `npm run cli -- <args>`.
import('../dist/src/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('PrefBasis is not built yet: run `npm run build` first (or use `npm run cli -- <args>`).');
    process.exit(1);
  }
  throw err;
});
