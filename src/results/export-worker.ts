// The worker thread of export-thread.ts: opens one connection, runs the export in it, and sends the
// formatted chunks to the server's thread one at a time (each after the last one was taken).
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { openWorkerConnection } from '../db/sql-runner.js';
import { EXPORT_APPLICATION_NAME, type ServerMessage, type WorkerInput, type WorkerMessage } from './export-thread.js';
import { writeAnswersExportHere, writeTasksExportHere } from './exports.js';

const port = parentPort;
if (!port) throw new Error('export-worker.ts runs as a worker thread (export-thread.ts starts it)');
const send = (message: WorkerMessage) => port.postMessage(message);

/**
 * Buffers the server's thread wrote out and handed back (export-thread.ts), when its destination
 * hands them back: text is encoded into them again, so a long export reuses one or two buffers
 * instead of leaving one per chunk for the server's quiet heap to collect. A text chunk (200 rows:
 * ~130 K characters of CSV, ~270 K of JSON Lines) fits in the smallest buffer made.
 */
const spares: ArrayBuffer[] = [];
const SPARES_KEPT = 2;
const SMALLEST_SPARE = 1024 * 1024;

function spareOf(length: number): ArrayBuffer {
  const i = spares.findIndex((b) => b.byteLength >= length);
  return i === -1 ? new ArrayBuffer(Math.max(length, SMALLEST_SPARE)) : spares.splice(i, 1)[0]!;
}

/**
 * `text` as UTF-8 in a spare buffer (whole strings: no character is ever cut in two). A UTF-16
 * unit takes at most 3 bytes, so a buffer of 3 × the length holds it without measuring it first.
 */
function encodedInSpare(text: string): Uint8Array {
  const buffer = spareOf(text.length * 3);
  return new Uint8Array(buffer, 0, Buffer.from(buffer).write(text));
}

/** `chunk` in a buffer of its own and of its size, to be moved to the server's thread for good. */
function ownBytes(chunk: string | Uint8Array): Uint8Array {
  // Parquet's row groups come in buffers of their own (parquet.ts copies them out of the writer's)
  // and are moved as they are; text, and anything sharing a buffer, is copied into one first.
  const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  const own = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return own ? bytes : new Uint8Array(bytes);
}

/** Chunks go to the server's thread as bytes it can write as they are; the next write waits until it says 'taken'. */
class ParentSink extends Writable {
  private pending: (() => void) | null = null;
  constructor(private readonly handsBack: boolean) {
    super({ highWaterMark: 256 * 1024, decodeStrings: false });
    port!.on('message', (message: ServerMessage) => {
      if (message !== 'taken') {
        // A row group handed back only leaves the server's thread; this thread's collections free it.
        if (message.refill && spares.length < SPARES_KEPT) spares.push(message.buffer);
        return;
      }
      const taken = this.pending;
      this.pending = null;
      taken?.();
    });
  }
  override _write(chunk: string | Uint8Array, _encoding: BufferEncoding, callback: () => void): void {
    this.pending = callback;
    // Text is encoded into spares when they come back; else each chunk gets a buffer of its size,
    // which the server's thread may keep (a PassThrough) or free.
    const refill = this.handsBack && typeof chunk === 'string';
    const bytes = refill ? encodedInSpare(chunk) : ownBytes(chunk);
    port!.postMessage({ type: 'chunk', bytes, refill } satisfies WorkerMessage, [bytes.buffer as ArrayBuffer]);
  }
}

async function main(input: WorkerInput): Promise<number> {
  // Named, so that an operator sees exports in pg_stat_activity (and a test can find them).
  const { sql, close } = openWorkerConnection(input.connectionString, EXPORT_APPLICATION_NAME);
  const out = new ParentSink(input.handsBack);
  try {
    const { job } = input;
    const onRows = (read: number) => send({ type: 'rows', read });
    const count = job.what === 'answers' ? await writeAnswersExportHere(sql, job.batch, job.format, out, onRows, 'worker') : await writeTasksExportHere(sql, job.batchId, job.format, out);
    // What the sink still holds goes out before 'done' (messages arrive in order).
    out.end();
    await finished(out);
    return count;
  } finally {
    await close();
  }
}

main(workerData as WorkerInput)
  .then(
    (count) => send({ type: 'done', count }),
    (err: unknown) => send({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
  )
  // Nothing more to hear from the server's thread: the thread may end.
  .finally(() => port.unref());
