// Metrics at scale (issue 10.1): R1–R6, the four ratios and 1,000 bootstrap rounds over a batch of
// 1,000,000 answers (50,000 raters × 20), against baselines measured in the same run on the same
// database: `SELECT count(*) FROM answers`, and the SQL per-rater × kind aggregation alone.
// Cold is measured twice: the process's first computation (a fresh worker thread), and the first
// after the data changed (the worker kept from before). Also reports the process's RSS growth
// (server thread and worker) and the server thread's longest event-loop delay while metrics run.
// Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx scripts/bench/metrics.ts [--raters 50000]
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createRng } from '../../src/core/rng.js';
import { generateSyntheticDataset, toJsonl } from '../../src/core/synthetic-dataset.js';
import { createBatchFromDataset } from '../../src/db/batches.js';
import { openDatabase } from '../../src/db/connection.js';
import { importDatasetText } from '../../src/db/datasets.js';
import type * as Metrics from '../../src/results/metrics.js';
import { buildDist } from './lib/build.js';
import { createScratchDatabase } from './lib/scratch-database.js';
import { seedFinishedRaters } from './lib/seed-answers.js';
import { timed, watched, type Watched } from './lib/watched.js';
import { CLI_ACTOR } from '../../src/db/audit.js';

// Metrics as `npm start` runs them: built, so the worker thread starts from compiled code too.
buildDist();
const { computeBatchMetrics } = (await import(new URL('../../dist/src/results/metrics.js', import.meta.url).href)) as typeof Metrics;

const { values } = parseArgs({ options: { raters: { type: 'string', default: '50000' } } });
const raters = Number(values.raters);
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error('set DATABASE_URL to a PostgreSQL server');
const scratch = await createScratchDatabase(serverUrl, 'metrics');
const db = await openDatabase({ kind: 'postgres', url: scratch.url });
const direct = new pg.Client({ connectionString: scratch.url });

try {
  await db.migrate();
  await direct.connect();
  await importDatasetText(db.sql, { name: 'bench', text: toJsonl(generateSyntheticDataset(18_319, createRng(1))) }, CLI_ACTOR);
  const created = await createBatchFromDataset(db.prisma, { dataset: 'bench', name: 'bench', questions: 20, raters, seed: 7, completionCode: 'BENCH1', ratingsPerTask: 60, preferredSide: 'first' }, CLI_ACTOR);
  if (!created.ok) throw new Error(created.reason);
  const seeding = await timed(() => seedFinishedRaters(direct, created.batch.id, raters));
  // A study's answers arrive over days, and autovacuum has seen them by the time anyone asks for
  // metrics: measure that steady state, not the minute after a bulk insert (unset hint bits, no
  // statistics for the planner; count(*) alone took 2.3 × longer then).
  await direct.query('VACUUM ANALYZE');
  const answers = Number((await direct.query('SELECT count(*) FROM answers')).rows[0].count);
  console.log(`seeded ${answers.toLocaleString('en')} answers from ${raters.toLocaleString('en')} raters in ${(seeding.ms / 1000).toFixed(1)} s`);

  // Baselines, each the best of three.
  const best = async (sql: string) => Math.min(...(await sequential(3, async () => (await timed(() => direct.query(sql))).ms)));
  const count = await best('SELECT count(*) FROM answers');
  const aggregation = await best(`
    SELECT count(*) FROM (
      SELECT a.participant_id, count(*), count(*) FILTER (WHERE k.g)
      FROM answers a JOIN tasks t ON t.id = a.task_id
      CROSS JOIN LATERAL (SELECT bool_or(o.kind = 'generated') AS g, bool_or(o.kind = 'control') AS c FROM task_options o WHERE o.id = ANY(a.selected_option_ids)) k
      WHERE t.batch_id = '${created.batch.id}' GROUP BY a.participant_id) x`);
  console.log(`baseline: SELECT count(*) FROM answers = 1.0 (${count.toFixed(0)} ms); SQL per-rater × kind aggregation ${(aggregation / count).toFixed(1)} x (${aggregation.toFixed(0)} ms)`);

  const batch = created.batch;
  const query = (seedValue: number, by: 'topic' | null) => computeBatchMetrics(db.sql, { batches: [batch], by, seed: seedValue, rounds: 1000, includePartial: false });
  const cold = await watched(() => query(1, null));
  const warm = await watched(() => query(1, null));
  // A study's data changes between requests: the latest answer moves by a second (a new data
  // version), and the next request computes again, in the worker kept from the first.
  await direct.query(`UPDATE answers SET answered_at = answered_at + interval '1 second' WHERE id = (SELECT id FROM answers ORDER BY answered_at DESC, id LIMIT 1)`);
  const changed = await watched(() => query(1, null));
  const topic = await watched(() => query(2, 'topic'));
  const line = (label: string, r: Watched<unknown>) =>
    `${label}: ${(r.ms / count).toFixed(1)} x count(*) (${(r.ms / 1000).toFixed(2)} s); event loop max ${r.maxDelayMs.toFixed(0)} ms, p99 ${r.p99DelayMs.toFixed(0)} ms; RSS +${r.rssGrowthMb.toFixed(0)} MB`;
  console.log(line('metrics overall, 1,000 rounds, cold', cold));
  console.log(`  (${(cold.ms / aggregation).toFixed(1)} x the SQL aggregation; R1 = ${cold.value.overall.rates.R1.estimate?.toFixed(4)}, ${cold.value.overall.n.raters} raters)`);
  console.log(line('metrics overall, warm (cached, nothing changed)', warm));
  console.log(line('metrics overall, cold after a change (worker kept)', changed));
  console.log(`  (${(changed.ms / aggregation).toFixed(1)} x the SQL aggregation)`);
  console.log(line(`metrics by topic (${topic.value.slices.length} slices), cold`, topic));
} finally {
  await direct.end().catch(() => {});
  await db.close();
  await scratch.drop();
}

async function sequential<T>(n: number, run: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await run());
  return out;
}
