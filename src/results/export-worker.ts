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
 * Buffers the server's thread wrote out and handed back (export-thread.ts): text is encoded into
 * them again, so a long export reuses a few buffers instead of leaving one per chunk for the
 * server's quiet heap to collect. A few are kept; a larger chunk gets a new one.
 */
const spares: ArrayBuffer[] = [];
const SPARES_KEPT = 4;
const SMALLEST_BUFFER = 256 * 1024;

function bufferOf(length: number): ArrayBuffer {
  const i = spares.findIndex((b) => b.byteLength >= length);
  return i === -1 ? new ArrayBuffer(Math.max(length, SMALLEST_BUFFER)) : spares.splice(i, 1)[0]!;
}

/**
 * `text` as UTF-8 in a buffer of its own (whole strings: no character is ever cut in two). A UTF-16
 * unit takes at most 3 bytes, so a buffer of 3 × the length holds it without measuring it first.
 */
function encoded(text: string): Uint8Array {
  const buffer = bufferOf(text.length * 3);
  return new Uint8Array(buffer, 0, Buffer.from(buffer).write(text));
}

/** Chunks go to the server's thread as bytes it can write as they are; the next write waits until it says 'taken'. */
class ParentSink extends Writable {
  private pending: (() => void) | null = null;
  constructor() {
    super({ highWaterMark: 256 * 1024, decodeStrings: false });
    port!.on('message', (message: ServerMessage) => {
      if (message !== 'taken') {
        if (spares.length < SPARES_KEPT) spares.push(message.buffer);
        return;
      }
      const taken = this.pending;
      this.pending = null;
      taken?.();
    });
  }
  override _write(chunk: string | Uint8Array, _encoding: BufferEncoding, callback: () => void): void {
    this.pending = callback;
    // Parquet's bytes: a row group in a buffer of its own (parquet.ts copies it out of the
    // writer's) is moved as it is; anything else is copied into one first.
    const own = typeof chunk !== 'string' && chunk.buffer instanceof ArrayBuffer && chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
    const bytes = typeof chunk === 'string' ? encoded(chunk) : own ? chunk : new Uint8Array(chunk);
    port!.postMessage({ type: 'chunk', bytes } satisfies WorkerMessage, [bytes.buffer as ArrayBuffer]);
  }
}

async function main(input: WorkerInput): Promise<number> {
  // Named, so that an operator sees exports in pg_stat_activity (and a test can find them).
  const { sql, close } = openWorkerConnection(input.connectionString, EXPORT_APPLICATION_NAME);
  const out = new ParentSink();
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
