// The audit log: who changed which batch, dataset, token or account, and when. Rows are written
// by the db functions that make the change, inside the same transaction: an audit row exists
// exactly when its change committed, whichever door (API, console, CLI, scheduled job) it came by.
import type { Prisma, Tx } from './connection.js';
import * as PrismaSql from './sql.js';
import type { AuditEvent } from './generated/client.js';
import { newId } from './ids.js';
import type { SqlStatements } from './sql-runner.js';

export type { AuditEvent };

export interface Actor {
  /** Email of the account, or `cli`. */
  name: string;
  accountId: string | null;
}

export const CLI_ACTOR: Actor = { name: 'cli', accountId: null };

/** The server's own scheduled jobs (timeouts, Prolific sync). */
export const SYSTEM_ACTOR: Actor = { name: 'system', accountId: null };

export interface AuditChange {
  action: string;
  batchId?: string;
  datasetId?: string;
  details?: Record<string, string | number | boolean | null>;
}

/** One audit row, written by the transaction (`tx`) that makes the change it records. */
export async function writeAuditEvent(tx: Tx, actor: Actor, event: AuditChange): Promise<void> {
  await tx.auditEvent.create({
    data: {
      id: newId('ev', 12),
      accountId: actor.accountId,
      actor: actor.name,
      action: event.action,
      batchId: event.batchId ?? null,
      datasetId: event.datasetId ?? null,
      details: event.details ?? {},
    },
  });
}

/**
 * Audit rows written by the statements of a transaction, so they commit (or not) with the change
 * they record: one statement for any number of events.
 */
export async function insertAuditEvents(
  tx: SqlStatements,
  actor: Actor,
  events: readonly { action: string; batchId: string | null; datasetId?: string; details: Record<string, unknown> }[],
  now: Date,
): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => ({ id: newId('ev', 12), action: e.action, batch_id: e.batchId, dataset_id: e.datasetId ?? null, details: e.details }));
  await tx.rows(PrismaSql.sql`
    INSERT INTO audit_events (id, account_id, actor, action, batch_id, dataset_id, details, created_at)
    SELECT e.id, ${actor.accountId}::text, ${actor.name}, e.action, e.batch_id, e.dataset_id, e.details, ${now}
    FROM json_to_recordset(${JSON.stringify(rows)}::json) AS e(id text, action text, batch_id text, dataset_id text, details jsonb)`);
}

export function listAuditEvents(prisma: Prisma, filter: { batchId?: string; limit?: number } = {}): Promise<AuditEvent[]> {
  return prisma.auditEvent.findMany({
    where: filter.batchId ? { batchId: filter.batchId } : {},
    orderBy: { createdAt: 'desc' },
    take: filter.limit ?? 200,
  });
}
