// Exports that spreadsheets cannot turn into formulas, and downloads that fail visibly (issue 10.5).
import { PassThrough } from 'node:stream';
import express from 'express';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField } from '../../src/core/export-format.js';
import { createRng } from '../../src/core/rng.js';
import type { Batch } from '../../src/db/batches.js';
import { DownloadAborted } from '../../src/results/backpressure.js';
import { writeAnswersExport } from '../../src/results/exports.js';
import { errorHandler } from '../../src/web/middleware/error-handler.js';
import { toJsonlText } from '../helpers/datasets.js';
import { createOpenBatch } from '../helpers/rater.js';
import { simulateRaters } from '../helpers/simulate.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const FORMULAS = ['=HYPERLINK("http://evil.example","click")', '+1 point of view', '-2 dashes first', '@mention first', '\tleading tab'];

let t: TestApp;
let batch: Batch;
beforeAll(async () => {
  t = await createTestApp();
  const text = toJsonlText(
    Array.from({ length: 60 }, (_, i) => ({
      id: `f-${i}`,
      prompt: `Prompt ${i}`,
      response_a: 'A',
      response_b: 'B',
      winner: 'model_a',
      topic_category: i % 2 ? 'Health' : 'Sports',
      preferences: [0, 1].map((k) => ({ category: ['Clarity', 'Accuracy', 'Humor'][(i + k) % 3], granular: [`${FORMULAS[(i + k) % FORMULAS.length]} ${i}`] })),
    })),
  );
  batch = await createOpenBatch(t.db, { name: 'formulas', questions: 5, raters: 5, seed: 3, completionCode: 'F0RMULA' }, text);
  await simulateRaters(t.db, batch, 3, { generated: 0.7, category: 0.5, category_topic: 0.5, control: 0.2, control_topic: 0.2, other: 0.1 }, createRng(1));
});
afterAll(async () => {
  await t?.drop();
});

describe('CSV injection', () => {
  it('prefixes text cells that a spreadsheet would run as a formula with a quote, and leaves numbers alone', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('-x, y')).toBe(`"'-x, y"`);
    expect(csvField(-2.5)).toBe('-2.5');
    expect(csvField('plain')).toBe('plain');
  });

  it('neutralises every dangerous option text in the answers export; undoing the prefix gives the stored text', async () => {
    const res = await request(t.app).get(`/api/v1/batches/${batch.id}/answers?format=csv`).set(t.auth);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(15);
    const texts = rows.flatMap((r) => [1, 2, 3, 4, 5, 6].map((i) => r[`option_${i}_text`] as string));
    const stored = new Map((await t.db.prisma.taskOption.findMany({ where: { task: { batchId: batch.id } } })).map((o) => [o.id, o.text]));
    let dangerous = 0;
    for (const r of rows) {
      for (const i of [1, 2, 3, 4, 5, 6]) {
        const cell = r[`option_${i}_text`] as string;
        const text = stored.get(r[`option_${i}_id`] as string) as string;
        if (/^[=+\-@\t]/.test(text)) {
          dangerous++;
          expect(cell).toBe(`'${text}`);
        } else expect(cell).toBe(text);
      }
    }
    expect(dangerous).toBeGreaterThan(10);
    expect(texts.some((x) => /^[=+\-@\t]/.test(x))).toBe(false);
  });

  it('leaves JSON Lines exports exactly as stored', async () => {
    const res = await request(t.app).get(`/api/v1/batches/${batch.id}/answers?format=jsonl`).set(t.auth);
    const texts = res.text.trim().split('\n').flatMap((l) => (JSON.parse(l) as { options: { text: string }[] }).options.map((o) => o.text));
    expect(texts.some((x) => x.startsWith('='))).toBe(true);
  });
});

describe('a download the client abandons', () => {
  it('stops the export instead of waiting forever for the closed connection to drain', async () => {
    const out = new PassThrough({ highWaterMark: 16 });
    out.once('data', () => out.destroy());
    await expect(writeAnswersExport(t.db.sql, batch, 'csv', out)).rejects.toBeInstanceOf(DownloadAborted);
  });
});

describe('a download that fails after its headers', () => {
  it('breaks the connection instead of leaving the client waiting on a truncated file', async () => {
    const app = express();
    app.get('/export', async (_req, res) => {
      res.status(200).type('text/csv');
      res.write('header\r\n');
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('the database went away');
    });
    const logged: unknown[] = [];
    app.use(errorHandler({ production: true, log: (e) => logged.push(e) }));
    const outcome = await request(app).get('/export').timeout(5000).then(() => 'completed', (err: Error) => err.message);
    expect(outcome).toMatch(/aborted|socket hang up|ECONNRESET/);
    expect(logged).toHaveLength(1);
  });
});
