// The researcher's numbers, in one home for the API, the console and the CLI: per-rater totals
// aggregated in SQL (db) in one snapshot, the rates and ratios with bootstrap intervals (core), and
// cached until the data changes. On PostgreSQL they are computed in a worker thread (kept for the
// next computation) with connections of its own (metrics-worker.ts): at 1,000,000 answers
// decoding the rows and the bootstraps held the server's event loop up to 0.3-0.9 s at a time
// (BENCHMARKS.md). On the embedded database they run here, in slices of a few milliseconds between
// which raters' requests are served.
import type { Worker } from 'node:worker_threads';
import { DEFAULT_BOOTSTRAP_ROUNDS } from '../core/batch-settings.js';
import type { ExclusionMode } from '../core/exclusions.js';
import { inSliceOrder, overallStream, sliceClassesOf, sliceStream, type SliceBy, type SliceClasses, type SlicedMetrics, type SliceableTotals } from '../core/metric-slices.js';
import { classMetricsSteps, drawnByClass, mergeRaterTotals, metricsBeside, metricsSteps, type BootstrapHalf, type BootstrapOptions, type BootstrapSamples, type Metrics, type RaterClass, type RaterTotals } from '../core/metrics.js';
import type { Rng } from '../core/rng.js';
import { findAnswersVersion, listRaterClasses, listRaterKindTotals, listSliceClasses, listSliceNames } from '../db/answers.js';
import { readSnapshot, type SqlRunner, type SqlStatements } from '../db/sql-runner.js';
import type { Batch } from '../db/batches.js';
import { findExclusions, type ExclusionSummary, type RulesOfBatch } from './exclusions.js';
import { runInSlices } from '../run-in-slices.js';
import { ResultCache } from './result-cache.js';
import { turns } from './turns.js';
import { askWorker, workerStarter } from './worker-script.js';

export interface MetricsQuery {
  /** One batch or several pooled; the first one's seed is the default seed. */
  batches: readonly (Pick<Batch, 'seed'> & RulesOfBatch)[];
  by: SliceBy | null;
  /** Bootstrap seed; default the first batch's, so a batch's figures are reproducible anywhere. */
  seed?: number;
  rounds?: number;
  /** Count answers of raters who have not finished too (default: completed sessions only). */
  includePartial: boolean;
  /** DECISIONS: `applied` (default) leaves out the raters each batch's rules exclude; `none` counts everyone. */
  exclusions?: ExclusionMode;
}

export interface BatchMetrics extends SlicedMetrics {
  exclusions: ExclusionSummary;
}

const cache = new ResultCache(200);

/** The raters' rows when there are any; else (a batch only models answered) every row. */
function studyRows(rows: SliceableTotals[]): SliceableTotals[] {
  const raters = rows.filter((r) => r.unit !== 'task');
  return raters.length > 0 ? raters : rows;
}

/** studyRows for slices as classes: the raters' classes when any slice has one. */
function studyClasses(slices: SliceClasses[]): SliceClasses[] {
  if (!slices.some((s) => s.classes.some((c) => c.unit === 'rater'))) return slices;
  return slices.map((s) => ({ ...s, classes: s.classes.filter((c) => c.unit === 'rater') })).filter((s) => s.classes.length > 0);
}

/** A query with its defaults filled in: what the figures depend on besides the data. */
export interface ResolvedQuery {
  batches: readonly RulesOfBatch[];
  by: SliceBy | null;
  seed: number;
  options: BootstrapOptions;
  includePartial: boolean;
  mode: ExclusionMode;
}

function resolve(query: MetricsQuery): ResolvedQuery {
  const [first] = query.batches;
  if (!first) throw new Error('computeBatchMetrics needs at least one batch');
  return {
    batches: query.batches.map(({ id, excludeFailedChecks, excludeSpeederSeconds, excludeStraightLinerPercent }) => ({ id, excludeFailedChecks, excludeSpeederSeconds, excludeStraightLinerPercent })),
    by: query.by,
    seed: query.seed ?? first.seed,
    options: { rounds: query.rounds ?? DEFAULT_BOOTSTRAP_ROUNDS, level: 0.95 },
    includePartial: query.includePartial,
    mode: query.exclusions ?? 'applied',
  };
}

