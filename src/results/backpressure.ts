// Waiting on a writable's backpressure without leaking listeners: a long export waits thousands of
// times, and `once(out, 'close')` left pending after each 'drain' would pile up on the stream.
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** The client went away during a download: the export stops; nothing to report. */
export class DownloadAborted extends Error {
  constructor() {
    super('the client closed the download');
  }
}

/** Resolves when `out` drains or closes (a client gone never drains), whichever comes first. */
export async function drainedOrClosed(out: Writable): Promise<void> {
  const done = new AbortController();
  try {
    await Promise.race([once(out, 'drain', { signal: done.signal }), once(out, 'close', { signal: done.signal })]);
  } finally {
    done.abort();
  }
}
