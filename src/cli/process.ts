// `prefbasis` as a process: real streams, the configured database and Prolific, the password
// prompt. While a server holds the embedded database, the command runs through that server instead
// (issue 12.1): the same command, the same output, without stopping the server.
import path from 'node:path';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connection.js';
import { findLocalServer, type LocalServer } from '../local-server.js';
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
  terminal: () => (process.stderr.isTTY ? process.stderr : null),
  prolific: () => {
    const prolific = loadConfig().prolific;
    return prolific ? new ProlificClient(prolific) : null;
  },
};

/** Runs one command line; returns its exit code. */
export async function runCliProcess(given: readonly string[]): Promise<number> {
  // File names are the user's: relative to where they typed the command (npm run moves to the
  // package root and says where it came from in INIT_CWD), and absolute for a relaying server.
  const argv = withAbsolutePaths(given, process.env.INIT_CWD ?? process.cwd());
  const server = runningServer(argv);
  if (server) {
    const relayed = await relayToServer(server, argv).catch(() => null);
    // The server went away between the check and the call: the database is free now.
    if (relayed !== null) return relayed;
  }
  return runCli(argv, processIo);
}

/** The server holding the embedded database, when this command needs the database; else null. */
function runningServer(argv: readonly string[]): LocalServer | null {
  if (argv.length === 0 || argv[0] === 'help' || argv.includes('--help') || argv.includes('-h')) return null;
  let config;
  try {
    config = loadConfig();
  } catch {
    return null; // runCli says what is wrong with the environment
  }
  if (config.database.kind !== 'embedded' || config.database.dataDir === null) return null;
  const server = findLocalServer(config.database.dataDir);
  return server && server.pid !== process.pid ? server : null;
}

/** Options and positionals that name files: made absolute, since the server runs elsewhere. */
const FILE_OPTIONS = new Set(['--out', '--export-prompts', '--import-replies']);

export function withAbsolutePaths(argv: readonly string[], cwd: string): string[] {
  return argv.map((arg, i) => {
    const previous = argv[i - 1];
    if (previous !== undefined && FILE_OPTIONS.has(previous)) return path.resolve(cwd, arg);
    const inline = /^(--out|--export-prompts|--import-replies)=(.*)$/.exec(arg);
    if (inline) return `${inline[1]}=${path.resolve(cwd, inline[2] as string)}`;
    if (argv[0] === 'import' && i === 1) return path.resolve(cwd, arg);
    return arg;
  });
}

async function relayToServer(server: LocalServer, argv: readonly string[]): Promise<number> {
  const secret = argv[0] === 'admin' ? await readSecretFromStdin() : null;
  // API keys for `evaluate` come from this shell, as when the command runs here.
  const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => /^[A-Z][A-Z0-9_]*_API_KEY$/.test(e[0]) && e[1] !== undefined));
  const res = await fetch(new URL('/local/cli', server.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-PrefBasis-Local-Key': server.key },
    body: JSON.stringify({ argv, secret, env }),
  });
  if (!res.ok || !res.body) throw new Error(`the server answered ${res.status}`);
  process.stderr.write(`(through the PrefBasis server at ${server.url}, which holds the embedded database)\n`);
  let code = 1;
  let pending = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    pending += decoder.decode(chunk as Uint8Array, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      const message = JSON.parse(line) as { out?: string; err?: string; chunk?: string; exit?: number };
      if (message.out !== undefined) process.stdout.write(message.out + '\n');
      if (message.chunk !== undefined) process.stdout.write(message.chunk);
      if (message.err !== undefined) process.stderr.write(message.err + '\n');
      if (message.exit !== undefined) code = message.exit;
    }
  }
  return code;
}
