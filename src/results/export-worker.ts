// The worker thread of export-thread.ts: opens one connection, runs the export in it, and sends the
// formatted chunks to the server's thread one at a time (each after the last one was taken).
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { openWorkerConnection } from '../db/sql-runner.js';
import { textPieces } from '../core/text-pieces.js';
import { EXPORT_APPLICATION_NAME, type WorkerInput, type WorkerMessage } from './export-thread.js';
import { writeAnswersExportHere, writeTasksExportHere } from './exports.js';

const port = parentPort;
if (!port) throw new Error('export-worker.ts runs as a worker thread (export-thread.ts starts it)');
const send = (message: WorkerMessage) => port.postMessage(message);

/**
 * Text goes to the server's thread in pieces small enough for its young generation, where they die
 * at the next scavenge: one large string (a chunk is ~100 KB) would sit in its large-object space
 * until a full collection, and the server's quiet heap collects seldom.
 */
const TEXT_PIECE_SIZE = 16 * 1024;

/** Chunks go to the server's thread; the next write waits until it says 'taken'. */
class ParentSink extends Writable {
  private pending: (() => void) | null = null;
  constructor() {
    super({ highWaterMark: 256 * 1024, decodeStrings: false });
    port!.on('message', () => {
      const taken = this.pending;
      this.pending = null;
      taken?.();
    });
  }
  override _write(chunk: string | Uint8Array, _encoding: BufferEncoding, callback: () => void): void {
    this.pending = callback;
    if (typeof chunk !== 'string') {
      // Parquet's bytes: a row group in a buffer of its own (parquet.ts copies it out of the
      // writer's) is moved as it is; anything else is copied into one first.
      const own = chunk.buffer instanceof ArrayBuffer && chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
      const bytes = own ? chunk : new Uint8Array(chunk);
      port!.postMessage({ type: 'chunk', pieces: [bytes] } satisfies WorkerMessage, [bytes.buffer as ArrayBuffer]);
      return;
    }
    send({ type: 'chunk', pieces: textPieces(chunk, TEXT_PIECE_SIZE) });
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
