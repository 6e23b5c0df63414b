// Runs the participant timeout inside the server on a schedule (issue 11.1). Every server process
// runs it; the statement itself makes that safe (db/timeouts.ts).
import { SYSTEM_ACTOR } from '../db/audit.js';
import type { SqlRunner } from '../db/sql-runner.js';
import { timeOutAbandonedParticipants } from '../db/timeouts.js';
import { schedule, type Scheduled } from './schedule.js';

/** runNow runs one sweep now (the schedule keeps going) and says how many it timed out. */
export type TimeoutSweep = Scheduled<number>;

/** Starts sweeping every `everyMs`; a failed sweep (database away) is logged and the next one tries again. */
export function startTimeoutSweep(sql: SqlRunner, options: { everyMs: number; log: (message: string) => void; now?: () => Date; keepProlificActive?: boolean }): TimeoutSweep {
  const now = options.now ?? (() => new Date());
  const sweep = async () => {
    const gone = await timeOutAbandonedParticipants(sql, now(), SYSTEM_ACTOR, { keepProlificActive: options.keepProlificActive ?? false });
    if (gone.length) options.log(`timed out ${gone.length} participant(s) past their batch's maximum time`);
    return gone.length;
  };
  return schedule(sweep, { ...options, failure: 'participant timeout sweep failed' });
}
