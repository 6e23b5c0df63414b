// Long exports run in a worker thread with a heap of its own (PostgreSQL only: the embedded
// database lives inside the server's thread). Two reasons, both measured (BENCHMARKS.md, exports):
// in the server's thread V8 let the heap grow by 230-415 MB of garbage during a 1,000,000-answer
// export before collecting it, and formatting took turns of the event loop (up to 190 ms) that the
// raters' requests waited on. A worker's heap has a limit of its own, so it is collected before it
// grows past it, and its formatting runs beside the server's thread, which only hands the chunks
// to the socket.
import { WriteStream } from 'node:fs';
import { ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { DownloadAborted, drainedOrClosed } from './backpressure.js';
import { turns } from './turns.js';
import { workerStarter } from './worker-script.js';
import type { RulesOfBatch } from './exclusions.js';

export type ExportJob =
  | { what: 'answers'; batch: RulesOfBatch; format: 'csv' | 'jsonl' | 'parquet' }
  | { what: 'tasks'; batchId: string; format: 'csv' | 'jsonl' };

/** What the worker sends: a chunk of the file (UTF-8 or Parquet bytes), rows read so far, the end, or why it failed. */
export type WorkerMessage =
  | { type: 'chunk'; bytes: Uint8Array; /** Whether the worker fills this buffer again once written. */ refill: boolean }
  | { type: 'rows'; read: number }
  | { type: 'done'; count: number }
  | { type: 'failed'; message: string };

/**
 * What the server's thread sends: a chunk was taken (send the next), or a chunk's buffer once it is
 * written out (handsBackWritten), to be filled again when the worker asked (`refill`), else freed
 * by the worker's own collections.
 */
export type ServerMessage = 'taken' | { type: 'written'; buffer: ArrayBuffer; refill: boolean };

/** The worker's connection, as pg_stat_activity shows it. */
export const EXPORT_APPLICATION_NAME = 'prefbasis export';

export interface WorkerInput {
  connectionString: string;
  job: ExportJob;
  /** Tasks the export keeps in memory (answers: its batch's; tasks: none, it streams pages). */
  tasksKept: number;
  /** Whether the destination hands written buffers back (handsBackWritten); set by runExportInWorker. */
  handsBack: boolean;
}

/**
 * The worker's heap. V8 lets an old generation fill with garbage until it nears its limit, so the
 * limit bounds the worker's memory; it leaves room for what an answers export keeps for its whole
 * run (its batch's tasks with their options, about 0.6 KB each, 1 KB allowed; db/answers.ts) and for a page or
 * two in flight. A 1,000,000-answer export used up to 64 MB of heap (BENCHMARKS.md); at 64 MB plus
 * the tasks one ran out. A small young generation lets little die in the old one.
 */
const WORKER_OLD_GENERATION_MB = 128;
const WORKER_OLD_GENERATION_KB_PER_TASK = 1;
const WORKER_YOUNG_GENERATION_MB = 4;

const startExportWorker = workerStarter('export-worker');

/**
 * Exports running at once in this process (one per core of the machine this was measured on);
 * later ones wait their turn, their download already started. Each holds a database connection
 * of its own beyond the pool, and its worker's memory.
 */
export const EXPORTS_AT_ONCE = 2;
const exportTurn = turns(EXPORTS_AT_ONCE);

/**
 * An export that moves nothing for this long is ended as a failed download: a client that stopped
 * reading without closing (a paused browser download), or a worker stuck on the database, would
 * otherwise hold one of the process's turns for good.
 */
export const EXPORT_STALL_MS = 5 * 60_000;

/**
 * Runs `job` in a worker thread that reads through its own connection, writing what it formats to
 * `out` with backpressure (the worker waits for each chunk to be taken). When `out` closes first
 * (the client went away) the worker is stopped and DownloadAborted thrown.
 */
export async function runExportInWorker(job: Omit<WorkerInput, 'handsBack'>, out: Writable, onRows: (read: number) => void, stallMs = EXPORT_STALL_MS): Promise<number> {
  const input: WorkerInput = { ...job, handsBack: handsBackWritten(out) };
  const release = await exportTurn();
  try {
    if (out.destroyed) throw new DownloadAborted();
    return await runWorker(input, out, onRows, stallMs);
  } finally {
    release();
  }
}

function runWorker(input: WorkerInput, out: Writable, onRows: (read: number) => void, stallMs: number): Promise<number> {
  const worker = startExportWorker(input, {
    resourceLimits: {
      maxOldGenerationSizeMb: WORKER_OLD_GENERATION_MB + Math.ceil((input.tasksKept * WORKER_OLD_GENERATION_KB_PER_TASK) / 1024),
      maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB,
    },
  });
  return new Promise<number>((resolve, reject) => {
    let settled = false;
    let lastMoved = Date.now();
    const watchdog = setInterval(() => {
      if (Date.now() - lastMoved > stallMs) settle(new Error(`the export moved nothing for ${Math.round(stallMs / 1000)} s (a client that stopped reading, or a stuck database): ended`));
    }, Math.min(10_000, stallMs / 4));
    watchdog.unref();
    const settle = (error: Error | null, count = 0) => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      out.off('close', onClose);
      // Ended either way: its last chunk came before 'done' (messages arrive in order), and a
      // worker left running would keep its heap and connection.
      void worker.terminate();
      if (error) reject(error);
      else resolve(count);
    };
    const onClose = () => settle(new DownloadAborted());
    out.on('close', onClose);
    const taken = () => {
      lastMoved = Date.now();
      worker.postMessage('taken' satisfies ServerMessage);
    };
    const written = (buffer: ArrayBuffer, refill: boolean) => () => {
      if (!settled) worker.postMessage({ type: 'written', buffer, refill } satisfies ServerMessage, [buffer]);
    };
    worker.on('message', (message: WorkerMessage) => {
      lastMoved = Date.now();
      if (message.type === 'chunk') {
        if (out.destroyed) return settle(new DownloadAborted());
        // The worker sends its next chunk only after this one was taken (its sink's callback).
        const { bytes } = message;
        const flowing = input.handsBack ? out.write(bytes, written(bytes.buffer as ArrayBuffer, message.refill)) : out.write(bytes);
        if (flowing) taken();
        else drainedOrClosed(out).then(() => !out.destroyed && taken(), (err: Error) => settle(err));
      } else if (message.type === 'rows') onRows(message.read);
      else if (message.type === 'done') settle(null, message.count);
      else settle(new Error(`export failed: ${message.message}`));
    });
    worker.on('error', (err) => settle(err));
    worker.on('exit', (code) => settle(new Error(`the export worker stopped (exit code ${code}) before the export ended`)));
  });
}

/**
 * Whether `out` is done with a chunk once its write has called back, so that the chunk's buffer
 * can go back to the worker to be filled again: a socket, an HTTP response (its socket's, or its
 * own queue's until the socket is there) and a file are; a stream that queues chunks for a reader
 * (a PassThrough) is not, and keeps its chunks. In the server's thread a chunk's buffer is
 * otherwise freed only when its heap is next collected, which a quiet server seldom does: up to
 * 30 MB of written Parquet row groups waited there during a 1,000,000-answer export
 * (BENCHMARKS.md, exports).
 */
function handsBackWritten(out: Writable): boolean {
  return out instanceof ServerResponse || out instanceof Socket || out instanceof WriteStream;
}
