// Runs the participant timeout inside the server on a schedule (issue 11.1). Every server process
// runs it; the statement itself makes that safe (db/timeouts.ts).
import { SYSTEM_ACTOR } from '../db/audit.js';
import type { SqlRunner } from '../db/sql-runner.js';
import { timeOutAbandonedParticipants } from '../db/timeouts.js';

export interface TimeoutSweep {
  /** Runs one sweep now (the schedule keeps going). */
  runNow(): Promise<number>;
  stop(): void;
}

/** Starts sweeping every `everyMs`; a failed sweep (database away) is logged and the next one tries again. */
export function startTimeoutSweep(sql: SqlRunner, options: { everyMs: number; log: (message: string) => void; now?: () => Date; keepProlificActive?: boolean }): TimeoutSweep {
  const now = options.now ?? (() => new Date());
  let running: Promise<number> | null = null;
  const runNow = () => {
    // One sweep at a time in this process: a slow database never piles sweeps up.
    running ??= timeOutAbandonedParticipants(sql, now(), SYSTEM_ACTOR, { keepProlificActive: options.keepProlificActive ?? false })
      .then((gone) => {
        if (gone.length) options.log(`timed out ${gone.length} participant(s) past their batch's maximum time`);
        return gone.length;
      })
      .finally(() => (running = null));
    return running;
  };
  const timer = setInterval(() => {
    runNow().catch((err: unknown) => options.log(`participant timeout sweep failed (will retry): ${err instanceof Error ? err.message : String(err)}`));
  }, options.everyMs);
  timer.unref();
  return { runNow, stop: () => clearInterval(timer) };
}
