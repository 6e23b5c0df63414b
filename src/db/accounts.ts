// Console accounts, their passwords (scrypt) and their signed-in sessions.
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { writeAuditEvent, type Actor } from './audit.js';
import type { Prisma } from './connection.js';
import { isUniqueViolation } from './errors.js';
import type { Account, Role } from './generated/client.js';
import { newId } from './ids.js';

export type { Account, Role };

/** N = 2^15, r = 8: 32 MiB per hash, about 50-100 ms here; memory-hard against GPU guessing. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32 };
const SESSION_HOURS = 12;
export const MIN_PASSWORD_LENGTH = 10;

function scrypt(password: string, salt: Buffer, options: { N: number; r: number; p: number; keylen: number }): Promise<Buffer> {
  const opts: ScryptOptions = { N: options.N, r: options.r, p: options.p, maxmem: 256 * options.N * options.r };
  return new Promise((resolve, reject) =>
    scryptCallback(password, salt, options.keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p), keylen: expected.length });
  return timingSafeEqual(actual, expected);
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export type CreateAccountOutcome = { ok: true; account: Account } | { ok: false; reason: 'email-taken' };

export async function createAccount(prisma: Prisma, input: { email: string; password: string; role: Role }, actor: Actor): Promise<CreateAccountOutcome> {
  const passwordHash = await hashPassword(input.password);
  try {
    const account = await prisma.$transaction(async (tx) => {
      const created = await tx.account.create({ data: { id: newId('acc', 10), email: normalizeEmail(input.email), passwordHash, role: input.role } });
      await writeAuditEvent(tx, actor, { action: 'account.create', details: { email: created.email, role: created.role } });
      return created;
    });
    return { ok: true, account };
  } catch (err) {
    if (isUniqueViolation(err)) return { ok: false, reason: 'email-taken' };
    throw err;
  }
}

/** A hash of a password nobody has, so unknown emails cost the same time as wrong passwords. */
const DUMMY_HASH = hashPassword(randomBytes(16).toString('hex'));

export async function verifyCredentials(prisma: Prisma, email: string, password: string): Promise<Account | null> {
  const account = await prisma.account.findUnique({ where: { email: normalizeEmail(email) } });
  const ok = await verifyPassword(password, account?.passwordHash ?? (await DUMMY_HASH));
  return ok && account && !account.disabledAt ? account : null;
}

export function findAccountByEmail(prisma: Prisma, email: string): Promise<Account | null> {
  return prisma.account.findUnique({ where: { email: normalizeEmail(email) } });
}

export function listAccounts(prisma: Prisma): Promise<Account[]> {
  return prisma.account.findMany({ orderBy: { createdAt: 'asc' } });
}

export function countAccounts(prisma: Prisma): Promise<number> {
  return prisma.account.count();
}

const sessionId = (token: string) => createHash('sha256').update(token).digest('hex');

/** Starts a session; returns the cookie secret (only its hash is stored). */
export async function createSession(prisma: Prisma, accountId: string, now: Date): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await prisma.accountSession.create({
    data: { id: sessionId(token), accountId, createdAt: now, expiresAt: new Date(now.getTime() + SESSION_HOURS * 3600_000) },
  });
  return token;
}

export async function findSessionAccount(prisma: Prisma, token: string, now: Date): Promise<Account | null> {
  const session = await prisma.accountSession.findUnique({ where: { id: sessionId(token) }, include: { account: true } });
  if (!session || session.expiresAt <= now || session.account.disabledAt) return null;
  return session.account;
}

export async function deleteSession(prisma: Prisma, token: string): Promise<void> {
  await prisma.accountSession.deleteMany({ where: { id: sessionId(token) } });
}
