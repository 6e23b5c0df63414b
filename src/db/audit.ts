// The audit log: who changed which batch, dataset, token or account, and when.
import type { Prisma } from './connection.js';
import type { AuditEvent } from './generated/client.js';
import { newId } from './ids.js';

export type { AuditEvent };

export interface Actor {
  /** Email of the account, or `cli`. */
  name: string;
  accountId: string | null;
}

export const CLI_ACTOR: Actor = { name: 'cli', accountId: null };

export async function recordAudit(
  prisma: Prisma,
  actor: Actor,
  event: { action: string; batchId?: string; datasetId?: string; details?: Record<string, string | number | boolean | null> },
): Promise<void> {
  await prisma.auditEvent.create({
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

export function listAuditEvents(prisma: Prisma, filter: { batchId?: string; limit?: number } = {}): Promise<AuditEvent[]> {
  return prisma.auditEvent.findMany({
    where: filter.batchId ? { batchId: filter.batchId } : {},
    orderBy: { createdAt: 'desc' },
    take: filter.limit ?? 200,
  });
}
