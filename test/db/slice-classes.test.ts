// Topic and category slices are counted in SQL as classes of equal per-rater totals
// (db/answers.ts listSliceClasses): they must be exactly the classes core builds from the answers
// themselves — spellings of one topic grouped before a rater's answers are summed, excluded raters
// left out, an LLM evaluator's answers clustered by task (and never excluded), and counts past the
// packed columns' limit counted unpacked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sliceClassesOf, type SliceBy, type SliceableTotals } from '../../src/core/metric-slices.js';
import { kindBit, OPTION_KINDS } from '../../src/core/option-kinds.js';
import { createRng } from '../../src/core/rng.js';
import { listSliceClasses, listSliceNames } from '../../src/db/answers.js';
import type { Batch } from '../../src/db/batches.js';
import * as PrismaSql from '../../src/db/sql.js';
import { readSnapshot } from '../../src/db/sql-runner.js';
import { createOpenBatch } from '../helpers/rater.js';
import { simulateRaters } from '../helpers/simulate.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

describe('slice classes counted in SQL', () => {
  let t: TestApp;
  let batch: Batch;
  beforeAll(async () => {
    t = await createTestApp();
    batch = await createOpenBatch(t.db, { name: 'classes', questions: 10, raters: 40, seed: 5, completionCode: 'CLASS1' }, 120);
    await simulateRaters(t.db, batch, 40, { generated: 0.7, category: 0.5, category_topic: 0.4, control: 0.2, control_topic: 0.2, other: 0.1 }, createRng(5));
    // A second spelling of one topic on every other task of it: raters answer under both.
    await t.db.prisma.$executeRaw`
      UPDATE tasks SET topic_category = '  ' || upper(topic_category) || ' '
      WHERE id IN (SELECT id FROM tasks WHERE batch_id = ${batch.id}
                   AND topic_category = (SELECT min(topic_category) FROM tasks WHERE batch_id = ${batch.id}) AND position % 2 = 0)`;
  }, 120_000);
  afterAll(async () => {
    await t?.drop();
  });

  /** Every counted answer as its own row, for core to merge per rater and class. */
  async function answerRows(excluded: readonly string[]): Promise<SliceableTotals[]> {
    const rows = await t.db.sql.rows<{ participant_id: string; task_id: string; llm: boolean; topic: string; category: string; kinds: number }>(PrismaSql.sql`
      SELECT a.participant_id, a.task_id, l.participant_id IS NOT NULL AS llm, t.topic_category AS topic, t.sampled_category AS category, a.selected_kinds AS kinds
      FROM answers a JOIN tasks t ON t.id = a.task_id JOIN participants p ON p.id = a.participant_id LEFT JOIN llm_runs l ON l.participant_id = p.id
      WHERE p.batch_id = ${batch.id} AND p.completed_at IS NOT NULL`);
    return rows
      .filter((r) => r.llm || !excluded.includes(r.participant_id))
      .map((r) => ({
        raterId: r.llm ? `task:${r.task_id}` : r.participant_id,
        unit: r.llm ? ('task' as const) : ('rater' as const),
        answers: 1,
        hits: OPTION_KINDS.map((k) => (r.kinds & kindBit(k) ? 1 : 0)),
        batchId: batch.id,
        topicCategory: r.topic,
        sampledCategory: r.category,
        evaluator: 'human',
      }));
  }

  /** Classes in a comparable order (the bootstrap sorts them itself). */
  const sorted = (slices: { key: string; groupKey: string; classes: { size: number; unit: string; answers: number; hits: readonly number[] }[] }[]) =>
    slices
      .map((s) => ({ key: s.key, groupKey: s.groupKey, classes: s.classes.map((c) => JSON.stringify([c.unit, c.answers, [...c.hits], c.size])).sort() }))
      .sort((a, b) => (a.groupKey < b.groupKey ? -1 : 1));

  async function compare(by: Exclude<SliceBy, 'evaluator' | 'batch'>, excluded: string[]) {
    const fromSql = await readSnapshot(t.db.sql, async (tx) => listSliceClasses(tx, { batchIds: [batch.id], includePartial: false, by, excluded, names: await listSliceNames(tx, [batch.id], by) }));
    expect(sorted(fromSql)).toEqual(sorted(sliceClassesOf(await answerRows(excluded), by)));
    return fromSql;
  }

  it('gives the classes core builds from the answers, two spellings of a topic counted as one', async () => {
    const topics = await compare('topic', []);
    const spelled = topics.find((s) => s.key !== s.key.toLowerCase() && s.classes.some((c) => c.answers > 1));
    expect(topics.length).toBeGreaterThan(1);
    expect(spelled, 'a topic with both spellings').toBeDefined();
    await compare('category', []);
  });

  it('leaves excluded raters out', async () => {
    const [some] = await t.db.sql.rows<{ ids: string[] }>(PrismaSql.sql`SELECT array_agg(id ORDER BY id) AS ids FROM (SELECT id FROM participants WHERE batch_id = ${batch.id} ORDER BY id LIMIT 7) x`);
    const before = await compare('topic', []);
    const after = await compare('topic', some!.ids);
    const raters = (s: typeof before) => s.reduce((n, x) => n + x.classes.reduce((m, c) => m + c.size, 0), 0);
    expect(raters(after)).toBeLessThan(raters(before));
  });

  it("clusters an LLM evaluator's answers by task, never excluded, and counts more than 1,023 answers a cluster unpacked", async () => {
    // 1,100 model participants, all answering the batch's first task once (position 0).
    const [task] = await t.db.sql.rows<{ id: string; option: string }>(PrismaSql.sql`
      SELECT t.id, (SELECT o.id FROM task_options o WHERE o.task_id = t.id ORDER BY o.id LIMIT 1) AS option FROM tasks t WHERE t.batch_id = ${batch.id} ORDER BY t.position LIMIT 1`);
    await t.db.prisma.$executeRaw`
      INSERT INTO participants (id, batch_id, code, prolific_pid, study_id, session_id, status, evaluator, completed_at)
      SELECT 'llm' || i, ${batch.id}, 'llm-code-' || i, 'llm-pid-' || i, 'llm', 'llm-' || i, 'completed', 'model', now() FROM generate_series(1, 1100) i`;
    await t.db.prisma.$executeRaw`INSERT INTO llm_runs (participant_id, model, repeat) SELECT 'llm' || i, 'model', i FROM generate_series(1, 1100) i`;
    await t.db.prisma.$executeRaw`
      INSERT INTO answers (id, participant_id, task_id, position, selected_option_ids, selected_kinds, option_order, shown_at)
      SELECT 'llm-answer-' || i, 'llm' || i, ${task!.id}, 0, ARRAY[${task!.option}], CASE WHEN i % 3 = 0 THEN 3 ELSE 1 END, ARRAY[${task!.option}], now() FROM generate_series(1, 1100) i`;
    const topics = await compare('topic', ['llm1', 'llm2']);
    const big = topics.flatMap((s) => s.classes).find((c) => c.unit === 'task');
    expect(big).toMatchObject({ size: 1, answers: 1100, hits: [1100, 366, 0, 0, 0, 0] });
  });
});
