// Live-study benchmark (issue 8): N virtual Prolific raters run the real HTTP flow (entry, consent,
// start, 20 × answer + next page) against a PrefBasis server process, and the same request pattern
// runs against a bare express + pg app (the baseline, scripts/bench/lib/bare-app.mjs) in the same run.
// Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx scripts/bench/rater-load.ts [--human-seconds 180]
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createRng } from '../../src/core/rng.js';
import { generateSyntheticDataset, toJsonl } from '../../src/core/synthetic-dataset.js';
import { changeBatchStatus, createBatchFromDataset } from '../../src/db/batches.js';
import { openDatabase } from '../../src/db/connection.js';
import * as PrismaSql from '../../src/db/sql.js';
import { importDatasetText } from '../../src/db/datasets.js';
import { startServerProcess, type ServerProcess } from '../../test/helpers/server-process.js';
import { withDatabaseName } from '../../test/helpers/test-database.js';
import { buildDist } from './lib/build.js';
import { CLI_ACTOR } from '../../src/db/audit.js';

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error('set DATABASE_URL to a PostgreSQL server (a database of its own is created and dropped)');
const humanSeconds = Number(process.argv[process.argv.indexOf('--human-seconds') + 1] || 180);
// --cpu-prof: profile the PrefBasis server during the 200-rater run only (profile in ./prof/).
const profile = process.argv.includes('--cpu-prof');
// --quick: the 200-rater run only (no 1,000-rater or human-pace run), for iterating on a change.
const quick = profile || process.argv.includes('--quick');
const dbName = `prefbasis_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const url = withDatabaseName(serverUrl, dbName);

const db = await openDatabase({ kind: 'postgres', url });
await db.migrate();
console.log('importing 18,319 synthetic datapoints…');
const imported = await importDatasetText(db.sql, { name: 'bench', text: toJsonl(generateSyntheticDataset(18_319, createRng(1))) }, CLI_ACTOR);
if (imported.status !== 'created') throw new Error(imported.status);
async function openBatch(name: string): Promise<string> {
  // No attention checks: the same 20 answers per rater as the bare app, like for like.
  const created = await createBatchFromDataset(db.prisma, { dataset: 'bench', name, questions: 20, raters: 1000, seed: 7, completionCode: 'BENCH1', ratingsPerTask: null, preferredSide: 'first', attentionChecks: 0 }, CLI_ACTOR);
  if (!created.ok) throw new Error(created.reason);
  await changeBatchStatus(db.prisma, created.batch, 'open', new Date(), CLI_ACTOR);
  return created.batch.id;
}

async function start(script: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<ServerProcess> {
  return startServerProcess({ DATABASE_URL: url, NODE_ENV: 'production', ...env }, { script, nodeArgs, inheritStderr: true });
}

/** CPU time (user + system, ms) of a process so far, from /proc. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}
/** Busy CPU time (ms) of the whole machine, from /proc/stat (jiffies of 10 ms). */
function machineBusyMs(): number {
  const [user, nice, system, , , irq, softirq, steal] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 10;
}

/**
 * Where the machine's CPU went during a run: the web server, this load driver, and the rest
 * (PostgreSQL's backends, which come and go with the pools, so they are measured as the remainder).
 */
interface CpuSplit {
  server: number;
  driver: number;
  machine: number;
}
function cpuNow(serverPid: number): CpuSplit {
  const own = process.cpuUsage();
  return { server: cpuMs(serverPid), driver: (own.user + own.system) / 1000, machine: machineBusyMs() };
}
function perAnswer(a: CpuSplit, b: CpuSplit, answers: number): string {
  const [server, driver, machine] = [b.server - a.server, b.driver - a.driver, b.machine - a.machine];
  return [server, machine - server - driver, driver].map((ms) => (ms / answers).toFixed(2)).join(' / ');
}

async function transactions(): Promise<number> {
  const { rows } = await admin.query('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1', [dbName]);
  return Number(rows[0]?.n ?? 0);
}

const hex = (n: number, salt: number) => (n * 7919 + salt * 104729).toString(16).padStart(24, '0').slice(-24);

interface RunStats {
  answers: number;
  errors: number;
  seconds: number;
  answerMs: number[];
  /** When each answer POST was sent (performance.now()), in the order of answerMs. */
  answerAt: number[];
  /** When the last rater's Start returned: afterwards every rater is answering. */
  lastStartedAt: number;
}

const emptyStats = (): RunStats => ({ answers: 0, errors: 0, seconds: 0, answerMs: [], answerAt: [], lastStartedAt: 0 });

/** One rater's whole flow; pace > 0 waits that many ms (±50 %) before each answer. */
async function rater(base: string, batch: string, n: number, salt: number, stats: RunStats, paceMs: number, until: number): Promise<void> {
  let cookie = '';
  const call = async (method: 'GET' | 'POST', path: string, body?: Record<string, string>) => {
    const res = await fetch(base + path, {
      method,
      redirect: 'manual',
      headers: { cookie, 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: body ? new URLSearchParams(body).toString() : undefined,
    });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0] as string;
    const text = await res.text();
    if (res.status >= 400) stats.errors++;
    return { status: res.status, text };
  };
  const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
  const ids = { PROLIFIC_PID: hex(n, salt), STUDY_ID: hex(1, salt), SESSION_ID: hex(n + 1e6, salt) };
  await call('GET', `/s/${batch}?${new URLSearchParams(ids)}`);
  let page = (await call('GET', `/s/${batch}/session`)).text;
  await call('POST', `/s/${batch}/consent`, { csrf: field(page, 'csrf'), decision: 'agree' });
  page = (await call('GET', `/s/${batch}/session`)).text;
  await call('POST', `/s/${batch}/start`, { csrf: field(page, 'csrf') });
  page = (await call('GET', `/s/${batch}/session`)).text;
  stats.lastStartedAt = Math.max(stats.lastStartedAt, performance.now());
  for (let q = 0; q < 20 && Date.now() < until; q++) {
    if (paceMs) await new Promise((resolve) => setTimeout(resolve, paceMs * (0.5 + Math.random())));
    if (Date.now() >= until) break;
    const t0 = performance.now();
    stats.answerAt.push(t0);
    const res = await call('POST', `/s/${batch}/answer`, { csrf: field(page, 'csrf'), position: field(page, 'position') || String(q), option: field(page, 'option') || 'x' });
    stats.answerMs.push(performance.now() - t0);
    if (res.status === 303) stats.answers++;
    page = (await call('GET', `/s/${batch}/session`)).text;
  }
}

async function run(base: string, batch: string, raters: number, salt: number, paceMs = 0, seconds = Infinity): Promise<RunStats> {
  const stats = emptyStats();
  const t0 = performance.now();
  const until = Date.now() + seconds * 1000;
  // At human pace raters arrive over the first 20 s; under load they all arrive at once.
  await Promise.all(Array.from({ length: raters }, async (_, i) => {
    if (paceMs) await new Promise((resolve) => setTimeout(resolve, (i / raters) * 20_000));
    await rater(base, batch, i + 1, salt, stats, paceMs, until);
  }));
  stats.seconds = (performance.now() - t0) / 1000;
  return stats;
}

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? NaN;

// The server as `npm start` runs it: compiled, without tsx.
buildDist();
const prefbasis = await start('dist/src/server.js', {}, profile ? ['--cpu-prof', '--cpu-prof-dir=prof'] : []);
const bare = await start('scripts/bench/lib/bare-app.mjs', { BARE_DATASET_ID: imported.dataset.id });
const rows: string[] = [];
for (const n of quick ? [200] : [200, 1000]) {
  const batch = await openBatch(`load-${n}`);
  const [cpu0, tx0] = [cpuNow(prefbasis.child.pid as number), await transactions()];
  const ours = await run(prefbasis.url, batch, n, n);
  const [cpu1, tx1] = [cpuNow(prefbasis.child.pid as number), await transactions()];
  const bareCpu0 = cpuNow(bare.child.pid as number);
  const base = await run(bare.url, 'bare', n, n + 1);
  const bareCpu1 = cpuNow(bare.child.pid as number);
  // Stored answers, counted in the database (a 303 alone does not prove an answer was kept).
  const [stored] = await db.sql.rows<{ n: number }>(PrismaSql.sql`SELECT count(*)::int AS n FROM answers a JOIN participants p ON p.id = a.participant_id WHERE p.batch_id = ${batch}`);
  ours.answers = stored?.n ?? 0;
  const ratio = ours.answers / ours.seconds / (base.answers / base.seconds);
  rows.push(
    `| ${n} raters at once | ${ours.answers} / ${n * 20} | ${ours.errors} | ${(ours.answers / ours.seconds).toFixed(0)} | ${(base.answers / base.seconds).toFixed(0)} | **${(ratio * 100).toFixed(0)} %** | ${p99(ours.answerMs).toFixed(1)} | ${p99(base.answerMs).toFixed(1)} | **${(p99(ours.answerMs) / p99(base.answerMs)).toFixed(2)}** | ${perAnswer(cpu0, cpu1, ours.answers)} | ${perAnswer(bareCpu0, bareCpu1, base.answers)} | ${((tx1 - tx0) / ours.answers).toFixed(1)} |`,
  );
  console.log(rows.at(-1));
}
let humanRow = '(--quick: no human-pace run)';
if (!quick) {
  const human = await run(prefbasis.url, await openBatch('human-pace'), 1000, 5000, 30_000, humanSeconds);
  // Apart: answers sent while raters were still arriving (entry, consent and Start of 50 raters a
  // second) and answers sent once every rater had started.
  const steady = human.answerMs.filter((_, i) => (human.answerAt[i] as number) > human.lastStartedAt);
  humanRow = `| 1,000 raters at human pace (arriving over 20 s, one answer every 20–40 s), ${humanSeconds} s window | ${human.answers} answers | ${human.errors} errors | answer-POST p99 **${p99(human.answerMs).toFixed(1)} ms** over the window; **${p99(steady).toFixed(1)} ms** for the ${steady.length} answers sent after every rater had started |`;
  console.log(humanRow);
}

console.log('\n| load | answers stored | errors | answers/s PrefBasis | answers/s bare | ratio (≥ 50 %) | answer p99 ms | bare p99 ms | p99 ratio (≤ 2) | CPU-ms / answer: server / PostgreSQL and the rest / driver | the same, bare | transactions / answer |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
console.log(`\n${humanRow}`);

prefbasis.child.kill('SIGTERM');
await new Promise((resolve) => prefbasis.child.once('exit', resolve));
bare.child.kill('SIGTERM');
await db.close();
await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await admin.end();
process.exit(0);
