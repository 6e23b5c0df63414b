// API bearer tokens: shown once at creation, stored only as a sha256 hash, carrying a role.
import { createHash, randomBytes } from 'node:crypto';
import { writeAuditEvent, type Actor } from './audit.js';
import type { Prisma } from './connection.js';
import type { Role } from './generated/client.js';
import { newId } from './ids.js';

export interface ApiTokenRow {
  id: string;
  name: string;
  accountId: string | null;
  /** The owning account's email; null for a command-line token. */
  owner: string | null;
  /** The owner's role; a command-line token (no account) acts as an admin. */
  role: Role;
  createdAt: Date;
  revokedAt: Date | null;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const select = {
  id: true,
  name: true,
  accountId: true,
  createdAt: true,
  revokedAt: true,
  account: { select: { email: true, role: true, disabledAt: true } },
} as const;

type Selected = { id: string; name: string; accountId: string | null; createdAt: Date; revokedAt: Date | null; account: { email: string; role: Role; disabledAt: Date | null } | null };

function toRow(t: Selected): ApiTokenRow {
  return { id: t.id, name: t.name, accountId: t.accountId, owner: t.account?.email ?? null, role: t.account?.role ?? 'admin', createdAt: t.createdAt, revokedAt: t.revokedAt };
}

/**
 * Returns the new token's row and its secret; the secret is not stored anywhere. `accountId` owns
 * the token (null: an admin token made from the command line).
 */
export async function createApiToken(prisma: Prisma, input: { name: string; accountId: string | null }, actor: Actor): Promise<{ token: string; row: ApiTokenRow }> {
  const token = `pb_${randomBytes(24).toString('base64url')}`;
  const created = await prisma.$transaction(async (tx) => {
    const row = await tx.apiToken.create({ data: { id: newId('tok', 10), name: input.name, accountId: input.accountId, tokenHash: hashToken(token) }, select });
    await writeAuditEvent(tx, actor, { action: 'token.create', details: { token: row.id, name: row.name } });
    return row;
  });
  return { token, row: toRow(created) };
}

export async function findActiveApiToken(prisma: Prisma, token: string): Promise<ApiTokenRow | null> {
  const found = await prisma.apiToken.findFirst({ where: { tokenHash: hashToken(token), revokedAt: null }, select });
  if (!found || found.account?.disabledAt) return null;
  return toRow(found);
}

/** Every token, or (with `ownedBy`) one account's own. */
export async function listApiTokens(prisma: Prisma, ownedBy?: string): Promise<ApiTokenRow[]> {
  return (await prisma.apiToken.findMany({ where: ownedBy === undefined ? {} : { accountId: ownedBy }, orderBy: { createdAt: 'asc' }, select })).map(toRow);
}

/**
 * False when the token is unknown, already revoked or (with `ownedBy`) another account's: nothing
 * changes, nothing is audited.
 */
export async function revokeApiToken(prisma: Prisma, id: string, now: Date, actor: Actor, ownedBy?: string): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.apiToken.updateMany({ where: { id, revokedAt: null, ...(ownedBy === undefined ? {} : { accountId: ownedBy }) }, data: { revokedAt: now } });
    if (count === 1) await writeAuditEvent(tx, actor, { action: 'token.revoke', details: { token: id } });
    return count === 1;
  });
}
