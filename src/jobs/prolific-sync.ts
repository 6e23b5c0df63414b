// Runs the Prolific sync inside the server on a schedule (issue 11.1) for every batch that may still
// have raters inside: open, paused, or closed within the last day. Every process may run it: the
// statements it ends in are safe to repeat (db/prolific-sync.ts).
import { SYSTEM_ACTOR } from '../db/audit.js';
import { listBatchesToSync } from '../db/batches.js';
import type { Prisma } from '../db/connection.js';
import type { SqlRunner } from '../db/sql-runner.js';
import type { ProlificClient } from '../prolific/client.js';
import { syncBatchWithProlific } from '../prolific/sync.js';
import { schedule, type Scheduled } from './schedule.js';

export type ProlificSyncJob = Scheduled<void>;

export function startProlificSync(db: { prisma: Prisma; sql: SqlRunner }, client: ProlificClient, options: { everyMs: number; log: (message: string) => void; now?: () => Date }): ProlificSyncJob {
  const now = options.now ?? (() => new Date());
  const syncAll = async () => {
    for (const batch of await listBatchesToSync(db.prisma, now())) {
      try {
        const result = await syncBatchWithProlific(db.sql, client, batch, now(), SYSTEM_ACTOR);
        if (result.ok && result.freed.length) options.log(`Prolific sync freed ${result.freed.length} place(s) in batch ${batch.id}`);
      } catch (err) {
        // One batch's failure (a wrong study id, Prolific away) never stops the others.
        options.log(`Prolific sync of batch ${batch.id} failed (will retry): ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  return schedule(syncAll, { ...options, failure: 'Prolific sync failed' });
}
