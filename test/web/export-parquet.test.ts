// The answers export as Parquet (issue 15.3): read back with an independent reader (hyparquet),
// every value of every row agrees with the CSV export, with real types: timestamps, numbers,
// booleans and lists; text is kept as written (no CSV formula neutralisation in Parquet).
import { parse } from 'csv-parse/sync';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWER_CSV_HEADER, ANSWER_PARQUET_COLUMNS } from '../../src/core/export-format.js';
import { createRng } from '../../src/core/rng.js';
import type { Batch } from '../../src/db/batches.js';
import { signInAdminAndResearcher } from '../helpers/console.js';
import { toJsonlText } from '../helpers/datasets.js';
import { createOpenBatch } from '../helpers/rater.js';
import { simulateRaters } from '../helpers/simulate.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const AWKWARD = ['=SUM(A1:A9)', '+ "quoted", and commas', '-\ttab inside', '@mention\nnew line', 'émoji 🚀'];
const P = { generated: 0.7, category: 0.5, category_topic: 0.5, control: 0.2, control_topic: 0.2, other: 0.1 };

let t: TestApp;
let batch: Batch;
beforeAll(async () => {
  t = await createTestApp();
  const text = toJsonlText(
    Array.from({ length: 80 }, (_, i) => ({
      id: `pq-${i}`,
      prompt: `Prompt ${i}`,
      response_a: 'A',
      response_b: 'B',
      winner: 'model_a',
      topic_category: i % 2 ? 'Health' : 'Sports, "and" games',
      preferences: [0, 1].map((k) => ({ category: ['Clarity', 'Accuracy', 'Humor'][(i + k) % 3], granular: [`${AWKWARD[(i + k) % AWKWARD.length]} ${i}`] })),
    })),
  );
  batch = await createOpenBatch(t.db, { questions: 5, raters: 8, seed: 4, completionCode: 'PARQ1', preferredSide: 'random' }, text);
  await simulateRaters(t.db, batch, 4, P, createRng(5));
  // A partial session: completed_at stays empty (null in Parquet).
  await simulateRaters(t.db, batch, 1, P, createRng(6), { answers: 2 });
  // One rater fails both checks: flagged by the exclusion rules (a non-empty excluded_by list).
  await simulateRaters(t.db, batch, 1, P, createRng(7), { checks: 'fail' });
});
afterAll(async () => {
  await t?.drop();
});

const binary = (res: request.Response, callback: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

async function downloadParquet(): Promise<ArrayBuffer> {
  const res = await request(t.app).get(`/api/v1/batches/${batch.id}/answers?format=parquet`).set(t.auth).buffer(true).parse(binary);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('application/vnd.apache.parquet');
  expect(res.headers['content-disposition']).toBe(`attachment; filename="${batch.id}-answers.parquet"`);
  const bytes = res.body as Buffer;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** What the CSV writer did to a text cell that could start a formula, undone. */
const unneutralised = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

describe('answers as Parquet', () => {
  it('has the CSV columns, in the CSV order', () => {
    expect(ANSWER_PARQUET_COLUMNS.map((c) => c.name)).toEqual(ANSWER_CSV_HEADER);
  });

  it('holds every answer, each value equal to the CSV export, with typed columns', async () => {
    const file = await downloadParquet();
    const rows = (await parquetReadObjects({ file })) as Record<string, unknown>[];
    const csv = await request(t.app).get(`/api/v1/batches/${batch.id}/answers?format=csv`).set(t.auth);
    const csvRows = parse(csv.text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(4 * 5 + 2 + 5);
    expect(rows).toHaveLength(csvRows.length);
    let seenNulls = 0;
    let seenExcluded = 0;
    rows.forEach((row, i) => {
      const expected = csvRows[i] as Record<string, string>;
      for (const column of ANSWER_PARQUET_COLUMNS) {
        const value = row[column.name];
        const cell = expected[column.name] ?? '';
        const where = `row ${i} ${column.name}`;
        if (value === null || value === undefined) {
          expect([where, column.nullable, cell]).toEqual([where, true, '']);
          seenNulls++;
          continue;
        }
        switch (column.type) {
          case 'string':
            expect([where, value]).toEqual([where, unneutralised(cell)]);
            break;
          case 'int':
          case 'double':
            expect([where, value]).toEqual([where, Number(cell)]);
            break;
          case 'boolean':
            expect([where, value]).toEqual([where, cell === 'true']);
            break;
          case 'timestamp':
            expect(value).toBeInstanceOf(Date);
            expect([where, (value as Date).toISOString()]).toEqual([where, cell]);
            break;
          case 'string-list':
            expect([where, value]).toEqual([where, cell === '' ? [] : cell.split(' ')]);
            if (column.name === 'excluded_by' && (value as string[]).length > 0) seenExcluded++;
            break;
        }
      }
    });
    // The fixture reaches the nullable columns, the lists and the awkward texts it is meant to.
    expect(seenNulls).toBeGreaterThan(0);
    expect(seenExcluded).toBe(5);
    expect(rows.some((r) => String(r.option_1_text).startsWith('=') || String(r.option_2_text).startsWith('='))).toBe(true);
    expect(new Set(rows.map((r) => r.preferred_shown_first))).toEqual(new Set([true, false]));
  });

  it('declares UTC millisecond timestamps, 32-bit integers and 3-level lists in its schema', async () => {
    const meta = parquetMetadata(await downloadParquet());
    const element = (name: string) => meta.schema.find((e) => e.name === name);
    expect(element('answered_at')).toMatchObject({ type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' }, repetition_type: 'REQUIRED' });
    expect(element('completed_at')).toMatchObject({ repetition_type: 'OPTIONAL' });
    expect(element('question_number')).toMatchObject({ type: 'INT32' });
    expect(element('selected_kinds')).toMatchObject({ converted_type: 'LIST', num_children: 1 });
    expect(meta.created_by).toBe('PrefBasis');
  });

  it('is offered by the console for answers, and refused with 400 for the other exports', async () => {
    const { researcher } = await signInAdminAndResearcher(t.app, t.db.prisma);
    const res = await researcher.agent.get(`/console/batches/${batch.id}/export?what=answers&format=parquet`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect((res.body as Buffer).subarray(0, 4).toString()).toBe('PAR1');
    const refused = await researcher.agent.get(`/console/batches/${batch.id}/export?what=tasks&format=parquet`);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Parquet is offered for answers only');
    expect((await request(t.app).get(`/api/v1/batches/${batch.id}/checks?format=parquet`).set(t.auth)).status).toBe(400);
  });
});
