// `prefbasis` as a process: real streams, the configured database and Prolific, the password
// prompt. While a server holds the embedded database, the command runs through that server instead
// (issue 12.1): the same command, the same output, without stopping the server.
import path from 'node:path';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connection.js';
import { findLocalServer, type LocalServer } from '../local-server.js';
import { ProlificClient } from '../prolific/client.js';
import { randomBytes } from 'node:crypto';
import { keyProof } from '../local-server.js';
import { CliError, type CliIo } from './context.js';
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
    const relayed = await relayToServer(server, argv);
    // Null only when no server answered at all: the database is free, the command runs here.
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

/** Options that name files, and the options of `import` that take a value (so its file is found). */
const FILE_OPTIONS = new Set(['--out', '--export-prompts', '--import-replies']);
const VALUE_OPTIONS = new Set(['--name', ...FILE_OPTIONS]);

/** File names made absolute (from `cwd`), since a relaying server runs elsewhere. */
export function withAbsolutePaths(argv: readonly string[], cwd: string): string[] {
  // `import`'s file is its first positional: not an option, nor an option's value.
  const importFile = argv[0] === 'import' ? argv.findIndex((a, i) => i > 0 && !a.startsWith('-') && !VALUE_OPTIONS.has(argv[i - 1] ?? '')) : -1;
  return argv.map((arg, i) => {
    const previous = argv[i - 1];
    if (previous !== undefined && FILE_OPTIONS.has(previous)) return path.resolve(cwd, arg);
    const inline = /^(--out|--export-prompts|--import-replies)=(.*)$/.exec(arg);
    if (inline) return `${inline[1]}=${path.resolve(cwd, inline[2] as string)}`;
    if (i === importFile) return path.resolve(cwd, arg);
    return arg;
  });
}

/**
 * Runs the command through the server; its exit code, or null when no server answered (then, and
 * only then, it may run here). Secrets go only to a server that proved it holds the note's key.
 */
async function relayToServer(server: LocalServer, argv: readonly string[]): Promise<number | null> {
  let secret: string | null = null;
  try {
    if (argv[0] === 'admin') secret = await readSecretFromStdin();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  }
  if (!(await serverHoldsKey(server))) return null;
  let res: Response;
  try {
    res = await fetch(new URL('/local/cli', server.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-PrefBasis-Local-Key': server.key },
      body: JSON.stringify({ argv, secret, env: apiKeyFor(argv) }),
    });
  } catch {
    return null;
  }
  if (!res.ok || !res.body) {
    process.stderr.write(`The PrefBasis server at ${server.url} refused the command (${res.status}).\n`);
    return 1;
  }
  process.stderr.write(`(through the PrefBasis server at ${server.url}, which holds the embedded database)\n`);
  try {
    return await printRelayed(res.body);
  } catch {
    // Accepted, then cut: it may have run in part; running it again here could do it twice.
    process.stderr.write(`The PrefBasis server at ${server.url} stopped answering while running the command; it may have run in part. Check (e.g. batch show) before running it again.\n`);
    return 1;
  }
}

/**
 * The one API key `evaluate` reads (--api-key-env, default OPENAI_API_KEY) from this shell, as when
 * the command runs here; nothing for other commands.
 */
function apiKeyFor(argv: readonly string[]): Record<string, string> {
  if (argv[0] !== 'evaluate') return {};
  const flag = argv.indexOf('--api-key-env');
  const name = argv.find((a) => a.startsWith('--api-key-env='))?.slice('--api-key-env='.length) ?? (flag >= 0 ? argv[flag + 1] : undefined) ?? 'OPENAI_API_KEY';
  const value = /^[A-Z][A-Z0-9_]*_API_KEY$/.test(name) ? process.env[name] : undefined;
  return value ? { [name]: value } : {};
}

/** Asks the server to sign a fresh nonce with the note's key: true when it can (it wrote the note). */
async function serverHoldsKey(server: LocalServer): Promise<boolean> {
  const nonce = randomBytes(16).toString('hex');
  try {
    const res = await fetch(new URL(`/local/hello?nonce=${nonce}`, server.url));
    const body = (await res.json()) as { proof?: unknown };
    return typeof body.proof === 'string' && body.proof === keyProof(server.key, nonce);
  } catch {
    return false;
  }
}

/** Prints the server's JSON lines as the command's own output; returns its exit code. */
async function printRelayed(body: ReadableStream<Uint8Array>): Promise<number> {
  let code = 1;
  let pending = '';
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
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
