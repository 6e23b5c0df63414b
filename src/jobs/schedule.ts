// The shell every scheduled job of the server shares: `work` runs every `everyMs` and on demand,
// one run at a time in this process (a slow database never piles runs up); a failed run is logged
// and the next one tries again; the timer never keeps the process alive.
export interface Scheduled<T> {
  /** Runs now, or joins the run already going. */
  runNow(): Promise<T>;
  stop(): void;
}

export function schedule<T>(work: () => Promise<T>, options: { everyMs: number; log: (message: string) => void; failure: string }): Scheduled<T> {
  let running: Promise<T> | null = null;
  const runNow = () => (running ??= work().finally(() => (running = null)));
  const timer = setInterval(() => {
    runNow().catch((err: unknown) => options.log(`${options.failure} (will retry): ${err instanceof Error ? err.message : String(err)}`));
  }, options.everyMs);
  timer.unref();
  return { runNow, stop: () => clearInterval(timer) };
}
