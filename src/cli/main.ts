// prefbasis: the command line's entry point (process.ts does the work); exits with its code.
import { runCliProcess } from './process.js';

// `prefbasis metrics … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const code = await runCliProcess(process.argv.slice(2));
if (code !== 0) process.exit(code);
