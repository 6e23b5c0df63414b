// API bearer tokens: shown once at creation, stored only as a sha256 hash.
import { createHash, randomBytes } from 'node:crypto';
import type { Prisma } from './connection.js';
import { newId } from './ids.js';

export interface ApiTokenRow {
  id: string;
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Returns the new token's row and its secret; the secret is not stored anywhere. */
export async function createApiToken(prisma: Prisma, name: string): Promise<{ token: string; row: ApiTokenRow }> {
  const token = `pb_${randomBytes(24).toString('base64url')}`;
  const row = await prisma.apiToken.create({
    data: { id: newId('tok', 10), name, tokenHash: hashToken(token) },
    select: { id: true, name: true, createdAt: true, revokedAt: true },
  });
  return { token, row };
}

export function findActiveApiToken(prisma: Prisma, token: string): Promise<ApiTokenRow | null> {
  return prisma.apiToken.findFirst({
    where: { tokenHash: hashToken(token), revokedAt: null },
    select: { id: true, name: true, createdAt: true, revokedAt: true },
  });
}
