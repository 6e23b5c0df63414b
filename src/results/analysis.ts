// The analyses beside R1–R6 (issue 14), in one home for the API, the console and the CLI: rater
// agreement, position bias and live convergence of a batch (its exclusion rules applied like every
// result), and a dataset's pElo. Each runs in short slices and is cached until its data changes.
import { agreementSteps, DEFAULT_AGREEMENT_BOOTSTRAP, type Agreement } from '../core/agreement.js';
import { convergenceSteps, DEFAULT_CONVERGENCE_OPTIONS, type Convergence } from '../core/convergence.js';
import { battleCounts, categoryNames, DEFAULT_ELO_OPTIONS, pEloSteps, type PElo } from '../core/elo.js';
import type { ExclusionMode } from '../core/exclusions.js';
import { mergeRaterTotals } from '../core/metrics.js';
import { labelKey } from '../core/normalize.js';
import { overallStream } from '../core/metric-slices.js';
import { DEFAULT_BOOTSTRAP_ROUNDS } from '../core/batch-settings.js';
import { DEFAULT_POSITION_BOOTSTRAP, positionBiasSteps, type PositionBias } from '../core/position-bias.js';
import { deriveRng } from '../core/rng.js';
import { listDatasetBattles, listRatersInCompletionOrder, listSlotCounts, listTaskSelections, type RaterFilter } from '../db/analysis.js';
import { findAnswersVersion, listRaterKindTotals } from '../db/answers.js';
import type { Batch } from '../db/batches.js';
import { readSnapshot, type SqlRunner, type SqlStatements } from '../db/sql-runner.js';
import { runInSlices } from '../run-in-slices.js';
import { findExclusions, type ExclusionSummary, type RulesOfBatch } from './exclusions.js';
import { ResultCache } from './result-cache.js';

const cache = new ResultCache(100);

export type AnalysedBatch = Pick<Batch, 'seed' | 'preferredSide'> & RulesOfBatch;

interface BatchAnalysisQuery {
  /** Bootstrap seed; default the batch's, so its figures are reproducible anywhere. */
  seed?: number;
  rounds?: number;
  exclusions?: ExclusionMode;
}

/**
 * Reads a batch's inputs in one snapshot with its counted raters (exclusions applied or not), then
 * computes — once per data version and settings.
 */
async function analyseBatch<I, T>(
  sql: SqlRunner,
  batch: AnalysedBatch,
  name: string,
  query: BatchAnalysisQuery & object,
  read: (tx: SqlStatements, filter: RaterFilter) => Promise<I>,
  compute: (inputs: I, seed: number) => Promise<T>,
): Promise<T & { exclusions: ExclusionSummary; seed: number }> {
  const mode = query.exclusions ?? 'applied';
  const seed = query.seed ?? batch.seed;
  const settings = JSON.stringify({ name, batch: batch.id, rules: [batch.excludeFailedChecks, batch.excludeSpeederSeconds, batch.excludeStraightLinerPercent], ...query, mode, seed });
  const version = await findAnswersVersion(sql, [batch.id]);
  return cache.get(`${settings}|${version}`, async () => {
    const { summary, inputs } = await readSnapshot(sql, async (tx) => {
      const { excluded, summary } = await findExclusions(tx, [batch], mode);
      return { summary, inputs: await read(tx, { batchIds: [batch.id], excluded: mode === 'applied' ? [...excluded.keys()] : [] }) };
    });
    return { ...(await compute(inputs, seed)), exclusions: summary, seed };
  });
}

export interface BatchAgreement {
  by: 'topic' | 'category' | null;
  overall: Agreement;
  slices: { key: string; agreement: Agreement }[];
}

/** Krippendorff's α (MASI, Jaccard, per kind) and pair agreement, overall and per slice. */
export function computeBatchAgreement(sql: SqlRunner, batch: AnalysedBatch, query: BatchAnalysisQuery & { by: 'topic' | 'category' | null }) {
  const options = { ...DEFAULT_AGREEMENT_BOOTSTRAP, rounds: query.rounds ?? DEFAULT_AGREEMENT_BOOTSTRAP.rounds };
  return analyseBatch(
    sql,
    batch,
    'agreement',
    query,
    (tx, filter) => listTaskSelections(tx, { ...filter, by: query.by }),
    async (tasks, seed): Promise<BatchAgreement> => {
      const overall = await runInSlices(agreementSteps(tasks, deriveRng(seed, 'agreement'), options));
      const groups = new Map<string, { key: string; tasks: typeof tasks }>();
      for (const t of query.by ? tasks : []) {
        const k = labelKey(t.slice);
        const group = groups.get(k) ?? { key: t.slice.trim(), tasks: [] };
        group.tasks.push(t);
        groups.set(k, group);
      }
      const slices: BatchAgreement['slices'] = [];
      for (const [k, g] of [...groups.entries()].sort(([, a], [, b]) => b.tasks.length - a.tasks.length || (a.key < b.key ? -1 : 1))) {
        slices.push({ key: g.key, agreement: await runInSlices(agreementSteps(g.tasks, deriveRng(seed, `agreement:${query.by}:${k}`), options)) });
      }
      return { by: query.by, overall, slices };
    },
  );
}

