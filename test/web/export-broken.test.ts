// Console downloads on PostgreSQL run in a worker thread (results/export-thread.ts): the download
// starts at once, ends complete, and when the export's connection dies half-way the browser sees a
// broken transfer, never the clean end of a truncated file (issue 15.5).
import type { AddressInfo } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import type { Server } from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import type { Batch } from '../../src/db/batches.js';
import { rulesOfBatch } from '../../src/results/exclusions.js';
import { textPieces } from '../../src/core/text-pieces.js';
import { EXPORT_APPLICATION_NAME, runExportInWorker } from '../../src/results/export-thread.js';
import { csrfFrom, makeAccount, PASSWORD } from '../helpers/console.js';
import { datasetLine, toJsonlText } from '../helpers/datasets.js';
import { createOpenBatch } from '../helpers/rater.js';
import { simulateRaters } from '../helpers/simulate.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { serverUrl } from '../helpers/test-database.js';

const RATERS = 150;

describe('text cut into pieces (core/text-pieces.ts, used to hash an import piece by piece)', () => {
  it('is cut into pieces that never split an emoji, and that join to the same text and bytes', () => {
    for (let shift = 0; shift < 4; shift++) {
      const text = 'x'.repeat(shift) + '😀a'.repeat(40) + 'é';
      const pieces = textPieces(text, 8);
      expect(pieces.join('')).toBe(text);
      expect(Buffer.concat(pieces.map((p) => Buffer.from(p))).equals(Buffer.from(text))).toBe(true);
      expect(pieces.every((p) => p.length > 0 && p.length <= 8)).toBe(true);
    }
  });
});

describe.skipIf(!serverUrl)('console downloads from a worker thread (PostgreSQL)', () => {
  let t: TestApp;
  let batch: Batch;
  let server: Server;
  let base: string;
  let cookie: string;
  beforeAll(async () => {
    t = await createTestApp();
    // Reasons of the longest length a dataset allows: the file (~40 MB) outgrows what the sockets
    // between server and client can hold, so a client that stops reading holds the export up.
    // Emoji (two UTF-16 units each) at every offset, so that some chunk boundary falls on one.
    const long = (i: number, k: number) => `${'reason words 😀 '.repeat(120 + ((i + k) % 4))}${i}-${k}`;
    const lines = Array.from({ length: 400 }, (_, i) =>
      datasetLine(i, { preferences: [{ category: 'Clarity', granular: [long(i, 0)] }, { category: i % 3 ? 'Accuracy' : 'Humor', granular: [long(i, 1), long(i, 2)] }] }),
    );
    batch = await createOpenBatch(t.db, { name: 'broken', questions: 20, raters: RATERS, seed: 5, completionCode: 'BR0KEN' }, toJsonlText(lines));
    await simulateRaters(t.db, batch, RATERS, { generated: 0.7, category: 0.5, category_topic: 0.5, control: 0.2, control_topic: 0.2, other: 0.1 }, createRng(5));
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await makeAccount(t.db.prisma, 'reader@example.org', 'researcher');
    cookie = await signInWithFetch('reader@example.org');
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await t?.drop();
  });

  /** Connections of export workers open now. */
  async function exportConnections(): Promise<number> {
    const admin = new pg.Client({ connectionString: t.url as string });
    await admin.connect();
    try {
      return (await admin.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()', [EXPORT_APPLICATION_NAME])).rowCount ?? 0;
    } finally {
      await admin.end();
    }
  }

  /** Signs in as a browser would, returning the Cookie header of the session. */
  async function signInWithFetch(email: string): Promise<string> {
    const page = await fetch(`${base}/console/sign-in`);
    const jar = new Map<string, string>();
    const keep = (res: Response) => res.headers.getSetCookie().forEach((c) => jar.set(c.split('=')[0] as string, c.split(';')[0] as string));
    keep(page);
    const header = () => [...jar.values()].join('; ');
    const res = await fetch(`${base}/console/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: header() },
      body: new URLSearchParams({ _csrf: csrfFrom(await page.text()), email, password: PASSWORD }),
    });
    expect(res.status).toBe(303);
    keep(res);
    return header();
  }

  it('sends every answer, as many as the batch page counts', async () => {
    const res = await fetch(`${base}/console/batches/${batch.id}/export?what=answers&format=csv`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`${batch.id}-answers.csv`);
    const text = await res.text();
    expect(text).toContain('😀');
    expect(text).not.toContain('\uFFFD');
    const lines = text.trimEnd().split('\r\n');
    const page = (await (await fetch(`${base}/console/batches/${batch.id}/progress.json`, { headers: { cookie } })).json()) as { progress: { answers: number } };
    expect(page.progress.answers).toBe(RATERS * 20);
    expect(lines).toHaveLength(1 + page.progress.answers);
    // The worker ends with its export: no thread or connection is left behind.
    await expect.poll(() => exportConnections(), { timeout: 5000 }).toBe(0);
  });

  it('sends the same bytes to a destination that keeps its chunks as to a browser, whose buffers go back to the worker', async () => {
    // A Writable that keeps what it is given (as a PassThrough's reader would) gets buffers of its
    // own; an HTTP response hands each one back to be filled again once written.
    const kept: Buffer[] = [];
    const keeper = new Writable({
      write(chunk: Buffer, _encoding, done) {
        kept.push(chunk);
        done();
      },
    });
    const rows = await runExportInWorker({ connectionString: t.url as string, job: { what: 'answers', batch: rulesOfBatch(batch), format: 'csv' }, tasksKept: 400 }, keeper, () => {});
    expect(rows).toBe(RATERS * 20);
    expect(kept.length).toBeGreaterThan(10);
    const viaBrowser = Buffer.from(await (await fetch(`${base}/console/batches/${batch.id}/export?what=answers&format=csv`, { headers: { cookie } })).arrayBuffer());
    expect(Buffer.concat(kept).equals(viaBrowser)).toBe(true);
  });

  it('ends an export whose client stopped reading (without closing) after a while, freeing its turn', async () => {
    const stalled = new PassThrough({ highWaterMark: 16 });
    const started = Date.now();
    await expect(runExportInWorker({ connectionString: t.url as string, job: { what: 'answers', batch: rulesOfBatch(batch), format: 'csv' }, tasksKept: 400 }, stalled, () => {}, 1500)).rejects.toThrow(/moved nothing/);
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect.poll(() => exportConnections(), { timeout: 5000 }).toBe(0);
  });

  it('ends as a broken download when the export loses its database connection half-way', async () => {
    const res = await fetch(`${base}/console/batches/${batch.id}/export?what=answers&format=csv`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    // The client reads no further for now, so the worker waits with the rest unsent; then its
    // connection is ended as a failover or an operator would end it.
    // The CSV header goes out before the worker's first query: wait for its connection to be open.
    await expect.poll(() => exportConnections(), { timeout: 10_000 }).toBe(1);
    const admin = new pg.Client({ connectionString: t.url as string });
    await admin.connect();
    const ended = await admin.query('SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()', [EXPORT_APPLICATION_NAME]);
    await admin.end();
    expect(ended.rowCount).toBe(1);
    let received = first.value?.length ?? 0;
    const outcome = await (async () => {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return 'clean end';
        received += chunk.value.length;
      }
    })().catch((err: Error) => `broken: ${err.message}`);
    expect(outcome).toMatch(/^broken/);
    expect(received).toBeGreaterThan(0);
    expect(t.logged.length).toBeGreaterThan(0);
  });
});