/** R1–R6 and the four ratios with 95 % intervals, overall and per slice. */
export async function computeBatchMetrics(sql: SqlRunner, query: MetricsQuery): Promise<BatchMetrics> {
  const q = resolve(query);
  const batchIds = q.batches.map((b) => b.id);
  const settings = JSON.stringify({ batchIds, rules: q.batches.map((b) => [b.excludeFailedChecks, b.excludeSpeederSeconds, b.excludeStraightLinerPercent]), includePartial: q.includePartial, mode: q.mode, seed: q.seed, options: q.options });
  const key = (version: string, part: string) => `${settings}|${version}|${part}`;
  const part = q.by ?? '';
  if (sql.connectionString) {
    // The version read here names the cache entry; the worker reads the version again with
    // everything else in one snapshot of its own, and figures of another version (data changed in
    // between) are kept under theirs instead, so cached figures are exactly those of their version.
    const version = await readSnapshot(sql, (tx) => findAnswersVersion(tx, batchIds));
    const connectionString = sql.connectionString;
    try {
      return await cache.get(key(version, part), async () => {
        const computed = await computeInWorker({ connectionString, query: q });
        if (computed.version !== version) throw new FiguresOfAnotherVersion(computed.version, computed.figures);
        return computed.figures;
      });
    } catch (err) {
      if (!(err instanceof FiguresOfAnotherVersion)) throw err;
      void cache.get(key(err.version, part), async () => err.figures);
      return err.figures;
    }
  }
  // The data version and, when the figures are not cached yet, everything they are computed from,
  // read in one snapshot: cached figures are exactly those of their version, and the overall
  // figures, the slices and the exclusions of one response agree with each other.
  const read = await readSnapshot(sql, async (tx) => {
    const version = await findAnswersVersion(tx, batchIds);
    if (cache.peek(key(version, part))) return { version, inputs: null };
    const pending = await readMetricsInputs(tx, q);
    return { version, inputs: { ...pending, slices: await pending.slices } };
  });
  const inputs = read.inputs;
  // Seen cached in the snapshot, and pushed out of the cache since: read again.
  if (!inputs && !cache.peek(key(read.version, part))) return computeBatchMetrics(sql, query);
  return cache.get(key(read.version, part), async () => {
    if (!inputs) throw new Error('metrics inputs missing for an uncached result');
    const overall = cache.get(key(read.version, 'overall'), () => runInSlices(mergedSteps(inputs.overallRows, overallStream(q.seed), q.options)));
    const slices: SlicedMetrics['slices'] = [];
    for (const [group, steps] of sliceSteps(inputs.slices, q)) slices.push({ key: group, metrics: await runInSlices(steps) });
    return { by: q.by, seed: q.seed, overall: await overall, slices, exclusions: inputs.summary };
  });
}

/** The worker read another version than the one its cache entry was named after. */
class FiguresOfAnotherVersion extends Error {
  constructor(
    readonly version: string,
    readonly figures: BatchMetrics,
  ) {
    super(`metrics computed for data version ${version}`);
  }
}

/** What the figures are computed from, read in the caller's snapshot. */
export interface MetricsInputs {
  summary: ExclusionSummary;
  /** The overall figures' clusters; empty when they come as `overallClasses`. */
  overallRows: SliceableTotals[];
  /**
   * The overall figures' raters as classes of equal totals, counted in SQL (startMetricsInputs with
   * a second connection), when the bootstrap draws them by class: the same figures as overallRows'.
   */
  overallClasses?: RaterClass[];
  /**
   * Each slice's classes of equal per-rater totals, largest slice first; empty without `by`.
   * Still being counted when the other inputs are there (the overall bootstrap can run
   * meanwhile): await it before the snapshot ends.
   */
  slices: Promise<SliceClasses[]>;
}

/**
 * The inputs, read through `tx`; the exclusions through `beside` when it is another connection in
 * the same snapshot (readSharedSnapshot), while `tx` reads the totals.
 */
export async function readMetricsInputs(tx: SqlStatements, q: ResolvedQuery, beside: SqlStatements = tx): Promise<MetricsInputs> {
  const started = startMetricsInputs(tx, q, beside);
  return { ...(await started.totals), slices: started.slices };
}

/**
 * readMetricsInputs' statements, sent at once: the totals (with the exclusions) and the slices,
 * each awaitable on its own. With a second connection, topic and category slices are counted there
 * and may be ready first (the metrics worker starts their bootstraps while the totals are read).
 * Await both before the snapshot ends; neither is unhandled meanwhile.
 */
