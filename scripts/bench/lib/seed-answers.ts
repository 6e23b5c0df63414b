// Fills a batch with finished raters and their answers in SQL (fast enough for a million answers):
// rater g answers 20 consecutive tasks, ticking each option kind at the paper's human rates.
// For benchmarks and the event-loop test only.
import type pg from 'pg';

export async function seedFinishedRaters(client: pg.Client, batchId: string, raters: number, prefix = 'b'): Promise<void> {
  await client.query(`CREATE TEMP TABLE tk AS SELECT (row_number() OVER (ORDER BY position) - 1)::int AS n, id FROM tasks WHERE batch_id = $1`, [batchId]);
  await client.query(`
    INSERT INTO participants (id, batch_id, code, prolific_pid, study_id, session_id, status, created_at, completed_at)
    SELECT $3::text || 'p' || g, $1, $3::text || 'c' || g, lpad(g::text, 24, '0'), 'bench', $3::text || 's' || g, 'completed', now(), now()
    FROM generate_series(1, $2::int) g`, [batchId, raters, prefix]);
  await client.query(`SELECT setseed(0.42)`);
  await client.query(`
    INSERT INTO answers (id, participant_id, task_id, position, selected_option_ids, selected_kinds, option_order, shown_at, answered_at)
    SELECT $2::text || 'a' || g || '_' || pos, $2::text || 'p' || g, tk.id, pos, coalesce(sel.ids, ARRAY[ord.other]), kb.bits, ord.ids,
           now() - make_interval(secs => 5 + (g % 30)), now()
    FROM generate_series(1, $1::int) g CROSS JOIN generate_series(0, 19) pos
    JOIN tk ON tk.n = (g * 20 + pos) % (SELECT count(*) FROM tk)
    CROSS JOIN LATERAL (SELECT array_agg(o.id ORDER BY o.kind) AS ids, max(o.id) FILTER (WHERE o.kind = 'other') AS other FROM task_options o WHERE o.task_id = tk.id) ord
    CROSS JOIN LATERAL (
      -- length(tk.id) ties the subquery to the row, so random() is drawn per answer.
      SELECT array_agg(o.id) FILTER (WHERE random() < CASE o.kind WHEN 'generated' THEN 0.74 WHEN 'category' THEN 0.43 WHEN 'category_topic' THEN 0.48
                                                          WHEN 'control' THEN 0.13 WHEN 'control_topic' THEN 0.15 ELSE 0.08 END + 0 * length(tk.id)) AS ids
      FROM task_options o WHERE o.task_id = tk.id
    ) sel
    CROSS JOIN LATERAL (
      SELECT coalesce(bit_or(CASE o.kind WHEN 'generated' THEN 1 WHEN 'category' THEN 2 WHEN 'category_topic' THEN 4
                                         WHEN 'control' THEN 8 WHEN 'control_topic' THEN 16 ELSE 32 END), 0)::smallint AS bits
      FROM task_options o WHERE o.id = ANY(coalesce(sel.ids, ARRAY[ord.other]))
    ) kb`, [raters, prefix]);
  // Every answer has the assignment it was given from (exports read the side shown there).
  await client.query(`
    INSERT INTO assignments (participant_id, position, task_id, option_order, preferred_first, shown_at)
    SELECT a.participant_id, a.position, a.task_id, a.option_order, true, a.shown_at
    FROM answers a JOIN participants p ON p.id = a.participant_id WHERE p.batch_id = $1`, [batchId]);
  await client.query('DROP TABLE tk');
  await client.query('ANALYZE');
}
