// prefbasis: the process around runCli (run.ts): real streams, the configured database and
// Prolific, the password prompt; the exit code it returns.
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connection.js';
import { ProlificClient } from '../prolific/client.js';
import type { CliIo } from './context.js';
import { runCli } from './run.js';
import { readSecretFromStdin } from './secret.js';

// Read when a command needs them, so `prefbasis --help` works whatever the environment holds.
const processIo: CliIo = {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
  stdout: process.stdout,
  readSecret: readSecretFromStdin,
  openDatabase: () => openDatabase(loadConfig().database),
  baseUrl: () => {
    const config = loadConfig();
    return config.publicBaseUrl ?? `http://${config.host}:${config.port}`;
  },
  env: (name) => process.env[name],
  prolific: () => {
    const prolific = loadConfig().prolific;
    return prolific ? new ProlificClient(prolific) : null;
  },
};

// `prefbasis metrics … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const code = await runCli(process.argv.slice(2), processIo);
if (code !== 0) process.exit(code);