/** Selection rates by displayed slot (and by the preferred response's side when it varies). */
export function computeBatchPositionBias(sql: SqlRunner, batch: AnalysedBatch, query: BatchAnalysisQuery) {
  const options = { ...DEFAULT_POSITION_BOOTSTRAP, rounds: query.rounds ?? DEFAULT_POSITION_BOOTSTRAP.rounds };
  return analyseBatch(
    sql,
    batch,
    'position-bias',
    query,
    (tx, filter) => listSlotCounts(tx, filter),
    async (rows, seed): Promise<PositionBias & { preferredSide: string }> => ({
      preferredSide: batch.preferredSide,
      ...(await runInSlices(positionBiasSteps(rows, deriveRng(seed, 'position-bias'), options))),
    }),
  );
}

/** Each ratio's interval width by raters so far (in the order they finished) and the raters a width needs. */
export function computeBatchConvergence(sql: SqlRunner, batch: AnalysedBatch, query: BatchAnalysisQuery & { width: number }) {
  const options = { ...DEFAULT_CONVERGENCE_OPTIONS, rounds: query.rounds ?? DEFAULT_CONVERGENCE_OPTIONS.rounds };
  return analyseBatch(
    sql,
    batch,
    'convergence',
    query,
    async (tx, filter) => ({
      totals: (await listRaterKindTotals(tx, { batchIds: filter.batchIds, includePartial: false })).filter((r) => r.unit === 'rater'),
      order: await listRatersInCompletionOrder(tx, filter),
    }),
    async ({ totals, order }, seed): Promise<Convergence> => {
      const byId = new Map(mergeRaterTotals(totals).map((r) => [r.raterId, r]));
      const raters = order.flatMap((id) => byId.get(id) ?? []);
      // Every rater so far: the results' own stream and rounds, so "width now" is the results page's interval.
      const rngFor = (n: number) => (n === raters.length ? overallStream(seed) : deriveRng(seed, `convergence:${n}`));
      return runInSlices(convergenceSteps(raters, query.width, rngFor, { ...options, finalRounds: DEFAULT_BOOTSTRAP_ROUNDS }));
    },
  );
}

export const DEFAULT_ELO_SEED = 1;

export type DatasetEloOutcome =
  | { ok: true; elo: PElo & { seed: number; rounds: number } }
  | { ok: false; reason: 'unknown-anchor' | 'unknown-category'; value: string; known: string[] };

/**
 * pElo of a dataset, or why not (an anchor or category the dataset does not have). Datasets never
 * change after import: the result is cached by the query alone.
 */
export async function computeDatasetElo(sql: SqlRunner, datasetId: string, query: { anchor: string | null; categories: readonly string[] | null; rounds?: number; seed?: number }): Promise<DatasetEloOutcome> {
  const seed = query.seed ?? DEFAULT_ELO_SEED;
  const rounds = query.rounds ?? DEFAULT_ELO_OPTIONS.rounds;
  // Read once per dataset (datasets never change): a cached figure must not cost a read of every datapoint.
  const battles = await cache.get(`battles|${datasetId}`, () => listDatasetBattles(sql, datasetId));
  const models = [...battleCounts(battles).keys()].sort();
  if (query.anchor !== null && !models.includes(query.anchor)) return { ok: false, reason: 'unknown-anchor', value: query.anchor, known: models };
  const categories = categoryNames(battles);
  const unknown = query.categories?.find((c) => !categories.has(labelKey(c)));
  if (unknown !== undefined) return { ok: false, reason: 'unknown-category', value: unknown, known: [...categories.values()].sort() };
  const elo = await cache.get(JSON.stringify({ name: 'elo', datasetId, ...query, seed, rounds }), async () => ({
    ...(await runInSlices(pEloSteps(battles, { ...DEFAULT_ELO_OPTIONS, rounds, anchor: query.anchor, categories: query.categories }, (subset) => deriveRng(seed, `elo:${subset}`)))),
    seed,
    rounds,
  }));
  return { ok: true, elo };
}
