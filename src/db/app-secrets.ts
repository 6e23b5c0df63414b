// Secrets generated once per database and shared by every server process that uses it.
import { randomBytes } from 'node:crypto';
import type { Prisma } from './connection.js';

/** The secret stored under `name`, created (256 random bits, hex) by whichever process asks first. */
export async function loadOrCreateSecret(prisma: Prisma, name: string): Promise<string> {
  await prisma.appSecret.createMany({ data: [{ name, value: randomBytes(32).toString('hex') }], skipDuplicates: true });
  const row = await prisma.appSecret.findUniqueOrThrow({ where: { name } });
  return row.value;
}
