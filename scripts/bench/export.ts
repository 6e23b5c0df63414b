// Export benchmark: answers streamed as CSV for a batch 10x larger should take about 10x the time
// and about the same memory. Baseline: the same export of a 2,000-answer batch, measured in this run.
// Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres node --expose-gc --import tsx scripts/bench/export.ts
import { Writable } from 'node:stream';
import pg from 'pg';
import { createRng } from '../../src/core/rng.js';
import { generateSyntheticDataset, toJsonl } from '../../src/core/synthetic-dataset.js';
import { createBatchFromDataset } from '../../src/db/batches.js';
import { bulkInsert } from '../../src/db/bulk-insert.js';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { importDatasetText } from '../../src/db/datasets.js';
import { writeAnswersExport } from '../../src/results/exports.js';
import { newId } from '../../src/db/ids.js';
import { kindBit } from '../../src/core/option-kinds.js';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** A batch whose `raters` raters each answered 20 questions, written with bulk inserts. */
async function fillBatch(db: Database, name: string, raters: number): Promise<string> {
  const created = await createBatchFromDataset(db.prisma, { dataset: 'bench', name, questions: 20, raters, seed: 1, completionCode: 'BENCH1', ratingsPerTask: 10, preferredSide: 'first' });
  if (!created.ok) throw new Error(created.reason);
  const tasks = await db.prisma.task.findMany({ where: { batchId: created.batch.id }, include: { options: true } });
  const rng = createRng(raters);
  const now = new Date();
  await db.prisma.$transaction(async (tx) => {
    const participants = Array.from({ length: raters }, (_, r) => ({ id: newId('p', 12), code: newId('c', 24), pid: String(r).padStart(24, '0') }));
    await bulkInsert(tx, 'participants', [
      { name: 'id', type: 'text', value: (p) => p.id },
      { name: 'batch_id', type: 'text', value: () => created.batch.id },
      { name: 'code', type: 'text', value: (p) => p.code },
      { name: 'prolific_pid', type: 'text', value: (p) => p.pid },
      { name: 'study_id', type: 'text', value: () => 'bench' },
      { name: 'session_id', type: 'text', value: (p) => p.pid },
      { name: 'status', type: 'text', value: () => 'completed', select: (v) => `${v}::"ParticipantStatus"` },
    ], participants);
    const answers = participants.flatMap((p, r) =>
      Array.from({ length: 20 }, (_, position) => {
        const task = tasks[(r * 20 + position) % tasks.length]!;
        const order = task.options.map((o) => o.id);
        const selected = order.filter(() => rng.next() < 0.4).concat(order.slice(-1));
        const kinds = task.options.filter((o) => selected.includes(o.id)).reduce((bits, o) => bits | kindBit(o.kind), 0);
        return { id: newId('a', 14), participantId: p.id, taskId: task.id, position, order, selected, kinds };
      }),
    );
    for (let i = 0; i < answers.length; i += 5000) {
      await bulkInsert(tx, 'answers', [
        { name: 'id', type: 'text', value: (a) => a.id },
        { name: 'participant_id', type: 'text', value: (a) => a.participantId },
        { name: 'task_id', type: 'text', value: (a) => a.taskId },
        { name: 'position', type: 'int4', value: (a) => a.position },
        { name: 'selected_option_ids', type: 'text', value: (a) => JSON.stringify(a.selected), select: (v) => `ARRAY(SELECT json_array_elements_text(${v}::json))` },
        { name: 'selected_kinds', type: 'int4', value: (a) => a.kinds, select: (v) => `${v}::smallint` },
        { name: 'option_order', type: 'text', value: (a) => JSON.stringify(a.order), select: (v) => `ARRAY(SELECT json_array_elements_text(${v}::json))` },
        { name: 'shown_at', type: 'text', value: () => now.toISOString(), select: (v) => `${v}::timestamptz` },
      ], answers.slice(i, i + 5000));
    }
  }, { timeout: 600_000 });
  return created.batch.id;
}

/** Time of the export, and the live heap (after a full GC) at its largest while it runs. */
async function measureExport(db: Database, batchId: string, withGc: boolean): Promise<{ ms: number; liveHeapMb: number; rows: number; bytes: number }> {
  gc();
  const base = process.memoryUsage().heapUsed;
  let live = 0;
  let bytes = 0;
  let writes = 0;
  const sink = new Writable({
    write(chunk, _enc, done) {
      bytes += chunk.length;
      // Every 4th page: collect garbage and read what is still alive (the retained memory).
      if (withGc && ++writes % 4 === 0) {
        gc();
        live = Math.max(live, process.memoryUsage().heapUsed - base);
      }
      done();
    },
  });
  const start = performance.now();
  const rows = await writeAnswersExport(db, await db.prisma.batch.findUniqueOrThrow({ where: { id: batchId } }), 'csv', sink);
  return { ms: performance.now() - start, liveHeapMb: live / 1e6, rows, bytes };
}

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error('set DATABASE_URL to a PostgreSQL server');
const name = `prefbasis_bench_export_${process.pid}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const db = await openDatabase({ kind: 'postgres', url: url.toString() });
try {
  await db.migrate();
  await importDatasetText(db.prisma, { name: 'bench', text: toJsonl(generateSyntheticDataset(2500, createRng(1))) });
  const smallId = await fillBatch(db, 'small', 100);
  const largeId = await fillBatch(db, 'large', 1000);
  // Timings without the forced GCs; memory from a second run with them.
  const [smallTime, largeTime] = [await measureExport(db, smallId, false), await measureExport(db, largeId, false)];
  const [smallMem, largeMem] = [await measureExport(db, smallId, true), await measureExport(db, largeId, true)];
  console.log(`baseline: ${smallTime.rows} answers exported = 1.0 (${smallTime.ms.toFixed(0)} ms; live heap ${smallMem.liveHeapMb.toFixed(1)} MB; ${(smallTime.bytes / 1e6).toFixed(1)} MB of CSV)`);
  console.log(`${largeTime.rows} answers: time ${(largeTime.ms / smallTime.ms).toFixed(1)} x baseline; live heap ${(largeMem.liveHeapMb / smallMem.liveHeapMb).toFixed(2)} x baseline (${largeMem.liveHeapMb.toFixed(1)} MB; ${(largeTime.bytes / 1e6).toFixed(1)} MB of CSV)`);
} finally {
  await db.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