export function startMetricsInputs(tx: SqlStatements, q: ResolvedQuery, beside: SqlStatements = tx): { totals: Promise<Omit<MetricsInputs, 'slices'>>; slices: Promise<SliceClasses[]> } {
  const filter = { batchIds: q.batches.map((b) => b.id), includePartial: q.includePartial };
  const by = q.by;
  const exclusions = findExclusions(beside, q.batches, q.mode);
  // Awaited below; a failure while the totals are read is not unhandled meanwhile.
  exclusions.catch(() => {});
  // Topic and category slices are counted in SQL, the exclusions left out there.
  const countSlices = async (on: SqlStatements, bySlice: 'topic' | 'category') => {
    const { excluded } = await exclusions;
    const names = await listSliceNames(on, filter.batchIds, bySlice);
    const all = await listSliceClasses(on, { ...filter, by: bySlice, excluded: q.mode === 'applied' ? [...excluded.keys()] : [], names });
    return inSliceOrder(studyClasses(all));
  };
  const sliceInSql = by === 'topic' || by === 'category' ? by : null;
  // With a second connection the slices are counted there as soon as the exclusions are known,
  // while this one reads the totals.
  const slicesOnSecond = sliceInSql && beside !== tx ? countSlices(beside, sliceInSql) : null;
  // With a second connection (the metrics worker, at scale) and no slices made from the rows, the
  // raters' classes are counted in SQL when the bootstrap will draw by class; the rows are read
  // only otherwise (a small batch, LLM evaluators only, slices by evaluator or batch).
  const classesFirst = beside !== tx && (by === null || sliceInSql !== null);
  const totals = (async () => {
    // One connection runs one statement at a time: the totals wait for the exclusions there.
    if (beside === tx) await exclusions;
    if (classesFirst) {
      const { excluded, summary } = await exclusions;
      const classes = await listRaterClasses(tx, { ...filter, excluded: q.mode === 'applied' ? [...excluded.keys()] : [] });
      if (drawnByClass(classes)) return { summary, allRows: [], overallRows: [], overallClasses: classes };
    }
    const rows = await listRaterKindTotals(tx, filter);
    const { excluded, summary } = await exclusions;
    const allRows = q.mode === 'applied' ? rows.filter((r) => !excluded.has(r.raterId)) : rows;
    // The headline figures are the study's raters': LLM evaluators (task clusters) stand beside
    // them only when sliced by evaluator, unless the batch has no human answer at all.
    return { summary, allRows, overallRows: studyRows(allRows), overallClasses: undefined };
  })();
  const slices = sliceInSql
    ? // On one connection: after the totals.
      (slicesOnSecond ?? totals.then(() => countSlices(tx, sliceInSql)))
    : // Evaluator and batch are per participant: their slices come from the overall rows.
      totals.then(({ allRows, overallRows }) => (by ? sliceClassesOf(by === 'evaluator' ? allRows : overallRows, by) : []));
  const inputs = { totals: totals.then(({ summary, overallRows, overallClasses }) => ({ summary, overallRows, overallClasses })), slices };
  inputs.totals.catch(() => {});
  slices.catch(() => {});
  return inputs;
}

/** Per-rater merging, then the bootstrap: the steps of one group's figures. */
export function* mergedSteps(rows: readonly RaterTotals[], rng: Rng, options: BootstrapOptions): Generator<void, Metrics> {
  const raters = mergeRaterTotals(rows);
  yield;
  return yield* metricsSteps(raters, rng, options);
}

/** Each slice's name and the steps of its figures, largest slice first. */
export function sliceSteps(slices: readonly SliceClasses[], q: ResolvedQuery): [string, Generator<void, Metrics>][] {
  const by = q.by;
  if (!by) return [];
  return slices.map((s) => [s.key, classMetricsSteps(s.classes, sliceStream(q.seed, by, s.groupKey), q.options)]);
}

/** The slices' figures (sliceSteps'), each bootstrap's second half drawn by `elsewhere` meanwhile. */
export async function slicesBeside(slices: readonly SliceClasses[], q: ResolvedQuery, elsewhere: (half: BootstrapHalf) => Promise<BootstrapSamples>): Promise<SlicedMetrics['slices']> {
  const by = q.by;
  const out: SlicedMetrics['slices'] = [];
  if (!by) return out;
  for (const s of slices) out.push({ key: s.key, metrics: await metricsBeside({ classes: s.classes }, sliceStream(q.seed, by, s.groupKey), q.options, elsewhere) });
  return out;
}

