// The command line, driven as a researcher types it (runCli with argv), against a database of the
// test's own: each command's output and exit code, and each error path's message (no stack trace).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { generateSyntheticDataset, toJsonl } from '../../src/core/synthetic-dataset.js';
import type { CliIo } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/run.js';
import { findBatchByIdOrName } from '../../src/db/batches.js';
import { ProlificClient } from '../../src/prolific/client.js';
import { hashToken } from '../../src/db/api-tokens.js';
import { startChatStandIn } from '../helpers/chat-stand-in.js';
import { simulateRaters } from '../helpers/simulate.js';
import { createTestDatabase, serverUrl, withDatabaseName, type TestDatabase } from '../helpers/test-database.js';
import { openDatabase } from '../../src/db/connection.js';

let t: TestDatabase;
let dir: string;
let datasetFile: string;
beforeAll(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(path.join(tmpdir(), 'prefbasis-cli-'));
  datasetFile = path.join(dir, 'synthetic.jsonl');
  await writeFile(datasetFile, toJsonl(generateSyntheticDataset(200, createRng(12))));
});
afterAll(async () => {
  await t?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs one command line as `prefbasis …` would, with the test database and what it printed. */
async function cli(line: string | string[], extra: Partial<CliIo> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString().replace(/\n$/, '')));
  const io: CliIo = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    stdout,
    readSecret: async () => 'a long enough password',
    // The test's database stays open between commands; the CLI "closes" it after each.
    openDatabase: async () => ({ ...t.db, close: async () => {} }),
    baseUrl: () => 'https://study.example.org',
    prolific: () => null,
    env: () => undefined,
    ...extra,
  };
  const code = await runCli(typeof line === 'string' ? line.split(' ') : line, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const noStackTrace = (run: Run) => expect(`${run.out}\n${run.err}`).not.toMatch(/\n\s+at .*:\d+:\d+/);

describe('prefbasis', () => {
  it('prints the usage for --help and no command, and exits 2 naming an unknown command', async () => {
    expect((await cli('--help')).out).toMatch(/^Usage: prefbasis <command>/);
    expect((await cli([])).code).toBe(0);
    const unknown = await cli('frobnicate');
    expect(unknown).toMatchObject({ code: 2, err: expect.stringMatching(/^Unknown command "frobnicate"/) });
    const badFlag = await cli('batch list --colour');
    expect(badFlag.code).toBe(2);
    expect(badFlag.err).toMatch(/Unknown option '--colour'/);
    noStackTrace(badFlag);
  });

  it('prints one command\'s help with --help after it (or help <command>), and the whole usage for an unknown one', async () => {
    const create = await cli('batch create --help');
    expect(create.code).toBe(0);
    expect(create.out).toMatch(/^Usage: prefbasis batch create \[options\]/);
    expect(create.out).toContain('--completion-code CODE');
    expect(create.out).not.toContain('  metrics <batch>');
    expect((await cli('help elo')).out).toMatch(/^Usage: prefbasis elo \[options\]\n\n {2}elo <dataset>/);
    expect((await cli('batch close --help')).out).toContain('batch open|pause|close <batch> [--yes]');
    expect((await cli('frobnicate --help')).out).toMatch(/^No command "frobnicate"\.\n\nUsage: prefbasis <command>/);
  });

  it('says what is wrong with the database and how to fix it, without a stack trace', async () => {
    const missing = serverUrl ? withDatabaseName(serverUrl, 'prefbasis_no_such_database') : null;
    const open = missing ? () => openDatabase({ kind: 'postgres', url: missing }) : async () => Promise.reject(Object.assign(new Error('database "prefbasis_no_such_database" does not exist'), { code: '3D000' }));
    const run = await cli('batch list', { openDatabase: open });
    expect(run).toMatchObject({ code: 1, err: 'Database prefbasis_no_such_database does not exist: create it with `createdb prefbasis_no_such_database` (or point DATABASE_URL at another one; unset it to use the embedded database).' });
    const refused = await cli('batch list', { openDatabase: async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 5999 })) });
    expect(refused.err).toMatch(/^Cannot reach PostgreSQL at 127\.0\.0\.1:5999 \(DATABASE_URL\): is it running\?/);
    noStackTrace(run);
  });

  it('says in one line, without a stack trace, when the embedded database is held by another process', async () => {
    const held = Object.assign(new Error('The embedded database at /x/db is in use by process 4242 (a running PrefBasis server?). Stop that process, or use the HTTP API while it runs.'), { code: 'PREFBASIS_DB_IN_USE' });
    const run = await cli('batch list', { openDatabase: async () => { throw held; } });
    expect(run.code).toBe(1);
    expect(run.err).toBe(held.message);
  });

  it('migrates and says so', async () => {
    expect(await cli('migrate')).toMatchObject({ code: 0, out: expect.stringMatching(/^Database is up to date \(0 migration\(s\) applied now\)\.$/) });
  });

  it('imports a dataset once, says so the second time, and says what is wrong with a file it cannot read', async () => {
    const first = await cli(`import ${datasetFile} --name synthetic`);
    expect(first).toMatchObject({ code: 0, out: expect.stringMatching(/^Imported 200 datapoints as dataset "synthetic"/) });
    expect((await cli(`import ${datasetFile} --name again`)).out).toMatch(/^Already imported: this file's content is dataset "synthetic"/);
    const missing = await cli(`import ${path.join(dir, 'nope.jsonl')}`);
    expect(missing).toMatchObject({ code: 1, err: expect.stringMatching(/^Cannot read .*nope\.jsonl: ENOENT/) });
    const broken = path.join(dir, 'broken.jsonl');
    await writeFile(broken, '{"id": 1}\nnot json\n');
    const invalid = await cli(`import ${broken}`);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/line 1/);
    expect(invalid.err).toMatch(/line 2/);
    noStackTrace(invalid);
    expect(await t.db.prisma.dataset.count()).toBe(1);
  });

  it('prints a dataset summary as tables and as JSON', async () => {
    const tables = (await cli('summary synthetic')).out;
    expect(tables).toMatch(/^Dataset "synthetic" \(\S+\): 200 datapoints/);
    expect(tables).toMatch(/Preference category/);
    expect(tables).toMatch(/Topic category/);
    const json = JSON.parse((await cli('summary synthetic --json')).out) as { dataset: { name: string }; summary: { datapoints: number } };
    expect(json).toMatchObject({ dataset: { name: 'synthetic' }, summary: { datapoints: 200 } });
    expect((await cli('summary nothing-like-it')).code).toBe(1);
  });

  it('generates tasks for a seed, and asks for --seed when it is missing', async () => {
    const tasks = await cli('tasks synthetic --seed 3 --limit 5 --json');
    expect(tasks.code).toBe(0);
    expect((JSON.parse(tasks.out) as { tasks: unknown[] }).tasks).toHaveLength(5);
    const noSeed = await cli('tasks synthetic');
    expect(noSeed.code).toBe(2);
    expect(noSeed.err).toMatch(/^--seed is required: a whole number, e\.g\. --seed 42\nRun `prefbasis --help`/);
  });

  it('creates a batch with links on the configured address, lists, shows, opens it, and closes it only with --yes', async () => {
    const created = await cli('batch create --dataset synthetic --name cli-batch --seed 7 --completion-code CLI123 --questions 5 --raters 4');
    expect(created.code).toBe(0);
    expect(created.out).toMatch(/^Created batch "cli-batch" \(id \S+\), status draft: \d+ tasks frozen\./);
    expect(created.out).toMatch(/Participant URL \(for Prolific\): https:\/\/study\.example\.org\/s\//);
    const invalid = await cli('batch create --dataset synthetic --name other --seed=-1 --completion-code x');
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(/--seed: /);
    expect(invalid.err).toMatch(/--completion-code: /);
    expect((await cli('batch create --dataset synthetic --name cli-batch --seed 7 --completion-code CLI123')).err).toMatch(/already exists; pass another --name/);
    expect((await cli('batch list')).out).toMatch(/cli-batch\s+draft/);
    expect(await cli('batch open cli-batch')).toMatchObject({ code: 0, out: expect.stringMatching(/is open\.$/) });
    const shown = JSON.parse((await cli('batch show cli-batch --json')).out) as { batch: { status: string }; participantUrl: string };
    expect(shown.batch.status).toBe('open');
    const unconfirmed = await cli('batch close cli-batch');
    expect(unconfirmed).toMatchObject({ code: 1, err: expect.stringMatching(/is final.*--yes/s) });
    expect((await findBatchByIdOrName(t.db.prisma, 'cli-batch'))?.status).toBe('open');
    expect((await cli('batch timeouts cli-batch')).out).toMatch(/^Timed out 0 participant/);
    expect((await cli('batch frobnicate cli-batch')).code).toBe(2);
    expect((await cli('batch open no-such-batch')).err).toMatch(/no-such-batch/);
  });

  it('prints metrics as a table, JSON or CSV, and exports answers, tasks, checks and metrics to files', async () => {
    const batch = await findBatchByIdOrName(t.db.prisma, 'cli-batch');
    if (!batch) throw new Error('no batch');
    await simulateRaters(t.db, batch, 3, { generated: 0.8, category: 0.5, category_topic: 0.5, control: 0.1, control_topic: 0.1, other: 0.05 }, createRng(4));
    const table = await cli('metrics cli-batch --rounds 100 --seed 1');
    expect(table.out).toMatch(/all \(15 answers, 3 raters\)/);
    expect(table.out).toMatch(/Generated vs\. Control/);
    const json = JSON.parse((await cli('metrics cli-batch --rounds 100 --seed 1 --format json')).out) as { overall: { n: { answers: number } } };
    expect(json.overall.n.answers).toBe(15);
    const csv = parse((await cli('metrics cli-batch --rounds 100 --format csv')).out, { columns: true }) as Record<string, string>[];
    expect(csv.length).toBeGreaterThan(0);
    const answersFile = path.join(dir, 'answers.csv');
    const exported = await cli(`export cli-batch --out ${answersFile}`);
    expect(exported).toMatchObject({ code: 0, err: expect.stringMatching(/^Wrote 15 answers of batch "cli-batch"/) });
    expect(parse(await readFile(answersFile, 'utf8'), { columns: true })).toHaveLength(15);
    for (const what of ['tasks', 'checks', 'metrics']) {
      const file = path.join(dir, `${what}.jsonl`);
      expect((await cli(`export cli-batch --what ${what} --format jsonl --out ${file} --rounds 100`)).code).toBe(0);
      expect((await readFile(file, 'utf8')).trim().split('\n').length).toBeGreaterThan(0);
    }
    const parquetFile = path.join(dir, 'answers.parquet');
    expect((await cli(`export cli-batch --format parquet --out ${parquetFile}`)).err).toMatch(/^Wrote 15 answers .*\(parquet\)\.$/);
    const bytes = await readFile(parquetFile);
    expect(await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) })).toHaveLength(15);
    const tasksAsParquet = path.join(dir, 'tasks.parquet');
    expect(await cli(`export cli-batch --what tasks --format parquet --out ${tasksAsParquet}`)).toMatchObject({ code: 2, err: expect.stringMatching(/answers only/) });
    await expect(readFile(tasksAsParquet)).rejects.toThrow(/ENOENT/);
    const noOut = await cli('export cli-batch');
    expect(noOut).toMatchObject({ code: 2, err: expect.stringMatching(/^--out is required: the file to write/) });
    expect((await cli('metrics --rounds 100')).err).toMatch(/^<batch>: name at least one batch/);
  });

  it('prints pElo, agreement, position bias and convergence as tables, JSON or CSV, and names what exists when asked for what does not', async () => {
    const elo = await cli('elo synthetic --rounds 100 --category Clarity');
    expect(elo.code).toBe(0);
    expect(elo.out).toMatch(/pElo of "synthetic": Bradley–Terry on the Elo scale, anchor \S+ = 1000/);
    expect(elo.out).toMatch(/\nOverall \(200 battles\)/);
    expect(elo.out).toMatch(/\nClarity \(\d+ battles\)/);
    const eloCsv = parse((await cli('elo synthetic --rounds 100 --category Clarity --format csv')).out, { columns: true }) as Record<string, string>[];
    expect(new Set(eloCsv.map((r) => r.subset))).toEqual(new Set(['overall', 'Clarity']));
    expect(await cli('elo synthetic --anchor gpt-5')).toMatchObject({ code: 2, err: expect.stringMatching(/^--anchor gpt-5: no such model in "synthetic"; its models are: .*gpt-4/) });
    expect((await cli('elo synthetic --category Nope')).err).toMatch(/^--category Nope: no such category/);
    const agreement = await cli('agreement cli-batch --rounds 100');
    expect(agreement.code).toBe(0);
    expect(agreement.out).toMatch(/All tasks: \d+ of \d+ rated tasks have two or more ratings/);
    expect(JSON.parse((await cli('agreement cli-batch --rounds 100 --format json')).out)).toMatchObject({ exclusions: { mode: 'applied' }, overall: { bootstrap: { unit: 'task' } } });
    expect((await cli('agreement cli-batch --by evaluator')).err).toMatch(/^--by: /);
    const bias = await cli('position-bias cli-batch --rounds 100');
    expect(bias.out).toMatch(/Selection rate by displayed slot in "cli-batch" \(3 raters/);
    expect(bias.out).toMatch(/all kinds/);
    const convergence = await cli('convergence cli-batch --width 0.8 --rounds 100');
    expect(convergence.out).toMatch(/3 finished raters; target interval width 0\.8/);
    expect(convergence.out).toMatch(/not enough raters yet/);
    expect((await cli('convergence cli-batch --width 0')).err).toMatch(/^--width: must be at least 0.001/);
  });

  it('creates a console account from the password it reads, refusing a short one and a taken email', async () => {
    expect(await cli('admin create --email Lead@Example.org')).toMatchObject({ code: 0, out: 'Created admin account lead@example.org. Sign in at /console/sign-in.' });
    expect((await cli('admin create --email lead@example.org')).err).toMatch(/already exists/);
    expect((await cli('admin create --email short@example.org', { readSecret: async () => 'short' })).err).toMatch(/at least \d+ characters/);
    expect((await cli('admin create --email not-an-email')).code).toBe(2);
    expect(await t.db.prisma.account.count()).toBe(1);
  });

  it('creates an API token whose secret is printed once and stored only as a hash, owned by an account with --email', async () => {
    const made = await cli('token create --name laptop --email lead@example.org');
    expect(made.code).toBe(0);
    const secret = /pb_[\w-]+/.exec(made.out)?.[0] ?? '';
    const row = await t.db.prisma.apiToken.findFirstOrThrow({ where: { name: 'laptop' }, include: { account: true } });
    expect(row.tokenHash).toBe(hashToken(secret));
    expect(row.account?.email).toBe('lead@example.org');
    expect((await cli('token create')).err).toMatch(/^--name is required: e\.g\. --name laptop/);
  });

  it('runs an LLM evaluator on a local server, resumes it, and refuses to run without a key or a server', async () => {
    const stand = await startChatStandIn((req) => ({
      reply: JSON.stringify([...(req.messages[0]?.content ?? '').matchAll(/^(\d)\. (.*)$/gm)].slice(0, 6).map((m) => ({ preference: m[2], relevant: m[1] === '1' ? 'yes' : 'no' }))),
    }));
    try {
      const first = await cli(['evaluate', 'cli-batch', '--model', 'local-llm', '--base-url', stand.url, '--limit', '3', '--concurrency', '2']);
      expect(first.code).toBe(0);
      expect(first.out).toMatch(/^local-llm on batch "cli-batch" in [\d.]+ s:/);
      expect(first.out).toMatch(/\b1\s+3\s+0\s+3\s+300\s+60\b/);
      const again = await cli(['evaluate', 'cli-batch', '--model', 'local-llm', '--base-url', stand.url, '--limit', '3']);
      expect(again.out).toMatch(/0 \(resumed\)/);
      expect(stand.requests).toHaveLength(3);
      expect(stand.requests[0]?.authorization).toBe('Bearer no-key');
      expect((await cli('metrics cli-batch --by evaluator --rounds 100')).out).toMatch(/evaluator: local-llm \(3 answers, 3 tasks resampled\)/);
    } finally {
      await stand.close();
    }
    const prompts = path.join(dir, 'prompts.jsonl');
    expect((await cli(`evaluate cli-batch --model batch-llm --limit 2 --export-prompts ${prompts}`)).out).toMatch(/^Wrote 2 requests for batch-llm to .*prompts\.jsonl \(OpenAI Batch API format\)/);
    const requests = (await readFile(prompts, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { custom_id: string; body: { messages: { role: string; content: string }[] } });
    const replies = path.join(dir, 'replies.jsonl');
    await writeFile(replies, requests.map((r) => JSON.stringify({ custom_id: r.custom_id, response: { status_code: 200, body: { choices: [{ message: { content: JSON.stringify([1, 2, 3, 4, 5, 6].map((n) => ({ preference: n, relevant: n === 1 ? 'yes' : 'no' }))) } }] } } })).join('\n'));
    expect((await cli(`evaluate cli-batch --model batch-llm --import-replies ${replies}`)).out).toBe('batch-llm: 2 replies read as answers, 0 kept as failed items (raw reply in llm_failures), 0 lines skipped.');
    expect((await cli(`evaluate cli-batch --model batch-llm --import-replies ${path.join(dir, 'none.jsonl')}`)).err).toMatch(/^Cannot read .*none\.jsonl: ENOENT/);
    expect((await cli(`evaluate cli-batch --model x --export-prompts a --import-replies b`)).code).toBe(2);
    // The batch's humans (3 simulated raters) against the model's first item, always "yes".
    const agreement = await cli('model-agreement cli-batch --model local-llm');
    expect(agreement.out).toMatch(/^local-llm against the humans' majority on \d+ tasks of "cli-batch": [\d.]+ % of the six options decided alike\./);
    expect(agreement.out).toMatch(/Cohen's kappa/);
    expect(JSON.parse((await cli('model-agreement cli-batch --model local-llm --json')).out)).toMatchObject({ model: 'local-llm', kappa: expect.any(Array) });
    expect((await cli('model-agreement cli-batch --model nobody')).out).toMatch(/^No task of "cli-batch" was answered by both/);
    const noKey = await cli('evaluate cli-batch --model gpt-4o');
    expect(noKey).toMatchObject({ code: 1, err: expect.stringMatching(/^No API key: set OPENAI_API_KEY/) });
    expect((await cli('evaluate cli-batch')).err).toMatch(/^--model is required: e\.g\. --model gpt-4o/);
    expect((await cli('evaluate')).err).toMatch(/^<batch>: missing: a batch id or name \(prefbasis batch list shows them\)/);
    expect((await cli('elo')).err).toMatch(/^<dataset>: missing: a dataset id or name/);
  });

  it('sets the Prolific study id, and says how to turn Prolific access on when it is off', async () => {
    const study = 'a'.repeat(24);
    // The first simulated rater's STUDY_ID was taken as the study; the command corrects it.
    expect((await cli(`prolific study cli-batch ${study}`)).out).toMatch(new RegExp(`^Batch "cli-batch" now runs as Prolific study ${study} \\(was [0-9a-f]{24}\\)\\.$`));
    expect((await cli('prolific study cli-batch not-an-id')).code).toBe(2);
    expect((await cli('prolific sync cli-batch')).err).toMatch(/PROLIFIC_API_TOKEN/);
    const review = await cli('prolific review cli-batch');
    expect(review.out).toMatch(/Dry run: nothing was sent to Prolific/);
    const unreachable = new ProlificClient({ token: 'x', baseUrl: 'http://127.0.0.1:9', maxAttempts: 1 });
    const failed = await cli('prolific sync cli-batch', { prolific: () => unreachable });
    expect(failed.code).toBe(1);
    expect((await cli('prolific frobnicate cli-batch')).code).toBe(2);
  });
});
