// The README's commands while `npm start` runs on the embedded database (issue 12.1): each runs
// through the server that holds the database, as written, with the same output and exit codes.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { replyMarking, startChatStandIn } from '../helpers/chat-stand-in.js';

let dir: string;
let work: string;
let server: ServerProcess;
// The embedded database in a folder of this test's own (DATABASE_URL unset, as in the README).
const env = () => ({ PREFBASIS_DATA_DIR: path.join(dir, 'db'), DATABASE_URL: '' });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'prefbasis-beside-'));
  work = await mkdtemp(path.join(tmpdir(), 'prefbasis-work-'));
  server = await startServerProcess({ ...env(), PREFBASIS_DEMO: '1' });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  if (work) await rm(work, { recursive: true, force: true });
});

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command line as a user types it, from `cwd`, with stdin given. */
function run(command: string, args: string[], options: { cwd?: string; stdin?: string } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd ?? PROJECT_ROOT, env: { ...process.env, ...env() } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(options.stdin ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const cli = (args: string[], options: { cwd?: string; stdin?: string } = {}) => run('npm', ['run', '--silent', '--prefix', PROJECT_ROOT, 'cli', '--', ...args], options);

describe('the CLI beside a running server on the embedded database', () => {
  it('lists batches through the server instead of failing on the held database', async () => {
    const listed = await cli(['batch', 'list']);
    expect(listed.stderr).not.toMatch(/in use by process|at .*\.ts:\d+/);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('demo study');
    expect(listed.stderr).toContain('through the PrefBasis server');
  }, 60_000);

  it("runs the README's API example: a token made by the CLI opens the API", async () => {
    const token = (await cli(['token', 'create', '--name', 'me'])).stdout.trim();
    expect(token).toMatch(/^pb_\S+$/);
    const res = await fetch(`${server.url}/api/v1/datasets`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { datasets: { name: string }[] }).datasets.map((d) => d.name)).toContain('demo (synthetic)');
  }, 60_000);

  it('simulates raters with the script, reads their metrics, and exports to a file named from where the command was typed', async () => {
    const simulated = await run('npx', ['tsx', path.join(PROJECT_ROOT, 'scripts/simulate-raters.ts'), '--batch', 'demo study', '--raters', '3'], { cwd: PROJECT_ROOT });
    expect(simulated.code, simulated.stderr).toBe(0);
    expect(simulated.stdout).toContain('Simulated 3 raters on batch "demo study"');
    const metrics = JSON.parse((await cli(['metrics', 'demo study', '--format', 'json', '--rounds', '100'])).stdout) as { overall: { n: { raters: number } } };
    expect(metrics.overall.n.raters).toBe(3);
    const exported = await cli(['export', 'demo study', '--out', 'answers.csv'], { cwd: work });
    expect(exported.code, exported.stderr).toBe(0);
    expect(parse(await readFile(path.join(work, 'answers.csv'), 'utf8'), { columns: true })).toHaveLength(60);
  }, 90_000);

  it('creates a console account with the password piped in, and keeps error messages and exit codes', async () => {
    const created = await cli(['admin', 'create', '--email', 'me@example.org', '--role', 'researcher'], { stdin: 'a long enough password\n' });
    expect(created.code, created.stderr).toBe(0);
    const signIn = await fetch(`${server.url}/console/sign-in`);
    expect(signIn.status).toBe(200);
    const missing = await cli(['batch', 'show', 'no-such-batch']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no-such-batch/);
    expect(missing.stderr).not.toMatch(/at .*\.ts:\d+/);
  }, 60_000);

  it('runs an LLM evaluator through the server, and stops it when the CLI is interrupted (it resumes when run again)', async () => {
    const stand = await startChatStandIn((req) => ({ reply: replyMarking(new Map(), req, []), delayMs: 150 }));
    try {
      const args = ['evaluate', 'demo study', '--model', 'slow-model', '--base-url', stand.url, '--concurrency', '1', '--limit', '40'];
      const child = spawn('npm', ['run', '--silent', '--prefix', PROJECT_ROOT, 'cli', '--', ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env() }, detached: true });
      for (let i = 0; i < 200 && stand.requests.length < 3; i++) await new Promise((r) => setTimeout(r, 50));
      expect(stand.requests.length).toBeGreaterThanOrEqual(3);
      // Ctrl-C on the whole command (npm, tsx and node).
      process.kill(-(child.pid as number), 'SIGINT');
      await new Promise((r) => setTimeout(r, 1500));
      const atStop = stand.requests.length;
      await new Promise((r) => setTimeout(r, 1500));
      expect(stand.requests.length).toBeLessThanOrEqual(atStop + 1);
      expect(stand.requests.length).toBeLessThan(40);
    } finally {
      await stand.close();
    }
    // Run again: it resumes where it stopped (the lease of the stopped run was given back).
    const fast = await startChatStandIn((req) => ({ reply: replyMarking(new Map(), req, []) }));
    try {
      const again = await cli(['evaluate', 'demo study', '--model', 'slow-model', '--base-url', fast.url, '--concurrency', '4', '--limit', '40']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/\(resumed\)/);
      expect(fast.requests.length).toBeLessThan(40);
    } finally {
      await fast.close();
    }
  }, 90_000);

  it('sends nothing to a listener that cannot prove it holds the key', async () => {
    const hello = await fetch(`${server.url}/local/hello?nonce=${'0f'.repeat(8)}`);
    expect(((await hello.json()) as { proof: string }).proof).toMatch(/^[0-9a-f]{64}$/);
    const help = await cli(['export', 'demo study', '--help']);
    expect(help.stdout).toMatch(/^Usage: prefbasis export \[options\]/);
  }, 60_000);

  it('refuses a command relayed without the key, and runs commands locally again once the server stopped', async () => {
    const forged = await fetch(`${server.url}/local/cli`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ argv: ['batch', 'list'] }) });
    expect(forged.status).toBe(403);
    await server.stop();
    const local = await cli(['batch', 'list']);
    expect(local.code).toBe(0);
    expect(local.stdout).toContain('demo study');
    expect(local.stderr).not.toContain('through the PrefBasis server');
  }, 60_000);
});