/** The connection the metrics worker opens, as pg_stat_activity shows it. */
export const METRICS_APPLICATION_NAME = 'prefbasis metrics';

export interface MetricsWorkerInput {
  connectionString: string;
  query: ResolvedQuery;
}

/** A computation asked of a metrics worker, and its answer (matched by id). */
export interface MetricsJob {
  id: number;
  input: MetricsWorkerInput;
}
export type MetricsWorkerMessage = { type: 'done'; version: string; figures: BatchMetrics } | { type: 'failed'; message: string; code: string | null };
export type MetricsWorkerReply = MetricsWorkerMessage & { id: number };

/**
 * A computation that has not answered after this long is ended (a statement stuck behind a lock,
 * a connection gone quiet): it would otherwise hold one of the process's turns for good. The
 * largest measured (1,000,000 answers by topic) took 14 s.
 */
export const METRICS_TIMEOUT_MS = 10 * 60_000;

const startMetricsWorker = workerStarter('metrics-worker');

/** Metrics computed at once (one per core of the machine this was measured on); later ones wait. */
export const METRICS_AT_ONCE = 2;
const metricsTurn = turns(METRICS_AT_ONCE);

/**
 * A worker that computed figures is kept for the next computation, idle for at most this long: a
 * fresh one loads its modules and runs the bootstrap as cold code, which at 1,000,000 answers was
 * about half of a computation's time (BENCHMARKS.md, metrics). Idle, it does not keep the
 * process alive. At most METRICS_AT_ONCE exist, as many as computations run at once.
 */
export const METRICS_WORKER_IDLE_MS = 10 * 60_000;
const idleWorkers: { worker: Worker; ending: NodeJS.Timeout }[] = [];
let lastJobId = 0;

function takeMetricsWorker(): Worker {
  const idle = idleWorkers.pop();
  if (idle) {
    clearTimeout(idle.ending);
    idle.worker.ref();
    return idle.worker;
  }
  const worker = startMetricsWorker({});
  // One that fails or ends while idle (nothing should make it) is no longer handed out; the
  // listener also keeps an idle worker's error from being thrown in the server's thread.
  worker.on('error', () => forgetIdle(worker));
  worker.once('exit', () => forgetIdle(worker));
  return worker;
}

function forgetIdle(worker: Worker): void {
  const at = idleWorkers.findIndex((w) => w.worker === worker);
  if (at >= 0) idleWorkers.splice(at, 1);
}

function keepIdle(worker: Worker): void {
  worker.unref();
  // Out of the idle list before it ends: a request arriving meanwhile starts a worker of its own.
  const ending = setTimeout(() => {
    forgetIdle(worker);
    void worker.terminate();
  }, METRICS_WORKER_IDLE_MS);
  ending.unref();
  idleWorkers.push({ worker, ending });
}

/** The figures computed in a worker thread, read through its own connections, with their data version. */
async function computeInWorker(input: MetricsWorkerInput): Promise<{ version: string; figures: BatchMetrics }> {
  const release = await metricsTurn();
  try {
    return await runMetricsWorker(input);
  } finally {
    release();
  }
}

async function runMetricsWorker(input: MetricsWorkerInput): Promise<{ version: string; figures: BatchMetrics }> {
  const worker = takeMetricsWorker();
  const timeout = { ms: METRICS_TIMEOUT_MS, message: `metrics took longer than ${METRICS_TIMEOUT_MS / 60_000} minutes: ended` };
  const outcome = await askWorker<MetricsWorkerReply, MetricsJob>(worker, { id: ++lastJobId, input }, 'the metrics worker', timeout);
  if (!outcome.answered) {
    void worker.terminate();
    throw outcome.error;
  }
  // It answered (figures or a failure it caught): it can take the next job.
  keepIdle(worker);
  const message = outcome.reply;
  if (message.type === 'done') return { version: message.version, figures: message.figures };
  // The SQLSTATE travels along, so a lost connection is still told apart (db/errors.ts).
  throw Object.assign(new Error(`metrics failed: ${message.message}`), message.code ? { code: message.code } : {});
}
